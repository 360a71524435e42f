package dev.flightcache.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.CacheServer;
import dev.flightcache.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cache-cli end to end: its main logic in this JVM against the real server over loopback. */
class CacheCliIT {
  @TempDir Path dir;
  CacheServer server;

  /** What one run printed and returned. */
  record Run(int code, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, UTF_8);
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = CacheServer.start(ConfigLoader.load(new String[] {
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.resolve("data").toString(), "--drain-timeout", "5s"}, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private Run cli(byte[] stdin, boolean interactive, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long[] now = {0};
    // A clock that moves 250 ms each time it is read, so every update may redraw.
    CacheCli cli = new CacheCli(new ByteArrayInputStream(stdin), new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8), Map.of("FLIGHT_CACHE_ENDPOINT", server.endpoint()), interactive,
        () -> now[0] += 250_000_000L);
    int code = cli.run(args);
    return new Run(code, out.toByteArray(), err.toString(UTF_8));
  }

  private Run cli(String... args) {
    return cli(new byte[0], false, args);
  }

  @Test
  void putGetPatch_stdinAndStdout_bytesAndVersions() {
    Run put = cli("hello".getBytes(UTF_8), false, "put", "etl/run-1/greeting");
    Run patch = cli(", world".getBytes(UTF_8), false, "patch", "etl/run-1/greeting");
    Run get = cli("get", "etl/run-1/greeting");

    assertThat(put.code()).isZero();
    assertThat(put.out()).isEqualTo("key=etl/run-1/greeting version=1 bytes=5\n");
    assertThat(patch.out()).isEqualTo("key=etl/run-1/greeting version=2 bytes=7\n");
    assertThat(get.code()).isZero();
    assertThat(get.out()).isEqualTo("hello, world");
    assertThat(get.stderr()).isEmpty();
  }

  @Test
  void put_session_generatedKeyPrinted() {
    Run put = cli("x".getBytes(UTF_8), false, "put", "etl/run-1");

    assertThat(put.out()).matches("key=etl/run-1/[0-9a-f-]{36} version=1 bytes=1\n");
  }

  @Test
  void uploadDownload_onATerminal_sameBytesAndAProgressBarOnStderr() throws Exception {
    byte[] bytes = new byte[5 * 1024 * 1024 + 17];
    new Random(3).nextBytes(bytes);
    Path source = Files.write(dir.resolve("model.bin"), bytes);
    Path target = dir.resolve("copy.bin");

    Run upload = cli(new byte[0], true, "upload", source.toString(), "ml/run-7/model.bin");
    Run download = cli(new byte[0], true, "download", "ml/run-7/model.bin", target.toString());

    assertThat(upload.code()).isZero();
    assertThat(upload.out()).isEqualTo("key=ml/run-7/model.bin version=1 bytes=" + bytes.length + "\n");
    assertThat(upload.stderr()).startsWith("\r[").contains("MB/s").endsWith("100%  5.2 MB / 5.2 MB  " + rate(upload.stderr()) + "\n");
    assertThat(download.code()).isZero();
    assertThat(download.out()).isEqualTo("key=ml/run-7/model.bin version=1 bytes=" + bytes.length + " file=" + target + "\n");
    assertThat(download.stderr()).contains("100%").contains("MB/s");
    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
  }

  private static String rate(String stderr) {
    String last = stderr.substring(stderr.lastIndexOf('\r') + 1).trim();
    return last.substring(last.lastIndexOf("  ") + 2);
  }

  @Test
  void upload_notATerminal_noProgressOnStderr() throws Exception {
    Path source = Files.write(dir.resolve("small.bin"), new byte[3 * 1024 * 1024]);

    Run upload = cli(new byte[0], false, "upload", source.toString(), "ml/run-7/small.bin");

    assertThat(upload.code()).isZero();
    assertThat(upload.stderr()).isEmpty();
  }

  @Test
  void ls_prefix_versionSizeKeyInKeyOrder() {
    cli("abc".getBytes(UTF_8), false, "put", "etl/run-1/b");
    cli("z".getBytes(UTF_8), false, "put", "etl/run-1/a");
    cli("++".getBytes(UTF_8), false, "patch", "etl/run-1/a");
    cli("q".getBytes(UTF_8), false, "put", "ml/run-1/c");

    Run ls = cli("ls", "etl/");

    assertThat(ls.code()).isZero();
    assertThat(ls.out()).isEqualTo(
        "       2              3  etl/run-1/a\n"
            + "       1              3  etl/run-1/b\n");
    assertThat(cli("ls").out().lines()).hasSize(3);
  }

  @Test
  void stats_afterPut_countersWithHumanSizes() {
    cli(new byte[2000], false, "put", "etl/run-1/a");

    Run stats = cli("stats");

    assertThat(stats.code()).isZero();
    List<String> lines = stats.out().lines().toList();
    // Names padded to the longest (a per-app quota field), sizes also in decimal units.
    int width = lines.stream().mapToInt(line -> line.indexOf(' ')).max().orElseThrow();
    assertThat(width).isEqualTo("quotas.apps.etl.reservedObjects".length());
    assertThat(lines.get(0)).isEqualTo(String.format("%-" + width + "s  1", "objects"));
    assertThat(lines.get(1)).matches("storedBytes {" + (width - 9) + "}\\d+ \\(\\d+\\.\\d kB\\)");
    assertThat(lines).contains(
        String.format("%-" + width + "s  0", "evictions.size"), String.format("%-" + width + "s  0", "rejectedWrites.tooLarge"),
        String.format("%-" + width + "s  1", "quotas.apps.etl.objects"));
    assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("freeBytes   "));
  }

  @Test
  void health_runningServer_servingExit0() {
    Run health = cli("health");

    assertThat(health.code()).isZero();
    assertThat(health.out()).isEqualTo("SERVING\n");
  }

  @Test
  void delete_thenGet_notFoundExit2() {
    cli("x".getBytes(UTF_8), false, "put", "etl/run-1/a");

    Run delete = cli("delete", "etl/run-1");
    Run get = cli("get", "etl/run-1/a");

    assertThat(delete.out()).isEqualTo("deleted etl/run-1\n");
    assertThat(get.code()).isEqualTo(2);
    assertThat(get.stdout()).isEmpty();
    assertThat(get.stderr()).isEqualTo("cache-cli: get etl/run-1/a: object etl/run-1/a not found\n");
    assertThat(cli("download", "etl/run-1/a", dir.resolve("x").toString()).code()).isEqualTo(2);
  }

  @Test
  void badKeyAndPatchedDownload_refusedExit3() {
    cli("x".getBytes(UTF_8), false, "put", "etl/run-1/a");
    cli("y".getBytes(UTF_8), false, "patch", "etl/run-1/a");

    Run badKey = cli("get", "etl/run:1/a");
    Run patched = cli("download", "etl/run-1/a", dir.resolve("a").toString());

    assertThat(badKey.code()).isEqualTo(3);
    assertThat(badKey.stderr()).startsWith("cache-cli: ").contains("':'");
    assertThat(patched.code()).isEqualTo(3);
    assertThat(patched.stderr()).contains("has patches");
    assertThat(dir.resolve("a")).doesNotExist();
  }

  @Test
  void noServer_unreachableExit4NamingEndpoint() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String endpoint = "grpc://127.0.0.1:" + closedPort;

    Run ls = cli("--endpoint", endpoint, "--timeout", "2s", "ls");
    Run health = cli("--endpoint", endpoint, "--timeout", "2s", "health");

    assertThat(ls.code()).isEqualTo(4);
    assertThat(ls.stderr()).startsWith("cache-cli: ").contains(endpoint);
    assertThat(health.code()).isEqualTo(4);
    assertThat(health.stderr()).contains("UNAVAILABLE").contains(endpoint);
  }

  @Test
  void usageErrors_exit1WithHint() {
    Run nothing = cli();
    Run unknown = cli("copy", "a", "b");
    Run badEndpoint = cli("--endpoint", "http//nowhere", "ls");

    assertThat(nothing.code()).isEqualTo(1);
    assertThat(nothing.stderr()).isEqualTo("cache-cli: no command given\nRun 'cache-cli help' to see the commands.\n");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(badEndpoint.code()).isEqualTo(1);
    assertThat(badEndpoint.stderr()).startsWith("cache-cli: ");
  }

  @Test
  void help_exit0UsageWithEveryCommandAndExitCode() {
    Run help = cli("help");

    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("Usage: cache-cli");
    for (String command : List.of("put", "get", "patch", "upload", "download", "delete", "ls", "stats", "health", "token")) {
      assertThat(help.out()).contains("\n  " + command + " ");
    }
    for (ExitCode code : ExitCode.values()) {
      assertThat(help.out()).contains("\n  " + code.code + "  ");
    }
  }

  @Test
  void localFiles_missingSourceOrTargetDir_exit6() {
    Run upload = cli("upload", dir.resolve("missing.bin").toString(), "etl/run-1/a");
    cli("x".getBytes(UTF_8), false, "put", "etl/run-1/b");
    Run download = cli("download", "etl/run-1/b", dir.resolve("no-dir/b").toString());

    assertThat(upload.code()).isEqualTo(6);
    assertThat(upload.stderr()).isEqualTo("cache-cli: no such file: " + dir.resolve("missing.bin") + "\n");
    assertThat(download.code()).isEqualTo(6);
    assertThat(download.stderr()).startsWith("cache-cli: ");
  }
}
