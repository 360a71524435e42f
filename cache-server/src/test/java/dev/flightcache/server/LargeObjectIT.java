package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects far larger than the server's memory: a server in a child JVM with a 128 MiB heap and
 * 192 MiB of direct memory must stream them in and out. The test streams too: it generates the
 * bytes chunk by chunk and hashes them as they go by, never holding the object.
 */
class LargeObjectIT {
  private static final int ROW_BYTES = 1 << 20;
  private static final long MIB = 1L << 20;

  @TempDir Path work;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void roundTrip_256MiBWithSmallServerHeap_sameBytesAndServerAlive() throws Exception {
    roundTrip(256 * MIB);
  }

  @Test
  @Tag("large")
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void roundTrip_3GiBWithSmallServerHeap_sameBytesAndServerAlive() throws Exception {
    roundTrip(3L << 30);
  }

  private void roundTrip(long size) throws Exception {
    String key = "large/s/object";
    try (ChildServer server = ChildServer.builder(work.resolve("store"), work.resolve("logs"))
            .maxHeap("128m")
            .maxDirectMemory("192m")
            .start();
        RawClient client = new RawClient(server.location())) {
      long started = System.nanoTime();
      Upload upload = upload(client, key, size, 20240601L);
      long uploaded = System.nanoTime();
      assertThat(upload.ref().key().toString()).isEqualTo(key);
      assertThat(upload.ref().version()).isEqualTo(1);

      Download download = download(client, key);
      long downloaded = System.nanoTime();
      System.out.printf("LargeObjectIT %d MiB: upload %d ms, download %d ms (%d batches)%n",
          size / MIB, (uploaded - started) / 1_000_000, (downloaded - uploaded) / 1_000_000, download.batches());

      assertThat(download.bytes()).isEqualTo(size);
      assertThat(download.sha256()).as("SHA-256 of the downloaded bytes").isEqualTo(upload.sha256());
      assertThat(download.versions()).as("versions of the rows").isEqualTo(1);
      assertThat(server.isAlive()).as("server alive; log:\n" + server.log()).isTrue();
      assertThat(server.log()).doesNotContain("OutOfMemoryError").doesNotContain(" ERROR ");
    }
  }

  record Upload(ObjectRef ref, String sha256) {}

  record Download(long bytes, String sha256, long versions, int batches) {}

  /** Uploads {@code size} pseudo-random bytes in 1 MiB rows, generated and hashed as they are sent. */
  private static Upload upload(RawClient client, String key, long size, long seed) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[ROW_BYTES];
    ChunkGenerator generator = new ChunkGenerator(seed);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, client.allocator)) {
      SyncPutListener listener = new SyncPutListener();
      FlightClient.ClientStreamListener stream = client.client.startPut(FlightDescriptor.path(key), root, listener);
      UInt8Vector version = (UInt8Vector) root.getVector(0);
      VarBinaryVector data = (VarBinaryVector) root.getVector(1);
      for (long sent = 0; sent < size; ) {
        int length = (int) Math.min(ROW_BYTES, size - sent);
        generator.fill(chunk);
        digest.update(chunk, 0, length);
        version.setSafe(0, 0);
        data.setSafe(0, chunk, 0, length);
        root.setRowCount(1);
        stream.putNext();
        sent += length;
      }
      stream.completed();
      stream.getResult();
      try (PutResult result = listener.read()) {
        byte[] bson = new byte[(int) result.getApplicationMetadata().readableBytes()];
        result.getApplicationMetadata().getBytes(0, bson);
        return new Upload(ObjectRef.fromBson(bson), HexFormat.of().formatHex(digest.digest()));
      }
    }
  }

  /**
   * Downloads with chunked rows, hashing each batch's data as it arrives.
   *
   * @return the bytes, their hash, and the one version every row carried (-1 if they differ)
   */
  private static Download download(RawClient client, String key) throws Exception {
    FlightCallHeaders headers = new FlightCallHeaders();
    headers.insert(Protocol.HEADER_CHUNKED_ROWS, "1");
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long bytes = 0;
    long versions = 0;
    int batches = 0;
    try (FlightStream stream = client.client.getStream(new Ticket((key + ":0").getBytes(UTF_8)), new HeaderCallOption(headers))) {
      assertThat(stream.getSchema().getFields()).isEqualTo(Protocol.RESPONSE_SCHEMA.getFields());
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        UInt8Vector version = (UInt8Vector) root.getVector(0);
        VarCharVector kind = (VarCharVector) root.getVector(1);
        VarBinaryVector data = (VarBinaryVector) root.getVector(2);
        batches++;
        for (int i = 0; i < root.getRowCount(); i++) {
          assertThat(new String(kind.get(i), UTF_8)).isEqualTo(Protocol.KIND_BASE);
          long rowVersion = version.get(i);
          versions = versions == 0 || versions == rowVersion ? rowVersion : -1;
          int length = data.getValueLength(i);
          digest.update(data.getDataBuffer().nioBuffer(data.getStartOffset(i), length));
          bytes += length;
        }
      }
    }
    return new Download(bytes, HexFormat.of().formatHex(digest.digest()), versions, batches);
  }

  /** Deterministic pseudo-random bytes, one chunk at a time. */
  private static final class ChunkGenerator {
    private final SplittableRandom random;

    ChunkGenerator(long seed) {
      this.random = new SplittableRandom(seed);
    }

    void fill(byte[] chunk) {
      LongBuffer longs = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
      while (longs.hasRemaining()) {
        longs.put(random.nextLong());
      }
    }
  }
}
