package dev.flightcache.server.quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each app stores and holds reserved, checked against the app's limit from the current
 * {@link QuotaTable}. Bytes are counted as the {@link dev.flightcache.server.eviction.DiskBudget}
 * counts them, so a write reserves as it streams, and a reservation turns into stored usage when
 * the write commits or is given back when it does not.
 *
 * <p>Every change to one app is one atomic step on that app's entry (a {@link
 * ConcurrentHashMap#compute}), so concurrent writers to one app never jointly pass its limit, and
 * writers to different apps never wait on each other. No file I/O. Thread-safe.
 */
public final class AppQuotas {
  private static final Logger logger = LoggerFactory.getLogger(AppQuotas.class);

  /** One app's counters; an app whose counters are all zero has no entry. */
  private record Usage(long storedBytes, long storedObjects, long reservedBytes, long reservedObjects) {
    static final Usage ZERO = new Usage(0, 0, 0, 0);

    Usage plus(long stored, long objects, long reserved, long reservedCount) {
      return new Usage(storedBytes + stored, storedObjects + objects, reservedBytes + reserved, reservedObjects + reservedCount);
    }

    boolean isZero() {
      return storedBytes == 0 && storedObjects == 0 && reservedBytes == 0 && reservedObjects == 0;
    }
  }

  private final Map<String, Usage> usage = new ConcurrentHashMap<>();
  private final LongAdder rejected = new LongAdder();
  private volatile QuotaTable table = QuotaTable.NONE;

  /** The limits in force. */
  public QuotaTable table() {
    return table;
  }

  /** Puts new limits in force. Usage is kept: an app already past a lowered limit keeps its objects. */
  public void table(QuotaTable next) {
    this.table = java.util.Objects.requireNonNull(next, "table");
  }

  /**
   * Reserves {@code bytes} and {@code objects} more for a write of {@code app} in progress.
   *
   * @throws QuotaExceededException naming the app and the limit, if the app's stored plus reserved
   *     usage would pass its limit; nothing is reserved then
   */
  public void reserve(String app, long bytes, long objects) {
    if (bytes == 0 && objects == 0) {
      return;
    }
    AppLimit limit = table.limitFor(app);
    change(app, current -> {
      check(app, limit, current, bytes, objects);
      return current.plus(0, 0, bytes, objects);
    });
  }

  /** Gives back a reservation that was not used. */
  public void release(String app, long bytes, long objects) {
    change(app, current -> current.plus(0, 0, -bytes, -objects));
  }

  /**
   * Turns a reservation into stored usage: the write committed, changing the app's stored bytes by
   * {@code storedBytes} (new minus replaced) and its objects by {@code storedObjects}.
   */
  public void commit(String app, long reservedBytes, long reservedObjects, long storedBytes, long storedObjects) {
    change(app, current -> current.plus(storedBytes, storedObjects, -reservedBytes, -reservedObjects));
  }

  /** Counts objects already on disk (recovery) or freed ({@code -bytes, -objects}: delete, eviction). */
  public void adjustStored(String app, long bytes, long objects) {
    change(app, current -> current.plus(bytes, objects, 0, 0));
  }

  /** Writes refused for being over quota since start. */
  public long rejectedWrites() {
    return rejected.sum();
  }

  /** Every app that stores or reserves anything or is named in the table, by name, with its limit. */
  public List<AppQuotaUsage> snapshot() {
    QuotaTable limits = table;
    TreeSet<String> apps = new TreeSet<>(usage.keySet());
    apps.addAll(limits.apps().keySet());
    List<AppQuotaUsage> rows = new ArrayList<>(apps.size());
    for (String app : apps) {
      Usage now = usage.getOrDefault(app, Usage.ZERO);
      rows.add(new AppQuotaUsage(
          app, now.storedBytes(), now.storedObjects(), now.reservedBytes(), now.reservedObjects(), limits.limitFor(app)));
    }
    return rows;
  }

  /** One app's usage now. */
  public AppQuotaUsage usage(String app) {
    Usage now = usage.getOrDefault(app, Usage.ZERO);
    return new AppQuotaUsage(
        app, now.storedBytes(), now.storedObjects(), now.reservedBytes(), now.reservedObjects(), table.limitFor(app));
  }

  private void change(String app, java.util.function.UnaryOperator<Usage> step) {
    usage.compute(app, (name, current) -> {
      Usage next = step.apply(current == null ? Usage.ZERO : current);
      if (next.storedBytes() < 0 || next.storedObjects() < 0 || next.reservedBytes() < 0 || next.reservedObjects() < 0) {
        // An accounting bug must not wedge an app at a negative count forever; say so and clamp.
        logger.error("Quota usage of app '{}' went negative ({}); counting it as 0", name, next);
        next = new Usage(
            Math.max(0, next.storedBytes()), Math.max(0, next.storedObjects()),
            Math.max(0, next.reservedBytes()), Math.max(0, next.reservedObjects()));
      }
      return next.isZero() ? null : next;
    });
  }

  private void check(String app, AppLimit limit, Usage current, long bytes, long objects) {
    if (bytes > 0 && limit.limitsBytes()
        && current.storedBytes() + current.reservedBytes() + bytes > limit.maxBytes()) {
      rejected.increment();
      throw new QuotaExceededException("app '" + app + "' is over its quota of " + limit.maxBytes() + " bytes: it stores "
          + current.storedBytes() + ", writes in progress hold " + current.reservedBytes() + ", and this write needs "
          + bytes + " more");
    }
    if (objects > 0 && limit.limitsObjects()
        && current.storedObjects() + current.reservedObjects() + objects > limit.maxObjects()) {
      rejected.increment();
      throw new QuotaExceededException("app '" + app + "' is at its quota of " + limit.maxObjects() + " objects: it stores "
          + current.storedObjects() + " and writes in progress are creating " + current.reservedObjects());
    }
  }
}
