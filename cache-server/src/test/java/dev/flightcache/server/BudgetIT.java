package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
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

/**
 * The budget seen through the wire: eviction, refused writes and their codes, the STATS action, and
 * that a write that is refused or aborted never destroyed more than its received bytes needed.
 */
class BudgetIT {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  @TempDir Path dir;
  TestServer server;
  RawClient client;

  private void start(String... args) throws Exception {
    server = TestServer.start(dir.resolve("data"), args);
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

  /** Disk an object of {@code bytes} takes as the budget counts it: whole blocks, plus its directory's. */
  private long disk(long bytes) throws Exception {
    long block = Files.getFileStore(dir).getBlockSize();
    return (bytes + block - 1) / block * block + block;
  }

  private static byte[] pattern(int bytes, int seed) {
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static byte[][] rows(int count, int bytes) {
    byte[][] rows = new byte[count][];
    for (int i = 0; i < count; i++) {
      rows[i] = pattern(bytes, i);
    }
    return rows;
  }

  /** Puts {@code count} objects {@code app/s/o<i>} of {@code bytes} each, with known contents. */
  private List<String> fill(String app, int count, int bytes) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = app + "/s/o" + i;
      client.put(key, pattern(bytes, 1000 + i));
      keys.add(key);
    }
    return keys;
  }

  /** Every one of {@code keys} (from {@link #fill}) still reads back whole. */
  private void assertAllReadable(List<String> keys, int bytes) {
    for (int i = 0; i < keys.size(); i++) {
      assertThat(client.get(keys.get(i), 0).base()).as(keys.get(i)).isEqualTo(pattern(bytes, 1000 + i));
    }
  }

  private long stat(String name) {
    BsonDocument stats = stats();
    int dot = name.indexOf('.');
    return dot < 0
        ? stats.getInt64(name).getValue()
        : stats.getDocument(name.substring(0, dot)).getInt64(name.substring(dot + 1)).getValue();
  }

  /** Nothing was evicted, and the metric of evictions for refused writes says so too. */
  private void assertNothingEvicted() throws Exception {
    assertThat(stat("evictions.size")).isZero();
    assertThat(stat("evictedForRefusedWritesBytes")).isZero();
    assertThat(Scrape.of(server.server()).value("flight_cache_evicted_for_refused_writes_bytes_total")).isZero();
  }

  private static boolean poll(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(25);
    }
    return condition.getAsBoolean();
  }

  @Test
  void put_nearlyTheBudgetOnAnEmptyStore_stored() throws Exception {
    // Issue 15: reserving in doubling steps (16 MiB, then 32) refused this as full.
    start("--budget-bytes", "20MiB", "--min-free-bytes", "0");
    byte[][] rows = rows(17, MIB);
    client.put("app/s/big", rows);
    RawClient.Response read = client.get("app/s/big", 0);
    assertThat(read.base()).hasSize(17 * MIB);
    assertThat(java.util.Arrays.copyOfRange(read.base(), 16 * MIB, 17 * MIB)).isEqualTo(rows[16]);
    // 85% of the budget: below the high watermark (95%), so nothing is evicted in the background.
    assertThat(stat("storedBytes")).isEqualTo(disk(17 * MIB));
    assertThat(stat("reservedBytes")).isZero();
    assertNothingEvicted();
  }

  @Test
  void put_asLargeAsTheHardLimitAllowsOnAnEmptyStore_stored() throws Exception {
    start("--budget-bytes", "20MiB", "--min-free-bytes", "0", "--high-watermark", "1", "--low-watermark", "0.5");
    long block = Files.getFileStore(dir).getBlockSize();
    byte[][] rows = rows(20, MIB);
    rows[19] = pattern((int) (MIB - block), 19);
    client.put("app/s/big", rows);
    // With its directory's block it takes the whole hard limit, and nothing else needed room.
    assertThat(client.get("app/s/big", 0).base()).hasSize((int) (20 * MIB - block));
    assertThat(stat("storedBytes")).isEqualTo(20 * MIB);
    assertNothingEvicted();
    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit of " + (20 * MIB - block) + " bytes",
        () -> client.put("app/s/over", pattern((int) (20 * MIB - block + 1), 1)));
  }

  @Test
  void put_largerThanTheBudget_invalidArgumentAndNothingEvicted() throws Exception {
    // Issue 15: this upload evicted all six objects, then failed as full.
    start("--budget-bytes", "20MiB", "--min-free-bytes", "0");
    List<String> six = fill("app", 6, 100 * KIB);
    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "app/s/big is larger than the limit",
        () -> client.put("app/s/big", rows(25, MIB)));
    assertAllReadable(six, 100 * KIB);
    assertThat(stat("objects")).isEqualTo(6);
    assertThat(stat("rejectedWrites.tooLarge")).isEqualTo(1);
    assertThat(stat("rejectedWrites.full")).isZero();
    assertThat(stat("reservedBytes")).isZero();
    assertNothingEvicted();
  }

  @Test
  void put_largerThanMaxObjectBytes_invalidArgumentAndNothingEvicted() throws Exception {
    // Issue 15: this upload was refused as too large only after evicting objects.
    start("--budget-bytes", "100MiB", "--max-object-bytes", "50MiB", "--min-free-bytes", "0");
    List<String> ten = fill("app", 10, 4 * MIB);
    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit of " + 50 * MIB + " bytes",
        () -> client.put("app/s/big", rows(60, MIB)));
    assertAllReadable(ten, 4 * MIB);
    assertThat(stat("objects")).isEqualTo(10);
    assertThat(stat("rejectedWrites.tooLarge")).isEqualTo(1);
    assertNothingEvicted();
  }

  @Test
  void put_cancelledAfterItsBytesNeededEviction_evictedNoMoreThanThoseBytesNeededAndCounted() throws Exception {
    // Evicting only past the whole budget, so every eviction here is one the upload asked for.
    start("--budget-bytes", "20MiB", "--min-free-bytes", "0", "--high-watermark", "1", "--low-watermark", "0.5");
    long block = Files.getFileStore(dir).getBlockSize();
    List<String> stored = fill("app", 19, (int) (MIB - block));
    assertThat(stat("storedBytes")).as("19 objects of 1 MiB on disk").isEqualTo(19 * MIB);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, client.allocator)) {
      SyncPutListener ack = new SyncPutListener();
      FlightClient.ClientStreamListener upload = client.client.startPut(FlightDescriptor.path("new/s/gone"), root, ack);
      for (int i = 0; i < 3; i++) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, pattern(MIB, i));
        root.setRowCount(1);
        upload.putNext();
      }
      // Received: the third row has been reserved for (3 MiB and the directory's block).
      assertThat(poll(() -> stat("reservedBytes") >= 3 * MIB + block)).as("the server received three rows").isTrue();
      upload.error(new RuntimeException("client gone"));
      ack.close();
    }
    assertThat(poll(() -> stat("reservedBytes") == 0)).as("the aborted upload gave its space back").isTrue();
    // 3 MiB and a block, with 1 MiB free: three 1 MiB objects, no more.
    assertThat(stat("evictions.size")).isEqualTo(3);
    assertThat(stat("objects")).isEqualTo(16);
    assertThat(stat("evictedForRefusedWritesBytes")).isEqualTo(3 * MIB);
    assertThat(Scrape.of(server.server()).value("flight_cache_evicted_for_refused_writes_bytes_total")).isEqualTo(3 * MIB);
    long readable = stored.stream().filter(key -> {
      try {
        return client.get(key, 0).base().length == MIB - block;
      } catch (FlightRuntimeException e) {
        assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
        return false;
      }
    }).count();
    assertThat(readable).isEqualTo(16);
  }

  @Test
  void put_overItsAppsQuota_resourceExhaustedAndNothingEvicted() throws Exception {
    Path quotas = Files.writeString(dir.resolve("quotas.txt"), "q 1MiB -\n");
    start("--budget-bytes", "20MiB", "--min-free-bytes", "0", "--high-watermark", "1", "--low-watermark", "0.5",
        "--app-quotas-file", quotas.toString());
    long block = Files.getFileStore(dir).getBlockSize();
    // 19 MiB stored: 1 MiB free, all that app q may take.
    List<String> stored = fill("other", 19, (int) (MIB - block));
    // 768 KiB and a block fit in both; the fourth 256 KiB row passes the quota.
    BadInputIT.assertRejected(FlightStatusCode.RESOURCE_EXHAUSTED, "app 'q' is over its quota of " + MIB + " bytes",
        () -> client.put("q/s/big", rows(8, 256 * KIB)));
    assertAllReadable(stored, (int) (MIB - block));
    assertThat(stat("rejectedWrites.quota")).isEqualTo(1);
    assertThat(stat("reservedBytes")).isZero();
    assertNothingEvicted();
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
