package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void parseSize_binaryUnits_allMeanPowersOfTwo() {
    assertThat(Units.parseSize("1024")).isEqualTo(1024);
    assertThat(Units.parseSize("1K")).isEqualTo(1024);
    assertThat(Units.parseSize("1KB")).isEqualTo(1024);
    assertThat(Units.parseSize("1KiB")).isEqualTo(1024);
    assertThat(Units.parseSize("64mib")).isEqualTo(64L << 20);
    assertThat(Units.parseSize("4GiB")).isEqualTo(4L << 30);
    assertThat(Units.parseSize("2T")).isEqualTo(2L << 40);
  }

  @Test
  void parseSize_notASize_throws() {
    for (String bad : new String[] {"", "KiB", "1.5GiB", "-1", "1iB", "1 PB", "99999999999T"}) {
      assertThatThrownBy(() -> Units.parseSize(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parseDuration_eachUnit() {
    assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Units.parseDuration("30")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatSize_exactBinaryUnit() {
    assertThat(Units.formatSize(1024)).isEqualTo("1 KiB");
    assertThat(Units.formatSize(1L << 30)).isEqualTo("1 GiB");
    assertThat(Units.formatSize(1536L << 10)).isEqualTo("1536 KiB");
    assertThat(Units.formatSize(1000)).isEqualTo("1000 B");
  }

  @Test
  void boundParse_countOrDuration() {
    assertThat(Bound.parse("100")).isEqualTo(new Bound(100, null));
    assertThat(Bound.parse("0").empty()).isTrue();
    assertThat(Bound.parse("3s")).isEqualTo(new Bound(0, Duration.ofSeconds(3)));
    assertThatThrownBy(() -> Bound.parse("soon")).isInstanceOf(IllegalArgumentException.class);
  }
}
