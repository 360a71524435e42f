package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flightcache.server.CacheServer;
import dev.flightcache.server.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of every workload against the real server in this JVM, through the program's own
 * entry point. Asserts what the program reports, never how fast.
 */
class BenchmarkSmokeIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path temp;
  CacheServer server;

  @BeforeEach
  void start() throws Exception {
    temp = Files.createDirectory(dir.resolve("temp"));
    String[] args = {
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.resolve("store").toString(), "--drain-timeout", "5s"};
    server = CacheServer.start(ConfigLoader.load(args, Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /** Runs the program; returns its exit code and output. */
  private record Run(int exitCode, String output) {
    List<JsonNode> summaries() throws Exception {
      List<JsonNode> nodes = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.startsWith("{")) {
          nodes.add(JSON.readTree(line));
        }
      }
      return nodes;
    }

    JsonNode last() throws Exception {
      String[] lines = output.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }

  private Run bench(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = Benchmark.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Run(code, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void run_everyWorkload_countsEveryOperationAndNoError() throws Exception {
    Run run = bench("--endpoint", server.endpoint(), "--workload", "all", "--size", "4KiB", "--clients", "2",
        "--requests", "12", "--warmup", "4", "--temp-dir", temp.toString(), "--json-only");

    assertThat(run.exitCode()).as(run.output()).isZero();
    List<JsonNode> summaries = run.summaries();
    assertThat(summaries).extracting(n -> n.get("workload").asText())
        .containsExactly("put", "get", "get-not-modified", "patch", "upload", "download");
    for (JsonNode summary : summaries) {
      assertThat(summary.get("ops").asLong()).as(summary.toString()).isEqualTo(12);
      assertThat(summary.get("warmup_ops").asLong()).as(summary.toString()).isEqualTo(4);
      assertThat(summary.get("errors").asLong()).as(summary.toString()).isZero();
      assertThat(summary.get("size").asLong()).isEqualTo(4096);
      assertThat(summary.get("clients").asInt()).isEqualTo(2);
    }
    JsonNode get = summaries.get(1);
    assertThat(get.get("via").asText()).isEqualTo("memory");
    assertThat(get.get("misses").asLong()).isEqualTo(12);
    assertThat(get.get("bytes_fetched").asLong()).isEqualTo(12 * 4096);
    assertThat(get.get("mb_per_s").asDouble()).isPositive();
    JsonNode notModified = summaries.get(2);
    assertThat(notModified.get("not_modified").asLong()).isEqualTo(12);
    assertThat(notModified.get("misses").asLong()).isZero();
    assertThat(notModified.get("bytes_fetched").asLong()).isZero();
    // Every workload deleted its session, and left no file behind.
    assertThat(server.store().objectCount()).isZero();
    try (Stream<Path> left = Files.list(temp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void run_humanReport_endsWithTheJsonLine() throws Exception {
    Run run = bench("--endpoint", server.endpoint(), "--workload", "get-not-modified", "--size", "64KiB",
        "--requests", "5", "--warmup", "0", "--temp-dir", temp.toString());

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("====== get-not-modified, 64 KiB, 1 caller", "MB = 10^6 bytes", "not modified  5");
    assertThat(run.last().get("workload").asText()).isEqualTo("get-not-modified");
    assertThat(run.last().get("not_modified").asLong()).isEqualTo(5);
  }

  @Test
  void run_getToFileSharedObjectClientPerThread_readsThroughDownload() throws Exception {
    Run run = bench("--endpoint", server.endpoint(), "--workload", "get", "--to-file", "--shared-object",
        "--client-per-thread", "--clients", "3", "--size", "3MiB", "--requests", "6", "--warmup", "0",
        "--temp-dir", temp.toString(), "--json-only");

    assertThat(run.exitCode()).as(run.output()).isZero();
    JsonNode get = run.last();
    assertThat(get.get("via").asText()).isEqualTo("file");
    assertThat(get.get("client_per_thread").asBoolean()).isTrue();
    assertThat(get.get("ops").asLong()).isEqualTo(6);
    assertThat(get.get("errors").asLong()).isZero();
  }

  @Test
  void run_serverDown_exitsOneAndSaysWhy() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = bench("--endpoint", "grpc://127.0.0.1:" + port, "--workload", "get", "--requests", "3",
        "--warmup", "0", "--temp-dir", temp.toString(), "--json-only");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.last().get("errors").asLong()).isPositive();
    assertThat(run.last().get("ops").asLong()).isZero();
    assertThat(run.last().get("first_error").asText()).startsWith("could not run: ");
  }

  @Test
  void run_badCommandLine_exitsTwo() {
    assertThat(bench("--size", "lots").exitCode()).isEqualTo(2);
  }

  @Test
  void run_help_printsUsageAndExitsZero() {
    Run run = bench("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.output()).startsWith("Usage: java -jar cache-bench.jar");
  }
}
