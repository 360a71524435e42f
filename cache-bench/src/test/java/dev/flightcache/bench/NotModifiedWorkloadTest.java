package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.client.CacheStats;
import org.junit.jupiter.api.Test;

class NotModifiedWorkloadTest {
  private static final CacheStats BEFORE = new CacheStats(10, 10, 3, 0, 3000, 10_000);

  @Test
  void judge_everyGetNotModified_passes() {
    Workload.Check check = NotModifiedWorkload.judge(100, BEFORE, new CacheStats(110, 110, 3, 0, 3000, 110_000));
    assertThat(check.errors()).isZero();
    assertThat(check.firstError()).isNull();
    assertThat(check.counters()).containsEntry("not_modified", 100L).containsEntry("bytes_fetched", 0L);
  }

  @Test
  void judge_coalescedGets_countAsAnswered() {
    Workload.Check check = NotModifiedWorkload.judge(100, BEFORE, new CacheStats(70, 70, 3, 40, 3000, 70_000));
    assertThat(check.errors()).isZero();
    assertThat(check.counters()).containsEntry("coalesced", 40L);
  }

  @Test
  void judge_fullFetches_countedAsErrors() {
    Workload.Check check = NotModifiedWorkload.judge(100, BEFORE, new CacheStats(107, 107, 6, 0, 6000, 107_000));
    assertThat(check.errors()).isEqualTo(3);
    assertThat(check.firstError()).contains("3 of 100 gets were not answered 'not modified'", "3 full fetches", "3000 payload bytes");
  }
}
