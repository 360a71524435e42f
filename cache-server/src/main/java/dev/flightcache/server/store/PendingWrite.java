package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A write in progress: a temp file that becomes an object only through a commit in {@link
 * FileObjectStore}. Closing one that was not committed deletes the temp file, so an aborted
 * upload leaves nothing behind. Not thread-safe: one upload writes it.
 */
public final class PendingWrite implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final long maxBytes;
  private final String limitMessage;
  private long sizeBytes;
  private boolean sealed;
  private boolean committed;

  PendingWrite(Path path, long maxBytes, String limitMessage) throws IOException {
    this.path = path;
    this.maxBytes = maxBytes;
    this.limitMessage = limitMessage;
    this.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /**
   * Appends all remaining bytes of {@code source}.
   *
   * @throws LimitExceededException if the write would pass the limit it was opened with
   */
  public void write(ByteBuffer source) throws IOException {
    if (sizeBytes + source.remaining() > maxBytes) {
      throw new LimitExceededException(limitMessage);
    }
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

  /** Bytes written so far. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** Flushes the bytes to disk and closes the file; the store then renames it into place. */
  Path seal() throws IOException {
    if (!sealed) {
      channel.force(true);
      channel.close();
      sealed = true;
    }
    return path;
  }

  void markCommitted() {
    committed = true;
  }

  @Override
  public void close() throws IOException {
    channel.close();
    if (!committed) {
      Files.deleteIfExists(path);
    }
  }
}
