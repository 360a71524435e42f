package dev.flightcache.server.store;

import dev.flightcache.server.eviction.DiskBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A write in progress: a temp file that becomes an object only through a commit in {@link
 * FileObjectStore}. It reserves disk space in the budget before it writes; closing one that was
 * not committed deletes the temp file and gives the reservation back, so an aborted upload leaves
 * nothing behind. Not thread-safe: one upload writes it.
 */
public final class PendingWrite implements AutoCloseable {
  /** The most a reservation runs ahead of the bytes written. */
  private static final long MAX_RESERVE_AHEAD = 64L << 20;

  private final Path path;
  private final FileChannel channel;
  private final long maxBytes;
  private final String limitMessage;
  private final DiskBudget budget;
  private final long overheadBytes;
  private long sizeBytes;
  private long reservedBytes;
  private boolean sealed;
  private boolean committed;

  /** @param overheadBytes disk taken besides the file's blocks (a new object's directory) */
  PendingWrite(Path path, long maxBytes, String limitMessage, DiskBudget budget, long overheadBytes) throws IOException {
    this.path = path;
    this.maxBytes = maxBytes;
    this.limitMessage = limitMessage;
    this.budget = budget;
    this.overheadBytes = overheadBytes;
    this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * Appends all remaining bytes of {@code source}, reserving their space first.
   *
   * @throws LimitExceededException if the write would pass the largest size it can ever have
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

  /** Reserves what a file of {@code length} bytes takes, ahead by up to the size so far. */
  private void reserveFor(long length) {
    long needed = budget.settings().allocated(length) + overheadBytes;
    if (needed > reservedBytes) {
      long step = Math.max(needed - reservedBytes, Math.min(reservedBytes, MAX_RESERVE_AHEAD));
      budget.reserve(step);
      reservedBytes += step;
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

  /** Flushes the bytes to disk and closes the file; the store then renames it into place. */
  Path seal() throws IOException {
    reserveFor(sizeBytes);
    if (!sealed) {
      channel.force(true);
      channel.close();
      sealed = true;
    }
    return path;
  }

  /** The store committed the file: its reservation becomes stored bytes. */
  void markCommitted() {
    committed = true;
    budget.commit(reservedBytes, diskBytes());
    reservedBytes = 0;
  }

  @Override
  public void close() throws IOException {
    channel.close();
    if (!committed) {
      budget.release(reservedBytes);
      reservedBytes = 0;
      Files.deleteIfExists(path);
    }
  }
}
