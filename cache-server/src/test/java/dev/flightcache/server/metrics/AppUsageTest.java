package dev.flightcache.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectFormat;
import dev.flightcache.server.store.StoredPart;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AppUsageTest {
  private final MockClock clock = new MockClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static ObjectEntry entry(String key, long baseBytes, long... patchBytes) {
    List<StoredPart> patches = new java.util.ArrayList<>();
    for (int i = 0; i < patchBytes.length; i++) {
      patches.add(new StoredPart(2 + i, patchBytes[i]));
    }
    return new ObjectEntry(ObjectKey.parse(key), ObjectFormat.OPAQUE, new StoredPart(1, baseBytes), patches);
  }

  private double stored(String app) {
    return registry.get("flight.cache.app.stored").tag("app", app).gauge().value();
  }

  private double byteSeconds(String app) {
    return registry.get("flight.cache.app.stored.byte.seconds").tag("app", app).functionCounter().count();
  }

  @Test
  void sample_entriesOfTwoApps_bytesSummedPerAppWithPatches() {
    AppUsage usage = new AppUsage(registry, clock, 10);

    usage.sample(List.of(entry("etl/s/a", 100, 5, 5), entry("etl/t/b", 40), entry("ml/s/c", 7)));

    assertThat(stored("etl")).isEqualTo(150);
    assertThat(stored("ml")).isEqualTo(7);
  }

  @Test
  void sample_overTime_byteSecondsAreBytesAtEachSampleTimesElapsed() {
    AppUsage usage = new AppUsage(registry, clock, 10);
    usage.sample(List.of(entry("etl/s/a", 1000)));

    clock.add(Duration.ofSeconds(30));
    usage.sample(List.of(entry("etl/s/a", 1000), entry("etl/s/b", 500)));
    clock.add(Duration.ofMillis(1500));
    usage.sample(List.of());

    assertThat(byteSeconds("etl")).isEqualTo(1500 * 30);
    assertThat(stored("etl")).isZero();
  }

  @Test
  void sample_noTimePassed_noByteSeconds() {
    AppUsage usage = new AppUsage(registry, clock, 10);

    usage.sample(List.of(entry("etl/s/a", 1000)));
    usage.sample(List.of(entry("etl/s/a", 1000)));

    assertThat(byteSeconds("etl")).isZero();
  }

  @Test
  void labelOf_moreAppsThanMax_firstSeenKeepLabelsRestOther() {
    AppUsage usage = new AppUsage(registry, clock, 2);

    assertThat(usage.labelOf("a")).isEqualTo("a");
    assertThat(usage.labelOf("b")).isEqualTo("b");
    assertThat(usage.labelOf("c")).isEqualTo(AppUsage.OTHER);
    assertThat(usage.labelOf("a")).isEqualTo("a");
    assertThat(usage.labelOf("d")).isEqualTo(AppUsage.OTHER);
  }

  @Test
  void served_appsBeyondMax_foldedIntoOtherAndMetersBounded() {
    AppUsage usage = new AppUsage(registry, clock, 3);

    for (int i = 0; i < 1000; i++) {
      usage.served("app-" + i, 10);
    }

    assertThat(registry.find("flight.cache.app.served").counters()).hasSize(4);
    assertThat(registry.get("flight.cache.app.served").tag("app", "other").counter().count()).isEqualTo(9970);
    assertThat(registry.get("flight.cache.app.served").tag("app", "app-0").counter().count()).isEqualTo(10);
  }

  @Test
  void served_zeroBytes_noMeterRegistered() {
    AppUsage usage = new AppUsage(registry, clock, 3);

    usage.served("quiet", 0);

    assertThat(registry.find("flight.cache.app.served").counters()).isEmpty();
  }
}
