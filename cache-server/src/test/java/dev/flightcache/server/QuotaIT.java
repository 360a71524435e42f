package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-app quotas through the wire: every kind of write over quota answers RESOURCE_EXHAUSTED and
 * leaves no trace, limits come from the quotas file and follow it when it changes, usage survives
 * a restart and is freed by deletes, and concurrent writers cannot overshoot it together.
 */
class QuotaIT {
  static final int KIB = 1024;

  @TempDir Path dir;
  Path quotasFile;
  TestServer server;
  RawClient client;
  long block;

  void start(String quotas) throws Exception {
    quotasFile = Files.writeString(dir.resolve("quotas.txt"), quotas);
    Path storage = dir.resolve("data");
    server = TestServer.start(storage, "--app-quotas-file", quotasFile.toString());
    client = new RawClient(server.location());
    block = Files.getFileStore(storage).getBlockSize();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Disk an object of {@code bytes} takes as the budget and the quotas count it. */
  long disk(long bytes) {
    return (bytes + block - 1) / block * block + block;
  }

  static BsonDocument stats(RawClient client) {
    List<byte[]> bodies = client.actionResults("STATS", new byte[0]);
    assertThat(bodies).hasSize(1);
    return new RawBsonDocument(bodies.get(0));
  }

  /** The app's entry under {@code quotas.apps} in STATS; empty if the app is not there. */
  BsonDocument appStats(String app) {
    BsonDocument apps = stats(client).getDocument("quotas").getDocument("apps");
    return apps.containsKey(app) ? apps.getDocument(app) : new BsonDocument();
  }

  long storedBytes(String app) {
    BsonDocument stats = appStats(app);
    return stats.containsKey("storedBytes") ? stats.getInt64("storedBytes").getValue() : 0;
  }

  /** Nothing of a refused write is on disk: no temp file, and no file of the key. */
  void assertNoTrace(String app) throws Exception {
    try (Stream<Path> temp = Files.list(server.dir().resolve("tmp"))) {
      assertThat(temp).isEmpty();
    }
    Path appDir = server.dir().resolve("objects").resolve(app);
    if (Files.exists(appDir)) {
      try (Stream<Path> files = Files.walk(appDir)) {
        assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
            .allSatisfy(name -> assertThat(name).startsWith("1."));
      }
    }
    assertThat(stats(client).getInt64("reservedBytes").getValue()).isZero();
    assertThat(appStats(app).containsKey("reservedBytes") ? appStats(app).getInt64("reservedBytes").getValue() : 0).isZero();
  }

  static void assertOverQuota(String reason, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    BadInputIT.assertRejected(FlightStatusCode.RESOURCE_EXHAUSTED, reason, call);
  }

  @Test
  void start_invalidQuotasFile_refusedNamingFileAndLine() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas.txt"), "team-a 1G 1\nteam-b 1G\n");

    assertThatThrownBy(() -> TestServer.start(dir.resolve("data"), "--app-quotas-file", file.toString()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(file + ":2: expected '<app> <max-bytes> <max-objects>'");
  }

  @Test
  void put_overBytesQuota_resourceExhaustedNamingAppAndLimitAndNoTrace() throws Exception {
    start("team-a 64KiB -\n");

    assertOverQuota("app 'team-a' is over its quota of 65536 bytes", () -> client.put("team-a/s/big", new byte[100 * KIB]));

    assertNoTrace("team-a");
    assertThat(storedBytes("team-a")).isZero();
    BadInputIT.assertRejected(FlightStatusCode.NOT_FOUND, "not found", () -> client.get("team-a/s/big", 0));
    assertThat(stats(client).getDocument("rejectedWrites").getInt64("quota").getValue()).isEqualTo(1);
    assertThat(appStats("team-a").getInt64("maxBytes").getValue()).isEqualTo(64 * KIB);
    assertThat(appStats("team-a").isNull("maxObjects")).isTrue();
    assertThat(client.put("team-a/s/big", new byte[10 * KIB]).version()).isEqualTo(1);
  }

  @Test
  void replace_overQuota_oldVersionIntactAndNextVersionUnchanged() throws Exception {
    start("team-a 64KiB -\n");
    byte[] old = filled(40 * KIB, 1);
    client.put("team-a/s/o", old);
    long before = storedBytes("team-a");

    assertOverQuota("app 'team-a' is over its quota", () -> client.put("team-a/s/o", new byte[70 * KIB]));

    assertNoTrace("team-a");
    assertThat(storedBytes("team-a")).isEqualTo(before).isEqualTo(disk(40 * KIB));
    RawClient.Response current = client.get("team-a/s/o", 0);
    assertThat(current.base()).isEqualTo(old);
    assertThat(current.rows().get(0).version()).isEqualTo(1);
    // The new size minus the old: replacing 40 KiB by 60 KiB fits a 64 KiB quota.
    ObjectRef replaced = client.put("team-a/s/o", new byte[60 * KIB]);
    assertThat(replaced.version()).isEqualTo(2);
    assertThat(storedBytes("team-a")).isEqualTo(disk(60 * KIB));
  }

  @Test
  void patch_overQuota_objectUnpatchedAndNextPatchVersionUnchanged() throws Exception {
    start("team-a 64KiB -\n");
    byte[] base = filled(40 * KIB, 2);
    client.put("team-a/s/o", base);

    assertOverQuota("app 'team-a' is over its quota", () -> client.patch("team-a/s/o", new byte[30 * KIB]));

    assertNoTrace("team-a");
    RawClient.Response current = client.get("team-a/s/o", 0);
    assertThat(current.base()).isEqualTo(base);
    assertThat(current.patches()).isEmpty();
    assertThat(client.patch("team-a/s/o", new byte[4 * KIB]).version()).isEqualTo(2);
  }

  @Test
  void streamedUpload_crossingTheQuotaMidway_refusedAndNoTrace() throws Exception {
    start("team-a 256KiB -\n");
    byte[][] rows = new byte[40][];
    Arrays.setAll(rows, i -> new byte[16 * KIB]);

    assertOverQuota("app 'team-a' is over its quota of 262144 bytes", () -> client.put("team-a/s/stream", rows));

    assertNoTrace("team-a");
    assertThat(storedBytes("team-a")).isZero();
    ObjectRef fits = client.put("team-a/s/stream", Arrays.copyOf(rows, 10));
    assertThat(client.get(fits.key().toString(), 0).base()).hasSize(160 * KIB);
  }

  @Test
  void tablePut_overQuota_refusedAndNoTrace() throws Exception {
    start("team-a 32KiB -\n");
    Schema schema = new Schema(
        List.of(Field.nullable("n", new ArrowType.Int(32, true))), Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE));

    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, client.allocator)) {
      Runnable fill = () -> {
        root.allocateNew();
        IntVector n = (IntVector) root.getVector(0);
        for (int i = 0; i < 4096; i++) {
          n.setSafe(i, i);
        }
        root.setRowCount(4096);
      };
      assertOverQuota("app 'team-a' is over its quota", () -> client.putTable("team-a/s/t", root, fill, fill, fill));
    }

    assertNoTrace("team-a");
    assertThat(storedBytes("team-a")).isZero();
  }

  @Test
  void put_pastObjectsQuota_refusedWhileReplacesAndOtherAppsProceed() throws Exception {
    start("team-a - 2\n");
    client.put("team-a/s/1", new byte[10]);
    client.put("team-a/s", new byte[10]);

    assertOverQuota("app 'team-a' is at its quota of 2 objects", () -> client.put("team-a/s/3", new byte[10]));

    assertNoTrace("team-a");
    assertThat(client.put("team-a/s/1", new byte[20]).version()).isEqualTo(2);
    client.put("team-b/s/1", new byte[10]);
    client.put("team-b/s/2", new byte[10]);
    client.put("team-b/s/3", new byte[10]);
    assertThat(appStats("team-a").getInt64("objects").getValue()).isEqualTo(2);
    assertThat(appStats("team-b").getInt64("objects").getValue()).isEqualTo(3);
  }

  @Test
  void defaultQuota_appliesToUnlistedAppsOnly() throws Exception {
    start("# listed apps are free of the default\nbig - -\n* - 1\n");
    client.put("small/s/1", new byte[10]);
    client.put("other/s/1", new byte[10]);

    assertOverQuota("app 'small' is at its quota of 1 objects", () -> client.put("small/s/2", new byte[10]));

    client.put("big/s/1", new byte[10]);
    client.put("big/s/2", new byte[10]);
    BsonDocument quotas = stats(client).getDocument("quotas");
    assertThat(quotas.getDocument("default").getInt64("maxObjects").getValue()).isEqualTo(1);
    assertThat(quotas.getDocument("apps").getDocument("other").getInt64("maxObjects").getValue()).isEqualTo(1);
    assertThat(quotas.getDocument("apps").getDocument("big").isNull("maxObjects")).isTrue();
  }

  @Test
  void delete_freesQuota() throws Exception {
    start("team-a - 1\n");
    client.put("team-a/s/1", new byte[10]);
    assertOverQuota("at its quota of 1 objects", () -> client.put("team-a/s/2", new byte[10]));

    client.delete("team-a/*");

    assertThat(appStats("team-a").getInt64("objects").getValue()).isZero();
    assertThat(storedBytes("team-a")).isZero();
    client.put("team-a/s/2", new byte[10]);
    assertThat(appStats("team-a").getInt64("objects").getValue()).isEqualTo(1);
  }

  @Test
  void quotasFile_changed_newLimitsInForceWithinAFewSeconds() throws Exception {
    start("team-a - 1\n");
    client.put("team-a/s/1", new byte[10]);
    assertOverQuota("at its quota of 1 objects", () -> client.put("team-a/s/2", new byte[10]));

    Files.writeString(quotasFile, "team-a - 3\n");
    awaitMaxObjects("team-a", 3);
    client.put("team-a/s/2", new byte[10]);
    client.put("team-a/s/3", new byte[10]);
    assertOverQuota("at its quota of 3 objects", () -> client.put("team-a/s/4", new byte[10]));
  }

  private void awaitMaxObjects(String app, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline && appStats(app).getInt64("maxObjects").getValue() != expected) {
      Thread.sleep(50);
    }
    assertThat(appStats(app).getInt64("maxObjects").getValue()).isEqualTo(expected);
  }

  @Test
  void concurrentWriters_oneApp_neverJointlyPassTheQuota() throws Exception {
    start("team-a 600KiB -\n");
    int writers = 12;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < writers; i++) {
        String key = "team-a/s/" + i;
        results.add(pool.submit(() -> {
          go.await();
          try {
            // Four batches each, so the writers' reservations interleave as they stream.
            client.put(key, new byte[25 * KIB], new byte[25 * KIB], new byte[25 * KIB], new byte[25 * KIB]);
            return true;
          } catch (org.apache.arrow.flight.FlightRuntimeException e) {
            assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
            return false;
          }
        }));
      }
      go.countDown();
      long stored = 0;
      for (java.util.concurrent.Future<Boolean> result : results) {
        stored += result.get(60, java.util.concurrent.TimeUnit.SECONDS) ? 1 : 0;
      }
      long perObject = disk(100 * KIB);
      assertThat(stored).isPositive().isLessThanOrEqualTo(600 * KIB / perObject);
      assertThat(storedBytes("team-a")).isEqualTo(stored * perObject).isLessThanOrEqualTo(600 * KIB);
      assertThat(appStats("team-a").getInt64("objects").getValue()).isEqualTo(stored);
    } finally {
      pool.shutdownNow();
    }
    assertNoTrace("team-a");
  }

  @Test
  void restart_usageRebuiltFromTheIndexAndStillEnforced() throws Exception {
    start("team-a 64KiB 3\n");
    client.put("team-a/s/1", new byte[10 * KIB]);
    client.put("team-a/s/2", new byte[20 * KIB]);
    client.patch("team-a/s/2", new byte[KIB]);
    BsonDocument before = appStats("team-a");

    client.close();
    server.restart();
    client = new RawClient(server.location());

    assertThat(appStats("team-a")).isEqualTo(before);
    assertThat(before.getInt64("storedBytes").getValue()).isEqualTo(disk(10 * KIB) + disk(20 * KIB) + disk(KIB) - block);
    assertOverQuota("app 'team-a' is over its quota of 65536 bytes", () -> client.put("team-a/s/3", new byte[40 * KIB]));
  }

  @Test
  void metrics_usageAndLimitsPerApp() throws Exception {
    start("team-a 64KiB 5\n");
    client.put("team-a/s/1", new byte[10 * KIB]);

    Scrape scrape = Scrape.of(server.server());

    assertThat(scrape.value("flight_cache_app_quota_stored_bytes", "app", "team-a")).isEqualTo(disk(10 * KIB));
    assertThat(scrape.value("flight_cache_app_quota_objects", "app", "team-a")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_app_quota_limit_bytes", "app", "team-a")).isEqualTo(64 * KIB);
    assertThat(scrape.value("flight_cache_app_quota_limit_objects", "app", "team-a")).isEqualTo(5);
    assertOverQuota("over its quota", () -> client.put("team-a/s/2", new byte[60 * KIB]));
    assertThat(Scrape.of(server.server()).value("flight_cache_rejected_writes_total", "reason", "quota")).isEqualTo(1);
  }

  static byte[] filled(int length, int seed) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + seed);
    }
    return bytes;
  }
}
