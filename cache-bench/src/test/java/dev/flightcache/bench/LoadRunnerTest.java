package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
  /** Counts operations; fails every {@code failEvery}-th; remembers how many ran before measurement. */
  private static final class Counting implements Workload {
    final AtomicLong operations = new AtomicLong();
    final AtomicInteger starts = new AtomicInteger();
    final AtomicLong beforeMeasurement = new AtomicLong(-1);
    final AtomicLong upkeep = new AtomicLong();
    final int failEvery;

    Counting(int failEvery) {
      this.failEvery = failEvery;
    }

    @Override
    public void prepare() {}

    @Override
    public void beforeOperation(int caller) {
      upkeep.incrementAndGet();
    }

    @Override
    public long operate(int caller) {
      long n = operations.incrementAndGet();
      if (failEvery > 0 && n % failEvery == 0) {
        throw new IllegalStateException("failure " + n);
      }
      return 10;
    }

    @Override
    public void measurementStarts() {
      starts.incrementAndGet();
      beforeMeasurement.set(operations.get());
    }
  }

  @Test
  void run_countedPhases_shareTheCountAcrossCallers() throws Exception {
    Counting workload = new Counting(0);
    LoadRunner.Measurement m = new LoadRunner(4, new Bound(7, null), new Bound(101, null)).run(workload);
    assertThat(m.warmupOps()).isEqualTo(7);
    assertThat(m.ops()).isEqualTo(101);
    assertThat(m.bytes()).isEqualTo(1010);
    assertThat(m.latencyMicros().getTotalCount()).isEqualTo(101);
    assertThat(workload.starts).hasValue(1);
    assertThat(workload.beforeMeasurement).hasValue(7);
    assertThat(workload.upkeep).hasValue(108);
    assertThat(m.errors()).isZero();
    assertThat(m.firstError()).isNull();
  }

  @Test
  void run_failingOperations_countedNotTimed() throws Exception {
    LoadRunner.Measurement m = new LoadRunner(2, Bound.NONE, new Bound(50, null)).run(new Counting(10));
    assertThat(m.ops()).isEqualTo(45);
    assertThat(m.errors()).isEqualTo(5);
    assertThat(m.latencyMicros().getTotalCount()).isEqualTo(45);
    assertThat(m.firstError()).startsWith("java.lang.IllegalStateException: failure ");
  }

  @Test
  void run_timedPhase_stopsByItself() throws Exception {
    Counting workload = new Counting(0);
    LoadRunner.Measurement m =
        new LoadRunner(2, Bound.parse("20ms"), Bound.parse("50ms")).run(workload);
    assertThat(m.ops()).isPositive();
    assertThat(m.ops() + m.warmupOps()).isEqualTo(workload.operations.get());
  }
}
