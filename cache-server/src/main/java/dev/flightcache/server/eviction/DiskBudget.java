package dev.flightcache.server.eviction;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts for the disk the cache uses: bytes stored by committed objects (counted in whole
 * blocks) and bytes reserved by writes in progress. A write reserves space before it writes;
 * a reservation that would cross the hard limit or the free-space floor first asks the evictor
 * to make exactly the room it lacks, and is refused if room cannot be made. A reservation that
 * evicting every stored object would not make fit is refused without evicting anything.
 * Thread-safe.
 */
public final class DiskBudget {
  private static final Logger logger = LoggerFactory.getLogger(DiskBudget.class);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  /** Evicts, synchronously, until stored bytes are at most {@code targetBytes} or nothing is left. */
  public interface RoomMaker {
    /** @return the bytes this call evicted */
    long makeRoom(long targetBytes);
  }

  private final BudgetSettings settings;
  private final LongSupplier usableSpace;
  private final LongAdder rejectedFull = new LongAdder();
  private final LongAdder rejectedTooLarge = new LongAdder();
  private final LongAdder evictedForRefusedWrites = new LongAdder();
  private volatile RoomMaker roomMaker = target -> 0;
  private long stored;
  private long reserved;
  /**
   * The part of {@link #reserved} that writes in progress have already put on the volume: its free
   * space no longer includes it, so the free-space floor must not count it twice.
   */
  private long written;
  private long lastLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;

  /** @param usableSpace free bytes on the storage volume now, as the file system reports them */
  public DiskBudget(BudgetSettings settings, LongSupplier usableSpace) {
    this.settings = settings;
    this.usableSpace = usableSpace;
  }

  public BudgetSettings settings() {
    return settings;
  }

  public void roomMaker(RoomMaker maker) {
    this.roomMaker = maker;
  }

  /** The largest object that could ever be stored: it must fit under the hard limit alone. */
  public long largestObjectBytes() {
    return settings.hardLimitBytes() - settings.blockBytes();
  }

  /**
   * Reserves {@code bytes} for a write about to happen, evicting first if needed: only down to
   * what makes room for these bytes. If evicting every stored object would not make room (writes
   * in progress hold it, or the volume is full of other data), nothing is evicted.
   *
   * @return the bytes evicted to make room, 0 if there was room
   * @throws StorageFullException if room cannot be made now; bytes evicted in vain count in
   *     {@link #evictedForRefusedWrites()}
   */
  public long reserve(long bytes) {
    if (tryReserve(bytes)) {
      return 0;
    }
    long evicted = 0;
    if (evictionCouldMakeRoom(bytes)) {
      evicted = roomMaker.makeRoom(roomTarget(bytes));
      if (tryReserve(bytes)) {
        return evicted;
      }
    }
    rejectedFull.increment();
    countEvictedForRefusedWrite(evicted);
    String why = describeShortage(bytes);
    logRateLimited("Refusing a write of {} bytes: {}", bytes, why);
    throw new StorageFullException("cache storage is full: " + why + "; retry later");
  }

  /**
   * Reserves up to {@code bytes} of the room that is free now, without evicting: a write's
   * reservation ahead of its bytes.
   *
   * @return the bytes reserved, from 0 to {@code bytes}
   */
  public synchronized long reserveFree(long bytes) {
    long taken = Math.max(0, Math.min(bytes, freeRoom()));
    reserved += taken;
    return taken;
  }

  /** Counts a write refused because it could never fit. */
  public void countTooLarge() {
    rejectedTooLarge.increment();
  }

  /** Counts bytes evicted to make room for a write that then did not commit. */
  public void countEvictedForRefusedWrite(long bytes) {
    if (bytes > 0) {
      evictedForRefusedWrites.add(bytes);
    }
  }

  private synchronized boolean tryReserve(long bytes) {
    if (freeRoom() < bytes) {
      return false;
    }
    reserved += bytes;
    return true;
  }

  /** Bytes that fit now under both the hard limit and the free-space floor, without evicting. */
  private synchronized long freeRoom() {
    long underLimit = settings.hardLimitBytes() - stored - reserved;
    long aboveFloor = usableSpace.getAsLong() - notYetWritten() - settings.minFreeBytes();
    return Math.min(underLimit, aboveFloor);
  }

  /** Reserved bytes the volume's free space still includes. */
  private synchronized long notYetWritten() {
    return reserved - written;
  }

  /** Whether {@code bytes} more would fit under both limits once every stored object is evicted. */
  private synchronized boolean evictionCouldMakeRoom(long bytes) {
    return freeRoom() + stored >= bytes;
  }

  /**
   * Stored bytes to evict down to so that {@code bytes} more fit under both limits, and no lower:
   * a write evicts for what it needs now. The watermarks are the background eviction's business.
   */
  private synchronized long roomTarget(long bytes) {
    long underLimit = settings.hardLimitBytes() - reserved - bytes;
    long freeShortfall = settings.minFreeBytes() - (usableSpace.getAsLong() - notYetWritten() - bytes);
    long underFloor = freeShortfall > 0 ? stored - freeShortfall : stored;
    return Math.max(0, Math.min(underLimit, underFloor));
  }

  private synchronized String describeShortage(long bytes) {
    if (stored + reserved + bytes > settings.hardLimitBytes()) {
      return stored + " bytes stored and " + reserved + " reserved by writes in progress leave no room under the limit of "
          + settings.hardLimitBytes();
    }
    return "the volume has " + usableSpace.getAsLong() + " bytes free and keeps at least " + settings.minFreeBytes();
  }

  /**
   * Records that a write in progress put {@code bytes} more of its reservation on the volume (in
   * whole blocks), or took them off ({@code -bytes}).
   */
  public synchronized void wrote(long bytes) {
    written += bytes;
  }

  /**
   * Gives back a reservation that was not used.
   *
   * @param writtenBytes how much of it the write had recorded as {@link #wrote written}
   */
  public synchronized void release(long reservation, long writtenBytes) {
    reserved -= reservation;
    written -= writtenBytes;
  }

  /**
   * Turns a reservation into stored bytes: the write committed {@code storedBytes}.
   *
   * @param writtenBytes how much of the reservation the write had recorded as {@link #wrote written}
   */
  public synchronized void commit(long reservation, long writtenBytes, long storedBytes) {
    reserved -= reservation;
    written -= writtenBytes;
    stored += storedBytes;
  }

  /** Counts bytes already on disk (recovery) or freed ({@code -bytes}, on delete and eviction). */
  public synchronized void adjustStored(long bytes) {
    stored += bytes;
  }

  public synchronized long storedBytes() {
    return stored;
  }

  public synchronized long reservedBytes() {
    return reserved;
  }

  public long freeBytes() {
    return usableSpace.getAsLong();
  }

  public synchronized boolean aboveHighWatermark() {
    return stored > settings.highWatermarkBytes();
  }

  public long lowWatermarkBytes() {
    return settings.lowWatermarkBytes();
  }

  public long rejectedFull() {
    return rejectedFull.sum();
  }

  public long rejectedTooLarge() {
    return rejectedTooLarge.sum();
  }

  /** Bytes evicted to make room for writes that then did not commit; 0 in normal operation. */
  public long evictedForRefusedWrites() {
    return evictedForRefusedWrites.sum();
  }

  /** INFO, at most once per 10 s: eviction not keeping up is worth knowing, not worth a flood. */
  void logRateLimited(String format, Object... arguments) {
    synchronized (this) {
      long now = System.nanoTime();
      if (now - lastLogNanos < LOG_INTERVAL_NANOS) {
        return;
      }
      lastLogNanos = now;
    }
    logger.info(format, arguments);
  }
}
