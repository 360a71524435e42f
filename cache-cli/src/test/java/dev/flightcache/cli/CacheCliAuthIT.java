package dev.flightcache.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.CacheServer;
import dev.flightcache.server.auth.TokenStore;
import dev.flightcache.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cache-cli against the real server with a token store (on loopback, without TLS; cache-it runs
 * the same over TLS): $FLIGHT_CACHE_TOKEN, the auth exit codes, and a token from {@code token
 * new} accepted once its store line is in the server's file.
 */
class CacheCliAuthIT {
  private static final String ADMIN = "admin-token-1b7e40c2";
  private static final String READER = "reader-token-9f21d6a8";
  @TempDir Path dir;
  Path tokensFile;
  CacheServer server;

  @BeforeEach
  void start() throws Exception {
    tokensFile = Files.writeString(dir.resolve("tokens"), String.join("\n",
        "admin  sha256:" + TokenStore.sha256Hex(ADMIN) + "  all:*",
        "reader  sha256:" + TokenStore.sha256Hex(READER) + "  read:etl/*",
        ""));
    Path signingKey = Files.writeString(dir.resolve("signing-key"), "cache-cli-test-signing-key-0123456789");
    server = CacheServer.start(ConfigLoader.load(new String[] {
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.resolve("data").toString(), "--drain-timeout", "5s",
        "--auth-tokens-file", tokensFile.toString(), "--auth-signing-key-file", signingKey.toString()}, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {}

  private Run cli(Map<String, String> environment, String stdin, String... args) {
    Map<String, String> env = new HashMap<>(environment);
    env.put("FLIGHT_CACHE_ENDPOINT", server.endpoint());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new CacheCli(new ByteArrayInputStream(stdin.getBytes(UTF_8)), new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8), env, false, System::nanoTime).run(args);
    return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void tokenFromEnvironment_usedAndNeverPrinted_flagWins() {
    Run put = cli(Map.of("FLIGHT_CACHE_TOKEN", ADMIN), "hello", "put", "etl/run-1/a");
    Run readerWrites = cli(Map.of("FLIGHT_CACHE_TOKEN", READER), "x", "put", "etl/run-1/b");
    Run flagWins = cli(Map.of("FLIGHT_CACHE_TOKEN", READER), "", "--token", ADMIN, "stats");

    assertThat(put).isEqualTo(new Run(0, "key=etl/run-1/a version=1 bytes=5\n", ""));
    assertThat(readerWrites.code()).isEqualTo(ExitCode.UNAUTHORIZED.code);
    assertThat(readerWrites.err()).isEqualTo("cache-cli: put etl/run-1/b: not permitted: write on etl/run-1/b (UNAUTHORIZED)\n");
    assertThat(flagWins.code()).isZero();
    for (Run run : List.of(put, readerWrites, flagWins)) {
      assertThat(run.out() + run.err()).doesNotContain(ADMIN).doesNotContain(READER);
    }
  }

  @Test
  void noOrUnknownToken_exit7_distinctFromNotPermittedExit8() {
    Run none = cli(Map.of(), "", "ls");
    Run unknown = cli(Map.of("FLIGHT_CACHE_TOKEN", "not-a-known-token"), "", "ls");
    Run notPermitted = cli(Map.of("FLIGHT_CACHE_TOKEN", READER), "", "stats");

    assertThat(none).isEqualTo(new Run(7, "", "cache-cli: list '': missing or invalid credentials (UNAUTHENTICATED)\n"));
    assertThat(unknown.code()).isEqualTo(7);
    assertThat(unknown.err()).doesNotContain("not-a-known-token");
    assertThat(notPermitted.code()).isEqualTo(8);
    assertThat(ExitCode.UNAUTHENTICATED.code).isNotEqualTo(ExitCode.UNAUTHORIZED.code);
  }

  @Test
  void tokenNew_storeLineAppended_serverAcceptsTheNewToken() throws Exception {
    Run made = cli(Map.of(), "", "token", "new", "etl-writer", "read,write:etl/*");
    List<String> lines = made.out().lines().toList();
    String token = lines.get(0);
    Files.writeString(tokensFile, lines.get(1) + "\n", StandardOpenOption.APPEND);

    // The server re-reads its store every few seconds: wait for it, boundedly.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Run put = cli(Map.of("FLIGHT_CACHE_TOKEN", token), "new", "put", "etl/run-2/a");
    while (put.code() == ExitCode.UNAUTHENTICATED.code && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      put = cli(Map.of("FLIGHT_CACHE_TOKEN", token), "new", "put", "etl/run-2/a");
    }

    assertThat(put).isEqualTo(new Run(0, "key=etl/run-2/a version=1 bytes=3\n", ""));
    assertThat(cli(Map.of("FLIGHT_CACHE_TOKEN", token), "", "delete", "etl/run-2").code()).isEqualTo(ExitCode.UNAUTHORIZED.code);
  }

  @Test
  void tokenMint_printsASignedTokenScopedToTheGrant() {
    Run mint = cli(Map.of("FLIGHT_CACHE_TOKEN", ADMIN), "", "token", "mint", "--grant", "read:etl/run-1/*", "--ttl", "10m");
    String minted = mint.out().strip();
    cli(Map.of("FLIGHT_CACHE_TOKEN", ADMIN), "v", "put", "etl/run-1/a");
    cli(Map.of("FLIGHT_CACHE_TOKEN", ADMIN), "w", "put", "etl/run-2/a");

    assertThat(mint.code()).isZero();
    assertThat(minted).startsWith("fc1.");
    assertThat(cli(Map.of("FLIGHT_CACHE_TOKEN", minted), "", "get", "etl/run-1/a")).isEqualTo(new Run(0, "v", ""));
    assertThat(cli(Map.of("FLIGHT_CACHE_TOKEN", minted), "", "get", "etl/run-2/a").code()).isEqualTo(ExitCode.UNAUTHORIZED.code);
    assertThat(cli(Map.of("FLIGHT_CACHE_TOKEN", READER), "", "token", "mint", "--grant", "read:etl/*", "--ttl", "1h").code())
        .isEqualTo(ExitCode.UNAUTHORIZED.code);
  }
}
