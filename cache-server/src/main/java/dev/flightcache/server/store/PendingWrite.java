package dev.flightcache.server.store;

import dev.flightcache.server.eviction.DiskBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A write in progress: a temp file that becomes an object only through a commit in {@link
 * FileObjectStore}. Before each write to the file it checks the largest size the write may ever
 * have, then reserves its app's quota, then disk space in the budget, in that order: bytes that
 * can never fit or are over quota never make the budget evict. The budget evicts only for the
 * bytes received; what is reserved ahead of them comes from free room. Closing a write that was
 * not committed deletes the temp file, gives both reservations back, and counts what it evicted in
 * {@link DiskBudget#evictedForRefusedWrites()}, so an aborted or refused upload leaves nothing
 * behind. Not thread-safe: one upload writes it.
 */
public final class PendingWrite implements AutoCloseable {
  /**
   * Bytes written between syncs started in the background. Without them every byte of a large
   * write is still in the page cache when the upload ends (the kernel's own writeback starts only
   * at a share of memory), and the final sync waits for all of it; with them, the disk writes
   * while the network delivers and the final sync has at most about this much left.
   */
  static final long SYNC_AHEAD_BYTES = 32L << 20;
  /** The most a reservation runs ahead of the bytes written (taken only from free room). */
  private static final long MAX_RESERVE_AHEAD = 64L << 20;

  private final Path path;
  private final FileChannel channel;
  private final long maxBytes;
  private final String limitMessage;
  private final DiskBudget budget;
  private final long overheadBytes;
  /** The most disk this write can ever take: its largest size in whole blocks, plus its overhead. */
  private final long maxDiskBytes;
  private final QuotaCharge quota;
  private final Executor syncer;
  private CompletableFuture<Void> syncing = CompletableFuture.completedFuture(null);
  private long syncStartedAt;
  private long sizeBytes;
  private long reservedBytes;
  /** The file's blocks, as last recorded in the budget as {@link DiskBudget#wrote written}. */
  private long writtenBytes;
  /** Bytes the budget evicted to make room for this write. */
  private long evictedBytes;
  private boolean sealed;
  private boolean committed;

  /**
   * @param maxBytes the largest size this write may ever have; past it, it is refused
   * @param limitMessage the refusal's message past {@code maxBytes}
   * @param overheadBytes disk taken besides the file's blocks (a new object's directory)
   * @param quota the app's quota this write is charged to; released if the temp file cannot be made
   * @param syncer where syncs ahead of the final one run (see {@link #SYNC_AHEAD_BYTES})
   */
  PendingWrite(
      Path path, long maxBytes, String limitMessage, DiskBudget budget, long overheadBytes, QuotaCharge quota,
      Executor syncer) throws IOException {
    this.path = path;
    this.maxBytes = maxBytes;
    this.limitMessage = limitMessage;
    this.budget = budget;
    this.overheadBytes = overheadBytes;
    this.maxDiskBytes = budget.settings().allocated(maxBytes) + overheadBytes;
    this.quota = quota;
    this.syncer = syncer;
    try {
      this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      quota.release();
      throw e;
    }
  }

  /**
   * Appends all remaining bytes of {@code source}, reserving their space first.
   *
   * @throws LimitExceededException if the write would pass the largest size it can ever have
   * @throws dev.flightcache.server.quota.QuotaExceededException if it would take its app past its quota
   * @throws dev.flightcache.server.eviction.StorageFullException if its space cannot be reserved now
   */
  public void write(ByteBuffer source) throws IOException {
    if (sizeBytes + source.remaining() > maxBytes) {
      budget.countTooLarge();
      throw new LimitExceededException(limitMessage);
    }
    reserveFor(sizeBytes + source.remaining());
    while (source.hasRemaining()) {
      sizeBytes += channel.write(source);
    }
    long onDisk = budget.settings().allocated(sizeBytes);
    if (onDisk != writtenBytes) {
      budget.wrote(onDisk - writtenBytes);
      writtenBytes = onDisk;
    }
    if (sizeBytes - syncStartedAt >= SYNC_AHEAD_BYTES && syncing.isDone()) {
      syncStartedAt = sizeBytes;
      syncing = CompletableFuture.runAsync(this::syncData, syncer);
    }
  }

  private void syncData() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A channel onto this write whose {@code close()} does nothing, for Arrow's writers. */
  public WritableByteChannel channel() {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer source) throws IOException {
        int length = source.remaining();
        PendingWrite.this.write(source);
        return length;
      }

      @Override
      public boolean isOpen() {
        return channel.isOpen();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Reserves what a file of {@code length} bytes takes: exactly in the app's quota, and in the
   * budget exactly too, evicting if it must. The budget is then reserved ahead, by up to the size
   * so far (at most 64 MiB) and never past what the write can ever take, but only from free room:
   * reserving ahead never evicts.
   */
  private void reserveFor(long length) {
    long needed = budget.settings().allocated(length) + overheadBytes;
    quota.reserveFor(needed);
    if (needed > reservedBytes) {
      evictedBytes += budget.reserve(needed - reservedBytes);
      reservedBytes = needed;
      long ahead = Math.min(Math.min(reservedBytes, MAX_RESERVE_AHEAD), maxDiskBytes - reservedBytes);
      if (ahead > 0) {
        reservedBytes += budget.reserveFree(ahead);
      }
    }
  }

  /** Bytes written so far. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** Disk the committed file takes: its blocks plus the overhead it was opened with. */
  long diskBytes() {
    return budget.settings().allocated(sizeBytes) + overheadBytes;
  }

  long reservedBytes() {
    return reservedBytes;
  }

  /** Bytes the budget evicted to make room for this write. */
  long evictedBytes() {
    return evictedBytes;
  }

  /** Flushes the bytes to disk and closes the file; the store then renames it into place. */
  Path seal() throws IOException {
    reserveFor(sizeBytes);
    if (!sealed) {
      // A failed sync may have dropped dirty pages that a later sync then reports as clean, so
      // a sync ahead that failed fails the write.
      try {
        syncing.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause() instanceof UncheckedIOException io ? io.getCause() : e.getCause();
        throw new IOException("syncing " + path.getFileName() + " failed: " + cause, cause);
      }
      channel.force(true);
      channel.close();
      sealed = true;
    }
    return path;
  }

  /**
   * Settles the quota against the object as it is now, under its key's lock, before the commit.
   *
   * @param bytesDelta the app's stored bytes after the commit minus before
   * @param objectsDelta 1 if the commit creates the object, else 0
   * @throws dev.flightcache.server.quota.QuotaExceededException if the app has no room for it now
   */
  void settleQuota(long bytesDelta, long objectsDelta) {
    quota.settle(bytesDelta, objectsDelta);
  }

  /** The store committed the file: its reservations become stored bytes. */
  void markCommitted() {
    committed = true;
    budget.commit(reservedBytes, writtenBytes, diskBytes());
    reservedBytes = 0;
    writtenBytes = 0;
    quota.commit();
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (!committed) {
        budget.release(reservedBytes, writtenBytes);
        reservedBytes = 0;
        writtenBytes = 0;
        budget.countEvictedForRefusedWrite(evictedBytes);
        evictedBytes = 0;
        quota.release();
        Files.deleteIfExists(path);
      }
    }
  }
}
