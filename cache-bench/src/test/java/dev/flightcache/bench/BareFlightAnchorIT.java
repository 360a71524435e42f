package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

class BareFlightAnchorIT {
  private static JsonNode lastLine(ByteArrayOutputStream bytes) throws Exception {
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    return new ObjectMapper().readTree(lines[lines.length - 1]);
  }

  @Test
  void run_inProcess_measuresEveryDoGet() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = BareFlightAnchor.run(new String[] {"--clients", "2", "--requests", "20", "--warmup", "5"},
        new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(code).as(bytes.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode summary = lastLine(bytes);
    assertThat(summary.get("workload").asText()).isEqualTo("bare-flight-do-get");
    assertThat(summary.get("ops").asLong()).isEqualTo(20);
    assertThat(summary.get("warmup_ops").asLong()).isEqualTo(5);
    assertThat(summary.get("errors").asLong()).isZero();
  }

  @Test
  void run_againstARunningProducer_clientPerThread() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightServer server = BareFlightAnchor.start(allocator, 0)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int code = BareFlightAnchor.run(new String[] {"--endpoint", "grpc://127.0.0.1:" + server.getPort(),
          "--clients", "3", "--client-per-thread", "--requests", "9", "--warmup", "0", "--json-only"},
          new PrintStream(bytes, true, StandardCharsets.UTF_8));

      assertThat(code).isZero();
      assertThat(lastLine(bytes).get("ops").asLong()).isEqualTo(9);
      assertThat(lastLine(bytes).get("client_per_thread").asBoolean()).isTrue();
    }
  }

  @Test
  void run_nothingListening_countsErrors() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = BareFlightAnchor.run(new String[] {"--endpoint", "grpc://127.0.0.1:" + port, "--requests", "3",
        "--warmup", "0", "--json-only"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(lastLine(bytes).get("errors").asLong()).isEqualTo(3);
  }
}
