package dev.flightcache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Runs a workload on N caller threads: a warm-up, then a measured phase. Each phase is bounded by
 * a number of operations shared by all callers, or by a time. The callers meet at a barrier
 * between the phases, so measurement starts and ends with every caller idle. Each measured
 * operation's latency is recorded in microseconds in the caller's own histogram.
 */
final class LoadRunner {
  /** What the measured phase saw. The histogram holds the latency of successful operations, in µs. */
  record Measurement(
      long ops, long bytes, double seconds, Histogram latencyMicros, long errors, String firstError,
      long warmupOps, long warmupErrors) {}

  private final int callers;
  private final Bound warmup;
  private final Bound measure;

  LoadRunner(int callers, Bound warmup, Bound measure) {
    this.callers = callers;
    this.warmup = warmup;
    this.measure = measure;
  }

  /** Runs both phases; the workload must be prepared. */
  Measurement run(Workload workload) throws InterruptedException {
    Phase warm = new Phase(warmup);
    Phase measured = new Phase(measure);
    AtomicLong measureStart = new AtomicLong();
    AtomicLong measureEnd = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<Histogram> histograms = new ArrayList<>();
    CyclicBarrier warmDone = new CyclicBarrier(callers, () -> {
      workload.measurementStarts();
      long now = System.nanoTime();
      measureStart.set(now);
      measured.start(now);
    });
    CyclicBarrier measureDone = new CyclicBarrier(callers, () -> measureEnd.set(System.nanoTime()));
    List<Thread> threads = new ArrayList<>();
    warm.start(System.nanoTime());
    for (int i = 0; i < callers; i++) {
      int caller = i;
      Histogram histogram = new Histogram(3);
      histograms.add(histogram);
      Thread thread = new Thread(() -> {
        try {
          warm.drive(workload, caller, null, firstError);
          warmDone.await();
          measured.drive(workload, caller, histogram, firstError);
          measureDone.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (BrokenBarrierException e) {
          firstError.compareAndSet(null, "a caller stopped early: " + e);
        }
      }, "bench-caller-" + caller);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    Histogram all = new Histogram(3);
    histograms.forEach(all::add);
    double seconds = (measureEnd.get() - measureStart.get()) / 1e9;
    return new Measurement(measured.ops.sum(), measured.bytes.sum(), seconds, all, measured.errors.sum(),
        firstError.get(), warm.ops.sum(), warm.errors.sum());
  }

  /** One phase: its bound, and what its operations did. */
  private static final class Phase {
    final Bound bound;
    final AtomicLong remaining;
    final LongAdder ops = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder errors = new LongAdder();
    volatile long deadline;

    Phase(Bound bound) {
      this.bound = bound;
      this.remaining = new AtomicLong(bound.requests());
    }

    void start(long nowNanos) {
      if (bound.timed()) {
        deadline = nowNanos + bound.duration().toNanos();
      }
    }

    private boolean next() {
      return bound.timed() ? System.nanoTime() < deadline : remaining.getAndDecrement() > 0;
    }

    /** Runs operations of one caller until the phase is over; records latency when given a histogram. */
    void drive(Workload workload, int caller, Histogram latency, AtomicReference<String> firstError) {
      while (next()) {
        try {
          workload.beforeOperation(caller);
          long started = System.nanoTime();
          long moved = workload.operate(caller);
          long micros = (System.nanoTime() - started + 500) / 1000;
          if (latency != null) {
            latency.recordValue(micros);
          }
          ops.increment();
          bytes.add(moved);
        } catch (Exception | Error e) {
          // An Error too (say OutOfMemoryError for a get larger than the heap): stopping this
          // caller would leave the others waiting at the barrier; count it and go on.
          errors.increment();
          firstError.compareAndSet(null, e.toString());
        }
      }
    }
  }
}
