package dev.flightcache.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A smoke run of the hit-ratio benchmark: it prints every row, with ratios between 0 and 1. */
class HitRatioBenchmarkTest {
  @Test
  void run_smallTrace_printsNineRowsOfRatios() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HitRatioBenchmark.run(2_000, 20_000, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> rows = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.matches("\\| \\d.*")).toList();
    assertThat(rows).hasSize(9);
    for (String row : rows) {
      String[] cells = row.split("\\|");
      for (int column = 3; column <= 6; column++) {
        assertThat(Double.parseDouble(cells[column].trim())).isBetween(0.0, 1.0);
      }
    }
  }

  @Test
  void zipfTrace_sameSeed_sameKeysAndSkewedTowardsTheFirst() {
    ZipfTrace one = new ZipfTrace(1_000, 1.0, 9);
    ZipfTrace two = new ZipfTrace(1_000, 1.0, 9);
    int first = 0;
    for (int i = 0; i < 10_000; i++) {
      int key = one.next();
      assertThat(two.next()).isEqualTo(key);
      assertThat(key).isBetween(0, 999);
      first += key == 0 ? 1 : 0;
    }
    // Key 0's share is 1 / H(1000) ≈ 0.134 for s = 1.
    assertThat(first).isBetween(1_100, 1_600);
  }
}
