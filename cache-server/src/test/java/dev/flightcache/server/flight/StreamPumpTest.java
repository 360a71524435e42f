package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightMethod;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pump against Flight's listener contract, with the threads gRPC uses: a start on a worker
 * thread while the event loop delivers ready and cancel signals.
 */
class StreamPumpTest {
  private static final int ROW_BYTES = 100;

  private final BufferAllocator allocator = new RootAllocator();
  private final List<CallReport> reports = new CopyOnWriteArrayList<>();
  private final CallTracking call =
      new CallTracking.Factory(reports::add, System::nanoTime)
          .onCallStarted(new CallInfo(FlightMethod.DO_GET), new ErrorFlightMetadata(), null);
  private final AtomicBoolean resourcesClosed = new AtomicBoolean();
  @TempDir Path dir;

  @AfterEach
  void close() {
    allocator.close(); // fails the test if the answer's vectors were not released
  }

  @Test
  void aReadySignalDuringStart_waitsForTheSchema() throws Exception {
    RecordingListener listener = new RecordingListener();
    listener.holdStart = new CountDownLatch(1);
    try (FileChannel file = objectOf(3 * ROW_BYTES)) {
      Thread worker = new Thread(() -> StreamPump.start(listener, rowsOf(file, 3 * ROW_BYTES), this::closeResources, call));
      worker.start();
      assertThat(listener.startEntered.await(10, TimeUnit.SECONDS)).isTrue();

      Thread eventLoop = new Thread(listener::signalReady);
      eventLoop.start();
      awaitBlockedOrDone(eventLoop);
      assertThat(listener.events).as("sent while the schema was not out").containsExactly("start");

      listener.holdStart.countDown();
      worker.join(10_000);
      eventLoop.join(10_000);
    }
    assertThat(listener.events).containsExactly("start", "schema sent", "batch", "batch", "batch", "completed");
    assertThat(resourcesClosed).isTrue();
  }

  @Test
  void aCallCancelledBeforeItsHandlerWasSet_isClosedAndReported() throws Exception {
    RecordingListener listener = new RecordingListener();
    listener.cancelled = true;
    listener.ready = false; // a cancelled stream never becomes ready again
    try (FileChannel file = objectOf(ROW_BYTES)) {
      StreamPump.start(listener, rowsOf(file, ROW_BYTES), this::closeResources, call);
    }
    assertThat(listener.events).containsExactly("start", "schema sent");
    assertThat(resourcesClosed).isTrue();
    assertThat(reports).extracting(CallReport::status).containsExactly("CANCELLED");
  }

  @Test
  void aClientCancelDuringTheAnswer_closesItOnce() throws Exception {
    RecordingListener listener = new RecordingListener();
    listener.ready = false;
    try (FileChannel file = objectOf(2 * ROW_BYTES)) {
      StreamPump.start(listener, rowsOf(file, 2 * ROW_BYTES), this::closeResources, call);
      assertThat(resourcesClosed).isFalse();
      listener.cancelled = true;
      listener.signalCancel();
      listener.signalCancel();
      listener.signalReady();
    }
    assertThat(listener.events).containsExactly("start", "schema sent");
    assertThat(resourcesClosed).isTrue();
    assertThat(reports).extracting(CallReport::status).containsExactly("CANCELLED");
  }

  @Test
  void aFailedStart_endsTheCallWithAnErrorAndReleasesEverything() throws Exception {
    RecordingListener listener = new RecordingListener();
    listener.failStart = true;
    try (FileChannel file = objectOf(ROW_BYTES)) {
      StreamPump.start(listener, rowsOf(file, ROW_BYTES), this::closeResources, call);
      listener.signalReady();
    }
    assertThat(listener.events).containsExactly("start", "error INTERNAL");
    assertThat(resourcesClosed).isTrue();
  }

  private void closeResources() {
    assertThat(resourcesClosed.getAndSet(true)).as("resources closed twice").isFalse();
  }

  private FileChannel objectOf(int bytes) throws IOException {
    Path path = Files.write(dir.resolve("object"), new byte[bytes]);
    return FileChannel.open(path, StandardOpenOption.READ);
  }

  private OpaqueRows rowsOf(FileChannel file, int bytes) {
    return new OpaqueRows(allocator, List.of(new OpaqueRows.Part(1, true, file, bytes, ROW_BYTES)), true);
  }

  private static void awaitBlockedOrDone(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != Thread.State.BLOCKED && thread.getState() != Thread.State.TERMINATED) {
      assertThat(System.nanoTime()).as("%s neither blocked nor done", thread).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  /**
   * Flight's listener as the pump sees it, recording what would go on the wire. Sends are
   * recorded as gRPC would order them; a batch before the schema is recorded as such.
   */
  private static final class RecordingListener implements ServerStreamListener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch startEntered = new CountDownLatch(1);
    CountDownLatch holdStart = new CountDownLatch(0);
    volatile boolean ready = true;
    volatile boolean cancelled;
    volatile boolean failStart;
    private volatile boolean schemaSent;
    private volatile Runnable onReady = () -> {};
    private volatile Runnable onCancel = () -> {};

    void signalReady() {
      onReady.run();
    }

    void signalCancel() {
      onCancel.run();
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public boolean isReady() {
      return ready && !cancelled;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
      onReady = handler;
    }

    @Override
    public void start(VectorSchemaRoot root, DictionaryProvider dictionaries, IpcOption option) {
      events.add("start");
      startEntered.countDown();
      try {
        holdStart.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failStart) {
        throw new IllegalStateException("the schema could not be sent");
      }
      events.add("schema sent");
      schemaSent = true;
    }

    @Override
    public void putNext() {
      events.add(schemaSent ? "batch" : "batch before the schema");
    }

    @Override
    public void putNext(ArrowBuf metadata) {
      putNext();
    }

    @Override
    public void putMetadata(ArrowBuf metadata) {
      events.add("metadata");
    }

    @Override
    public void error(Throwable ex) {
      events.add("error " + ((FlightRuntimeException) ex).status().code());
    }

    @Override
    public void completed() {
      events.add("completed");
    }
  }
}
