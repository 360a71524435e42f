package dev.flightcache.it;

import static dev.flightcache.it.SecureServer.EXEC_SUBJECT;
import static dev.flightcache.it.SecureServer.OPS;
import static dev.flightcache.it.SecureServer.TEAM_A;
import static dev.flightcache.it.SecureServer.TEAM_ADMIN;
import static dev.flightcache.it.SecureServer.TEAM_B;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.cli.CacheCli;
import dev.flightcache.client.CacheClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cache-cli over TLS against the real server with auth: tokens, token files, minting, client certificates, exit codes. */
class AuthCliIT {
  @TempDir Path dir;
  SecureServer server;

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {}

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private void start(boolean mutualTls) throws Exception {
    server = mutualTls ? SecureServer.startMutualTls(dir) : SecureServer.start(dir);
  }

  /** Runs cache-cli against the server, trusting its CA; {@code args} add access flags and the command. */
  private Run cli(String... args) {
    List<String> argv = new ArrayList<>(List.of("--endpoint", server.endpoint(), "--ca-file", server.authority.caFile().toString()));
    argv.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CacheCli.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    Run run = new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    for (String token : List.of(TEAM_A, TEAM_B, OPS, TEAM_ADMIN)) {
      assertThat(run.out() + run.err()).as("output of %s", argv.get(argv.size() - 1)).doesNotContain(token);
    }
    return run;
  }

  private Path tokenFile(String name, String token) throws Exception {
    return Files.writeString(dir.resolve(name), token + "\n");
  }

  private void put(String key, String content) {
    try (CacheClient ops = server.client(OPS)) {
      ops.put(key, content.getBytes(UTF_8));
    }
  }

  @Test
  void get_tokenFileOfOwnerAllowed_ofAnotherTeamExit8_noTokenExit7() throws Exception {
    start(false);
    put("team-a/s1/x", "mine");

    Run own = cli("--token-file", tokenFile("a.token", TEAM_A).toString(), "get", "team-a/s1/x");
    Run other = cli("--token-file", tokenFile("b.token", TEAM_B).toString(), "get", "team-a/s1/x");
    Run anonymous = cli("get", "team-a/s1/x");
    Run unknown = cli("--token", "no-such-token-77c1", "get", "team-a/s1/x");

    assertThat(own).isEqualTo(new Run(0, "mine", ""));
    assertThat(other).isEqualTo(new Run(8, "", "cache-cli: get team-a/s1/x: not permitted: read on team-a/s1/x (UNAUTHORIZED)\n"));
    assertThat(anonymous).isEqualTo(new Run(7, "", "cache-cli: get team-a/s1/x: missing or invalid credentials (UNAUTHENTICATED)\n"));
    assertThat(unknown.code()).isEqualTo(7);
    assertThat(unknown.err()).doesNotContain("no-such-token-77c1");
  }

  @Test
  void deleteAndLs_withTeamToken_onlyTheTeamsOwn() throws Exception {
    start(false);
    put("team-a/s1/x", "a");
    put("team-b/s1/y", "b");

    Run ls = cli("--token", TEAM_A, "ls");
    Run deleteOther = cli("--token", TEAM_A, "delete", "team-b/*");
    Run stats = cli("--token", TEAM_A, "stats");

    assertThat(ls.code()).isZero();
    assertThat(ls.out().lines()).singleElement().asString().endsWith("team-a/s1/x");
    assertThat(deleteOther.code()).isEqualTo(8);
    assertThat(deleteOther.err()).isEqualTo("cache-cli: delete team-b/*: not permitted: delete on team-b/* (UNAUTHORIZED)\n");
    assertThat(stats.code()).isEqualTo(8);
  }

  @Test
  void tokenMint_byTeamAdmin_printsATokenThatReadsButCannotWrite() throws Exception {
    start(false);
    put("team-a/s1/x", "delegated");

    Run mint = cli("--token", TEAM_ADMIN, "token", "mint", "--grant", "read:team-a/s1/*", "--ttl", "1h", "--label", "cli-test");
    String minted = mint.out().strip();
    Run read = cli("--token", minted, "get", "team-a/s1/x");
    Run write = cli("--token", minted, "delete", "team-a/s1/x");
    Run tooWide = cli("--token", TEAM_ADMIN, "token", "mint", "--grant", "read:*", "--ttl", "1h");

    assertThat(mint.code()).isZero();
    assertThat(minted).startsWith("fc1.").doesNotContain("\n");
    assertThat(read).isEqualTo(new Run(0, "delegated", ""));
    assertThat(write.code()).isEqualTo(8);
    assertThat(write.err()).doesNotContain(minted);
    assertThat(tooWide.code()).isEqualTo(8);
  }

  @Test
  void mutualTls_certAndKeyAccepted_withoutCertRefused() throws Exception {
    start(true);
    put("team-a/s1/x", "by certificate");
    TestCertificates.Pem exec7 = server.authority.client("exec-7", EXEC_SUBJECT);

    Run read = cli("--cert", exec7.certFile().toString(), "--key", exec7.keyFile().toString(), "get", "team-a/s1/x");
    Run health = cli("--cert", exec7.certFile().toString(), "--key", exec7.keyFile().toString(), "health");
    Run refused = cli("--token", TEAM_A, "--timeout", "5s", "get", "team-a/s1/x");

    assertThat(read).isEqualTo(new Run(0, "by certificate", ""));
    assertThat(health).isEqualTo(new Run(0, "SERVING\n", ""));
    assertThat(refused.code()).isEqualTo(4);
  }
}
