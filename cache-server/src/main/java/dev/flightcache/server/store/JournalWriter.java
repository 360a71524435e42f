package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records to the current journal file with group commit. A caller queues its record and
 * waits; one writer thread takes everything queued, writes it through a reusable direct buffer,
 * forces the file once for the whole batch, and releases those callers together. While it
 * forces, the next batch gathers. A dedicated thread, rather than a caller elected leader, does
 * the I/O because an interrupt of a thread inside a {@link FileChannel} operation closes the
 * channel for everyone; nobody interrupts this one.
 *
 * <p>A failed write or force is final: that batch, everything queued and every later call fail
 * until the journal is reopened. Retrying is not safe: after a failed fsync, Linux may have
 * dropped the dirty pages, so a second force can succeed over lost data. A failed call's record
 * may or may not survive a restart. Thread-safe.
 */
final class JournalWriter {
  private static final Logger logger = LoggerFactory.getLogger(JournalWriter.class);
  private static final int BUFFER_BYTES = 256 * 1024;

  private final Object monitor = new Object();
  private final Thread thread;
  /** Bytes this writer has appended to any file. */
  private final AtomicLong appendedBytes = new AtomicLong();
  // Guarded by monitor.
  private Batch queued = new Batch();
  private Switch pendingSwitch;
  private boolean accepting;
  private boolean closing;
  private IOException failure;
  // Confined to the writer thread.
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private FileChannel channel;

  private JournalWriter(String threadName) {
    thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  /** Starts the writer thread; records are taken once a file is set with {@link #switchTo}. */
  static JournalWriter start(String threadName) {
    JournalWriter writer = new JournalWriter(threadName);
    writer.thread.start();
    return writer;
  }

  /**
   * Appends the record and returns once it is durable. Does not respond to interrupts: the record
   * may already be on its way to the disk.
   *
   * @throws IllegalStateException if no file has been set yet
   * @throws IOException if the write failed, an earlier one did, or the writer is closed
   */
  void append(JournalRecord record) throws IOException {
    Batch batch;
    synchronized (monitor) {
      checkUsable();
      if (!accepting) {
        throw new IllegalStateException("the index journal takes records only after load() found an index or compact() wrote one");
      }
      batch = queued;
      batch.records.add(record);
      monitor.notifyAll();
    }
    await(batch.durable);
  }

  /**
   * Sends every later record to {@code next}, which holds {@code existingBytes} already, and
   * closes the current file. Records queued and not yet written may go to either file. Takes
   * ownership of {@code next}, even when it throws.
   *
   * @return {@link #appendedBytes()} at the switch: what went to earlier files
   */
  long switchTo(FileChannel next) throws IOException {
    Switch request = new Switch(next);
    synchronized (monitor) {
      try {
        checkUsable();
      } catch (IOException e) {
        next.close();
        throw e;
      }
      pendingSwitch = request;
      accepting = true;
      monitor.notifyAll();
    }
    return await(request.done);
  }

  /** Bytes appended by this writer since it started. */
  long appendedBytes() {
    return appendedBytes.get();
  }

  /** Writes what is queued, stops the thread and closes the file. Idempotent. */
  void close() throws IOException {
    synchronized (monitor) {
      closing = true;
      monitor.notifyAll();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw new IOException("the index journal failed earlier and takes no records until it is reopened", failure);
    }
    if (closing) {
      throw new IOException("the index journal is closed");
    }
  }

  private void run() {
    while (true) {
      Batch batch;
      Switch request;
      boolean last;
      synchronized (monitor) {
        while (queued.records.isEmpty() && pendingSwitch == null && !closing) {
          try {
            monitor.wait();
          } catch (InterruptedException e) {
            // Only close() stops this thread; it sets closing.
          }
        }
        batch = queued;
        queued = new Batch();
        request = pendingSwitch;
        pendingSwitch = null;
        last = closing;
      }
      try {
        if (request != null) {
          switchFile(request);
        }
        if (!batch.records.isEmpty()) {
          write(batch.records);
          batch.durable.complete(null);
        }
      } catch (Throwable e) {
        fail(e, batch, request);
        return;
      }
      if (last) {
        closeFile();
        return;
      }
    }
  }

  private void switchFile(Switch request) throws IOException {
    // Every batch written to the old file was forced before its callers were released.
    closeFile();
    channel = request.channel;
    request.done.complete(appendedBytes.get());
  }

  private void write(List<JournalRecord> records) throws IOException {
    buffer.clear();
    for (JournalRecord record : records) {
      if (buffer.remaining() < JournalCodec.MAX_RECORD_BYTES) {
        flush();
      }
      JournalCodec.encode(record, buffer);
    }
    flush();
    channel.force(false);
  }

  private void flush() throws IOException {
    buffer.flip();
    int bytes = buffer.remaining();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    appendedBytes.addAndGet(bytes);
    buffer.clear();
  }

  private void fail(Throwable cause, Batch batch, Switch request) {
    IOException error = cause instanceof IOException io ? io : new IOException("index journal writer failed", cause);
    logger.error("The index journal failed; index changes fail until the server restarts", error);
    List<CompletableFuture<?>> waiting = new ArrayList<>(List.of(batch.durable));
    if (request != null) {
      waiting.add(request.done);
      closeQuietly(request.channel);
    }
    synchronized (monitor) {
      failure = error;
      waiting.add(queued.durable);
      if (pendingSwitch != null) {
        waiting.add(pendingSwitch.done);
        closeQuietly(pendingSwitch.channel);
      }
    }
    waiting.forEach(future -> future.completeExceptionally(error));
    closeQuietly(channel);
    if (cause instanceof Error fatal) {
      throw fatal;
    }
  }

  private void closeFile() {
    closeQuietly(channel);
    channel = null;
  }

  private static void closeQuietly(FileChannel file) {
    if (file == null) {
      return;
    }
    try {
      file.close();
    } catch (IOException e) {
      // Everything written to it was forced, or has failed already.
      logger.warn("Could not close an index journal file: {}", e.toString());
    }
  }

  private static <T> T await(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw new IOException("index journal write failed", e.getCause());
    }
  }

  private static final class Batch {
    final List<JournalRecord> records = new ArrayList<>();
    final CompletableFuture<Void> durable = new CompletableFuture<>();
  }

  private record Switch(FileChannel channel, CompletableFuture<Long> done) {
    Switch(FileChannel channel) {
      this(channel, new CompletableFuture<>());
    }
  }
}
