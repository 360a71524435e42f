package dev.flightcache.bench;

import java.util.List;
import java.util.zip.CRC32C;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The producer of {@link BareFlightBulk}: Flight with the patterns of the reference note and
 * nothing of ours. A do_get sends the file in one-row batches whose data buffer is a slice of its
 * memory map, written zero-copy, each sent when gRPC says the stream is ready (no thread waits). A
 * do_put reads every batch and checksums every byte of its data, and answers with the byte count
 * and the CRC32C; it stores nothing.
 */
final class BulkProducer extends NoOpFlightProducer {
  /** One binary column: each batch is one row holding one chunk. */
  static final Schema SCHEMA =
      new Schema(List.of(new Field("data", FieldType.notNullable(ArrowType.Binary.INSTANCE), null)));

  private final BufferAllocator allocator;
  private final MappedFile file;

  /** @param file what every do_get sends, whatever its ticket */
  BulkProducer(BufferAllocator allocator, MappedFile file) {
    this.allocator = allocator;
    this.file = file;
  }

  /** Loads {@code data} into {@code root} as its one row; the root holds its own references. */
  static void loadRow(BufferAllocator allocator, VectorLoader loader, ArrowBuf data) {
    try (ArrowBuf validity = allocator.buffer(8);
        ArrowBuf offsets = allocator.buffer(8)) {
      validity.setLong(0, 1);
      offsets.setInt(0, 0);
      offsets.setInt(4, (int) data.capacity());
      try (ArrowRecordBatch batch =
          new ArrowRecordBatch(1, List.of(new ArrowFieldNode(1, 0)), List.of(validity, offsets, data))) {
        loader.load(batch);
      }
    }
  }

  /** Reads {@code stream} to its end, adding every byte of every row to {@code crc}; returns the byte count. */
  static long checksumRows(FlightStream stream, CRC32C crc) {
    long bytes = 0;
    while (stream.next()) {
      VectorSchemaRoot root = stream.getRoot();
      VarBinaryVector data = (VarBinaryVector) root.getVector(0);
      for (int row = 0; row < root.getRowCount(); row++) {
        int length = data.getValueLength(row);
        crc.update(data.getDataBuffer().nioBuffer(data.getStartOffset(row), length));
        bytes += length;
      }
    }
    return bytes;
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    new Pump(listener).start();
  }

  /** Sends one do_get's chunks while the stream is ready; gRPC's ready signal resumes it. */
  private final class Pump implements Runnable {
    private final ServerStreamListener listener;
    private final VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
    private final VectorLoader loader = new VectorLoader(root);
    private int next;
    private boolean done;

    Pump(ServerStreamListener listener) {
      this.listener = listener;
    }

    synchronized void start() {
      listener.setUseZeroCopy(true);
      listener.setOnCancelHandler(this::finish);
      listener.setOnReadyHandler(this);
      listener.start(root);
      run();
    }

    @Override
    public synchronized void run() {
      while (!done && listener.isReady()) {
        if (next == file.chunks()) {
          listener.completed();
          finish();
          return;
        }
        loadRow(allocator, loader, file.chunk(next++));
        listener.putNext();
      }
    }

    private synchronized void finish() {
      if (!done) {
        done = true;
        root.close();
      }
    }
  }

  @Override
  public Runnable acceptPut(CallContext context, FlightStream stream, StreamListener<PutResult> ack) {
    return () -> {
      CRC32C crc = new CRC32C();
      long bytes = checksumRows(stream, crc);
      ArrowBuf answer = allocator.buffer(16);
      answer.writeLong(bytes);
      answer.writeLong(crc.getValue());
      try (PutResult result = PutResult.metadata(answer)) {
        ack.onNext(result);
      }
      ack.onCompleted();
    };
  }
}
