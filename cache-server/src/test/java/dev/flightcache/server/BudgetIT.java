package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The budget seen through the wire: eviction, refused writes and their codes, the STATS action. */
class BudgetIT {
  private static final int KIB = 1024;

  @TempDir Path dir;
  TestServer server;
  RawClient client;

  private void start(String... args) throws Exception {
    server = TestServer.start(dir, args);
    client = new RawClient(server.location());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  private BsonDocument stats() {
    List<byte[]> bodies = new ArrayList<>();
    client.client.doAction(new org.apache.arrow.flight.Action("STATS")).forEachRemaining(r -> bodies.add(r.getBody()));
    assertThat(bodies).hasSize(1);
    return new RawBsonDocument(bodies.get(0));
  }

  @Test
  void puts_pastTheBudget_evictAndEvictedObjectsAnswerNotFound() throws Exception {
    start("--budget-bytes", "1MiB");
    List<ObjectRef> refs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      refs.add(client.put("app/s/o" + i, new byte[100 * KIB]));
    }
    BsonDocument stats = stats();
    assertThat(stats.getInt64("storedBytes").getValue()).isLessThanOrEqualTo(1L << 20);
    long evicted = stats.getDocument("evictions").getInt64("size").getValue();
    assertThat(evicted).isPositive();
    assertThat(stats.getInt64("objects").getValue()).isEqualTo(20 - evicted);
    long notFound = refs.stream().filter(ref -> {
      try {
        client.get(ref.key().toString(), 0);
        return false;
      } catch (FlightRuntimeException e) {
        assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
        return true;
      }
    }).count();
    assertThat(notFound).isEqualTo(evicted);
  }

  @Test
  void put_largerThanTheHardLimit_invalidArgument() throws Exception {
    start("--budget-bytes", "256KiB");
    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit",
        () -> client.put("app/s/big", new byte[300 * KIB]));
    assertThat(stats().getDocument("rejectedWrites").getInt64("tooLarge").getValue()).isEqualTo(1);
  }

  @Test
  void put_whileAnUploadHoldsTheSpace_resourceExhaustedThenTheUploadCompletes() throws Exception {
    start("--budget-bytes", "1MiB");
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, client.allocator)) {
      SyncPutListener ack = new SyncPutListener();
      FlightClient.ClientStreamListener upload = client.client.startPut(FlightDescriptor.path("app/s/held"), root, ack);
      for (int i = 0; i < 7; i++) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, new byte[100 * KIB]);
        root.setRowCount(1);
        upload.putNext();
      }
      // Wait until the server has reserved the 700 KiB it received so far.
      for (int i = 0; i < 200 && stats().getInt64("reservedBytes").getValue() < 700 * KIB; i++) {
        Thread.sleep(10);
      }
      BadInputIT.assertRejected(FlightStatusCode.RESOURCE_EXHAUSTED, "reserved by writes in progress",
          () -> client.put("app/s/other", new byte[400 * KIB]));
      upload.completed();
      upload.getResult();
      ack.read().close();
    }
    assertThat(client.get("app/s/held", 0).base()).hasSize(700 * KIB);
    BsonDocument stats = stats();
    assertThat(stats.getDocument("rejectedWrites").getInt64("full").getValue()).isEqualTo(1);
    assertThat(stats.getInt64("reservedBytes").getValue()).isZero();
  }

  @Test
  void stats_reportsTheResolvedBudget() throws Exception {
    start("--budget-bytes", "10MiB", "--hard-limit-bytes", "12MiB", "--min-free-bytes", "1MiB");
    client.put("app/s/a", new byte[5000]);
    BsonDocument stats = stats();
    assertThat(stats.getInt64("budgetBytes").getValue()).isEqualTo(10L << 20);
    assertThat(stats.getInt64("hardLimitBytes").getValue()).isEqualTo(12L << 20);
    assertThat(stats.getInt64("minFreeBytes").getValue()).isEqualTo(1L << 20);
    assertThat(stats.getInt64("objects").getValue()).isEqualTo(1);
    // Counted as the disk allocates it: 5000 bytes in whole blocks, plus one block for the directory.
    long block = java.nio.file.Files.getFileStore(dir).getBlockSize();
    assertThat(stats.getInt64("storedBytes").getValue()).isEqualTo(((5000 + block - 1) / block + 1) * block);
    assertThat(stats.getInt64("freeBytes").getValue()).isPositive();
  }
}
