package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BareFlightBulkIT {
  /** Not a whole number of 1 KiB chunks, and more than one mapped piece of them (256 chunks). */
  private static final int SIZE = 700 * 1024 + 3;

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void writeFile() throws Exception {
    file = dir.resolve("obj.bin");
    Files.write(file, randomBytes(1));
  }

  private static byte[] randomBytes(long seed) {
    byte[] bytes = new byte[SIZE];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static Result run(String... args) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = BareFlightBulk.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode last = lines[0].isEmpty() ? null : new ObjectMapper().readTree(lines[lines.length - 1]);
    return new Result(code, last, bytes.toString(StandardCharsets.UTF_8));
  }

  private record Result(int code, JsonNode summary, String output) {}

  @Test
  void get_inProcess_movesEveryByteOfTheFile() throws Exception {
    Result result = run("--file", file.toString(), "--chunk", "1KiB", "--requests", "3", "--warmup", "1");

    assertThat(result.code()).as(result.output()).isZero();
    assertThat(result.summary().get("workload").asText()).isEqualTo("bare-flight-get");
    assertThat(result.summary().get("size").asLong()).isEqualTo(SIZE);
    assertThat(result.summary().get("ops").asLong()).isEqualTo(3);
    assertThat(result.summary().get("chunk").asLong()).isEqualTo(1024);
    assertThat(result.summary().get("errors").asLong()).isZero();
  }

  @Test
  void put_inProcess_theProducerCountsEveryByte() throws Exception {
    Result result = run("--file", file.toString(), "--workload", "put", "--chunk", "1KiB", "--requests", "2",
        "--warmup", "1", "--json-only");

    assertThat(result.code()).as(result.output()).isZero();
    assertThat(result.summary().get("workload").asText()).isEqualTo("bare-flight-put");
    assertThat(result.summary().get("ops").asLong()).isEqualTo(2);
    assertThat(result.summary().get("errors").asLong()).isZero();
  }

  /** A producer serving other bytes of the same size: every get is an error. */
  @Test
  void get_otherBytesThanTheCallersFile_everyGetFails() throws Exception {
    Path other = dir.resolve("other.bin");
    Files.write(other, randomBytes(2));
    try (BufferAllocator allocator = new RootAllocator();
        MappedFile served = new MappedFile(allocator, other, 4096);
        FlightServer server = BareFlightBulk.start(allocator, served, 0)) {
      Result result = run("--endpoint", "grpc://127.0.0.1:" + server.getPort(), "--file", file.toString(),
          "--chunk", "4KiB", "--requests", "2", "--warmup", "0", "--json-only");

      assertThat(result.code()).isEqualTo(1);
      assertThat(result.summary().get("errors").asLong()).isEqualTo(2);
      assertThat(result.summary().get("first_error").asText()).contains("not the file's " + SIZE);
    }
  }

  /** The not-modified anchor takes no puts: a put that is not answered with the count is an error. */
  @Test
  void put_toAProducerThatTakesNoPuts_everyPutFails() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightServer server = BareFlightAnchor.start(allocator, 0)) {
      Result result = run("--endpoint", "grpc://127.0.0.1:" + server.getPort(), "--file", file.toString(),
          "--workload", "put", "--requests", "2", "--warmup", "0", "--json-only");

      assertThat(result.code()).isEqualTo(1);
      assertThat(result.summary().get("errors").asLong()).isEqualTo(2);
    }
  }

  @Test
  void run_badCommandLines_areUsageErrors() throws Exception {
    assertThat(run("--workload", "get").code()).isEqualTo(2);
    assertThat(run("--file", file.toString(), "--workload", "patch").code()).isEqualTo(2);
    assertThat(run("--file", file.toString(), "--chunk", "16MiB").code()).isEqualTo(2);
    assertThat(run("--file", file.toString(), "--requests", "5s").code()).isEqualTo(2);
  }
}
