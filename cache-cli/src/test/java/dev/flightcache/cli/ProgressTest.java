package dev.flightcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now;

  private String drawn() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void line_halfwayAfterTwoSeconds_barPercentSizesAndRate() {
    Progress progress = new Progress(err, true, () -> now, 200_000_000);

    assertThat(progress.line(100_000_000, 2_000_000_000L))
        .isEqualTo("[==========>         ]  50%  100.0 MB / 200.0 MB  50.0 MB/s");
  }

  @Test
  void line_unknownTotal_bytesAndRateOnly() {
    Progress progress = new Progress(err, true, () -> now, -1);

    assertThat(progress.line(1_500, 1_000_000_000L)).isEqualTo("1.5 kB  0.0 MB/s");
  }

  @Test
  void update_interactive_redrawnAtMostEvery200msThenCompletedOnItsOwnLine() {
    Progress progress = new Progress(err, true, () -> now, 1_000_000);

    now += 100_000_000;
    progress.update(100_000);
    assertThat(drawn()).isEmpty();
    now += 150_000_000;
    progress.update(250_000);
    now += 50_000_000;
    progress.update(300_000);
    now += 700_000_000;
    progress.done(1_000_000);

    assertThat(drawn()).isEqualTo(
        "\r[=====>              ]  25%  250.0 kB / 1.0 MB  1.0 MB/s"
            + "\r[====================] 100%  1.0 MB / 1.0 MB  1.0 MB/s\n");
  }

  @Test
  void update_notATerminal_nothingDrawn() {
    Progress progress = new Progress(err, false, () -> now, 1_000_000);

    now += 5_000_000_000L;
    progress.update(500_000);
    progress.done(1_000_000);

    assertThat(drawn()).isEmpty();
  }

  @Test
  void done_shortTransfer_nothingDrawn() {
    Progress progress = new Progress(err, true, () -> now, 1_000_000);

    now += 50_000_000;
    progress.update(1_000_000);
    progress.done(1_000_000);

    assertThat(drawn()).isEmpty();
  }

  @Test
  void human_decimalUnits() {
    assertThat(Progress.human(0)).isEqualTo("0 B");
    assertThat(Progress.human(999)).isEqualTo("999 B");
    assertThat(Progress.human(1_000)).isEqualTo("1.0 kB");
    assertThat(Progress.human(280_000_000)).isEqualTo("280.0 MB");
    assertThat(Progress.human(1_234_000_000_000L)).isEqualTo("1.2 TB");
  }
}
