package dev.flightcache.server.eviction;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides what to evict: Caffeine's W-TinyLFU over the stored objects, weighed by the bytes they
 * take on disk, so both size and frequency count. Caffeine holds only (version, bytes) per key;
 * evicting calls the {@link Evictor}, which removes the files. Eviction runs between watermarks:
 * it starts when stored bytes pass the high one and stops at the low one. Thread-safe.
 */
public final class EvictionPolicy {
  /** Removes an object the policy chose, if the store still holds that version of it. */
  public interface Evictor {
    /** @return the bytes freed, 0 if the object had changed or gone meanwhile */
    long evict(String key, long version, EvictionReason reason);
  }

  private record Tracked(long version, long diskBytes) {}

  private final DiskBudget budget;
  private final Evictor evictor;
  private final Executor background;
  private final Cache<String, Tracked> tracked;
  private final Policy.Eviction<String, Tracked> eviction;
  private final long normalMaximumKib;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Open until the recovered objects are tracked; eviction waits for it. */
  private volatile java.util.concurrent.CountDownLatch filled = new java.util.concurrent.CountDownLatch(0);
  private final Map<EvictionReason, LongAdder> evictions = new EnumMap<>(EvictionReason.class);
  /** The thread in {@link #evictDownTo}, whose evictions Caffeine runs on that thread, and their bytes. */
  private volatile Thread evicting;
  private long evictedByCall;

  /**
   * @param ticker Caffeine's clock, for the idle time-to-live; tests pass a fake one
   * @param background runs eviction after writes, and Caffeine's upkeep, off the caller's thread
   */
  public EvictionPolicy(DiskBudget budget, Evictor evictor, Ticker ticker, Executor background) {
    this.budget = budget;
    this.evictor = evictor;
    this.background = background;
    for (EvictionReason reason : EvictionReason.values()) {
      evictions.put(reason, new LongAdder());
    }
    // Caffeine must not evict on its own before the high watermark (the watermarks are ours),
    // yet a weighted cache starts its frequency sketch only once it is half full by this maximum:
    // so at most twice the high watermark. With the default hard limit (the budget) that is the
    // hard limit, and reads count from half the budget on.
    this.normalMaximumKib =
        kib(Math.min(budget.settings().hardLimitBytes(), 2 * budget.settings().highWatermarkBytes()));
    Caffeine<String, Tracked> builder = Caffeine.newBuilder()
        .maximumWeight(normalMaximumKib)
        .weigher((String key, Tracked value) -> (int) Math.min(Integer.MAX_VALUE, kib(value.diskBytes())))
        .ticker(ticker)
        // Caffeine's upkeep (and so idle expiry, whose listener deletes files) runs here rather
        // than on whichever thread read: a do_get may be reading on a gRPC event loop.
        .executor(background)
        .evictionListener(this::onEvicted);
    if (budget.settings().idleTtl() != null) {
      builder.expireAfterAccess(budget.settings().idleTtl());
    }
    this.tracked = builder.build();
    this.eviction = tracked.policy().eviction().orElseThrow();
    budget.roomMaker(this::evictDownTo);
  }

  private static long kib(long bytes) {
    return (bytes + 1023) / 1024;
  }

  private void onEvicted(String key, Tracked value, RemovalCause cause) {
    if (key == null || value == null) {
      return;
    }
    EvictionReason reason = cause == RemovalCause.EXPIRED ? EvictionReason.IDLE : EvictionReason.SIZE;
    long freed = evictor.evict(key, value.version(), reason);
    if (freed > 0) {
      evictions.get(reason).increment();
      if (reason == EvictionReason.SIZE && Thread.currentThread() == evicting) {
        evictedByCall += freed;
      }
    }
  }

  /**
   * Records a stored version and, past the high watermark, starts eviction in the background. A
   * late record of an older version never replaces a newer one.
   */
  public void written(String key, long version, long diskBytes) {
    track(key, version, diskBytes);
    evictIfNeeded();
  }

  /**
   * Tracks the objects recovered at start on the background thread, so that start-up need not
   * wait for it; eviction waits until it is done, so it always chooses among every object.
   *
   * @param trackAll calls {@link #track} for each recovered object
   */
  public void fill(Runnable trackAll) {
    java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
    filled = latch;
    background.execute(() -> {
      try {
        trackAll.run();
      } finally {
        latch.countDown();
      }
      evictIfNeeded();
    });
  }

  /** Records a stored version without evicting: for filling the policy at start. */
  public void track(String key, long version, long diskBytes) {
    tracked.asMap().merge(key, new Tracked(version, diskBytes),
        (old, fresh) -> Long.compareUnsigned(old.version(), fresh.version()) > 0 ? old : fresh);
  }

  /** Past the high watermark, evicts down to the low one in the background. */
  public void evictIfNeeded() {
    if (budget.aboveHighWatermark() && scheduled.compareAndSet(false, true)) {
      background.execute(() -> {
        scheduled.set(false);
        evictDownTo(budget.lowWatermarkBytes());
      });
    }
  }

  /** Records a read: it counts toward the object's frequency and renews its idle time. */
  public void read(String key) {
    tracked.getIfPresent(key);
  }

  /** Forgets an object that was deleted at {@code version} (not an eviction). */
  public void removed(String key, long version) {
    tracked.asMap().computeIfPresent(key, (k, old) -> Long.compareUnsigned(old.version(), version) <= 0 ? null : old);
  }

  /**
   * Evicts, in policy order, until stored bytes are at most {@code targetBytes} or nothing is left.
   * Caffeine evicts on this thread, while its maximum is lowered, so the bytes counted are this
   * call's alone.
   *
   * @return the bytes this call evicted
   */
  public synchronized long evictDownTo(long targetBytes) {
    try {
      if (!filled.await(5, java.util.concurrent.TimeUnit.MINUTES)) {
        return 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    long excessKib = kib(Math.max(0, budget.storedBytes() - targetBytes));
    evicting = Thread.currentThread();
    evictedByCall = 0;
    try {
      if (excessKib > 0) {
        // Lowering Caffeine's maximum makes it evict now, in its own order, through onEvicted.
        eviction.setMaximum(Math.max(0, eviction.weightedSize().orElse(0) - excessKib));
        eviction.setMaximum(normalMaximumKib);
      }
    } finally {
      evicting = null;
    }
    if (budget.aboveHighWatermark()) {
      budget.logRateLimited("Eviction cannot keep up: {} bytes stored, above the high watermark of the {} byte budget",
          budget.storedBytes(), budget.settings().budgetBytes());
    }
    return evictedByCall;
  }

  /** Runs pending maintenance now, expiring idle objects; the server calls it periodically. */
  public void cleanUp() {
    tracked.cleanUp();
  }

  public long evictions(EvictionReason reason) {
    return evictions.get(reason).sum();
  }

  public long trackedObjects() {
    return tracked.estimatedSize();
  }
}
