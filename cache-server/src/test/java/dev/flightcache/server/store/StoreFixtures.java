package dev.flightcache.server.store;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/** Stores for tests that are not about the budget: a budget far above anything they write. */
public final class StoreFixtures {
  /** 4 KiB blocks, 1 TiB budget, nothing kept free, no idle expiry. */
  public static final BudgetSettings ROOMY = new BudgetSettings(1L << 40, 0.95, 0.85, 1L << 40, 0, null, 4096);

  private StoreFixtures() {}

  public static FileObjectStore open(Path root, StoreLimits limits) throws IOException {
    return FileObjectStore.open(root, limits, ROOMY, () -> Long.MAX_VALUE, Ticker.systemTicker(), Runnable::run);
  }

  /**
   * Holds {@code key}'s write lock on another thread, as a commit does, from when this returns
   * until the answer is closed.
   */
  public static HeldLock holdWriteLock(FileObjectStore store, ObjectKey key) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      Lock lock = store.lockFor(key).writeLock();
      lock.lock();
      try {
        held.countDown();
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        lock.unlock();
      }
    });
    if (!held.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the writer did not take the lock of " + key + " within 10 s");
    }
    return new HeldLock(release, writer);
  }

  /** A write lock held by {@link #holdWriteLock}; closing it releases the lock and waits for that. */
  public record HeldLock(CountDownLatch release, CompletableFuture<Void> writer) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      release.countDown();
      writer.get(10, TimeUnit.SECONDS);
    }
  }
}
