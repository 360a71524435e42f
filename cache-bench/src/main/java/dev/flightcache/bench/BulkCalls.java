package dev.flightcache.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The callers of {@link BareFlightBulk}, one operation at a time on one {@link FlightClient}. A
 * get reads the stream with Flight's reader and checksums every byte of every row. A put sends the
 * file's chunks as slices of its memory map with zero-copy writes, waiting for the stream to be
 * ready by parking between polls (Flight's own wait spins a core), and checks the producer's count
 * and checksum. Each operation fails unless the bytes match the file.
 */
final class BulkCalls implements Workload {
  /** How long a put waits between looks at the stream's readiness. */
  private static final long PARK_NANOS = 20_000;

  private final BufferAllocator allocator;
  private final FlightClient client;
  private final MappedFile file;
  private final boolean put;

  BulkCalls(BufferAllocator allocator, FlightClient client, MappedFile file, boolean put) {
    this.allocator = allocator;
    this.client = client;
    this.file = file;
    this.put = put;
  }

  @Override
  public void prepare() {}

  @Override
  public long operate(int caller) throws Exception {
    return put ? put() : get();
  }

  private long get() throws Exception {
    CRC32C crc = new CRC32C();
    long bytes;
    try (FlightStream stream = client.getStream(new Ticket(new byte[] {'f'}), CallOptions.timeout(10, TimeUnit.MINUTES))) {
      bytes = BulkProducer.checksumRows(stream, crc);
    }
    return check("get", bytes, crc.getValue());
  }

  private long put() throws Exception {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(BulkProducer.SCHEMA, allocator);
        SyncPutListener answers = new SyncPutListener()) {
      VectorLoader loader = new VectorLoader(root);
      FlightClient.ClientStreamListener stream =
          client.startPut(FlightDescriptor.path("bulk"), root, answers, CallOptions.timeout(10, TimeUnit.MINUTES));
      stream.setUseZeroCopy(true);
      for (int i = 0; i < file.chunks(); i++) {
        while (!stream.isReady()) {
          LockSupport.parkNanos(PARK_NANOS);
        }
        BulkProducer.loadRow(allocator, loader, file.chunk(i));
        stream.putNext();
      }
      stream.completed();
      stream.getResult();
      try (PutResult result = answers.read()) {
        if (result == null) {
          throw new IllegalStateException("the producer answered the put with nothing");
        }
        ArrowBuf metadata = result.getApplicationMetadata();
        return check("put", metadata.getLong(0), metadata.getLong(8));
      }
    }
  }

  private long check(String what, long bytes, long checksum) {
    if (bytes != file.sizeBytes() || checksum != file.checksum()) {
      throw new IllegalStateException(what + " moved " + bytes + " bytes with CRC32C " + Long.toHexString(checksum)
          + ", not the file's " + file.sizeBytes() + " with " + Long.toHexString(file.checksum()));
    }
    return bytes;
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
  }
}
