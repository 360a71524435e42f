package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RunResultTest {
  private static RunResult result(String firstError) {
    Histogram latency = new Histogram(3);
    for (int i = 1; i <= 1000; i++) {
      latency.recordValue(i);
    }
    LoadRunner.Measurement m = new LoadRunner.Measurement(1000, 1000L * 1_000_000, 2.0, latency, 0, firstError, 10, 0);
    return new RunResult("get", 1_000_000, 4, false, "memory", m, firstError == null ? 0 : 1, firstError, Map.of("misses", 1000L));
  }

  @Test
  void json_isOneObjectWithEveryField() throws Exception {
    String json = result(null).json();
    assertThat(json).doesNotContain("\n");
    JsonNode node = new ObjectMapper().readTree(json);
    assertThat(node.get("workload").asText()).isEqualTo("get");
    assertThat(node.get("size").asLong()).isEqualTo(1_000_000);
    assertThat(node.get("clients").asInt()).isEqualTo(4);
    assertThat(node.get("ops").asLong()).isEqualTo(1000);
    assertThat(node.get("seconds").asDouble()).isEqualTo(2.0);
    assertThat(node.get("ops_per_s").asDouble()).isEqualTo(500.0);
    assertThat(node.get("mb_per_s").asDouble()).isEqualTo(500.0);
    assertThat(node.get("p50_us").asLong()).isEqualTo(500);
    assertThat(node.get("p99_us").asLong()).isEqualTo(990);
    assertThat(node.get("p999_us").asLong()).isEqualTo(999);
    assertThat(node.get("errors").asLong()).isZero();
    assertThat(node.get("first_error").isNull()).isTrue();
    assertThat(node.get("misses").asLong()).isEqualTo(1000);
  }

  @Test
  void json_errorMessageWithQuotesAndNewlines_staysValid() throws Exception {
    String message = "failed: \"key\"\n\tat \\ \u0001";
    JsonNode node = new ObjectMapper().readTree(result(message).json());
    assertThat(node.get("first_error").asText()).isEqualTo(message);
    assertThat(node.get("errors").asLong()).isEqualTo(1);
  }

  @Test
  void print_saysWhatMbMeans() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    result(null).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("500.0 ops/s", "500.000 MB/s (MB = 10^6 bytes)", "p50 500");
  }
}
