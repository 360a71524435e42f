package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that vanishes mid-upload without closing its connection (power loss, a partition, a
 * frozen process) sends no FIN, no RST and no cancel; only the server's keepalive ping, left
 * unanswered, shows it is gone. The uploader here talks through a {@link FreezableProxy} that is
 * frozen after the first rows; with {@code keepalive-time} at gRPC's minimum of 10 s and {@code
 * keepalive-timeout} of 1 s, the server must close that connection and release the upload's temp
 * file, space reservation, quota charge and call thread within seconds, where gRPC's default
 * keepalive of two hours held them.
 */
class VanishedClientIT {
  /** Well above the 11 s that keepalive needs here, far below gRPC's default of 2 h. */
  private static final Duration RELEASED_WITHIN = Duration.ofSeconds(30);
  private static final int ROW_BYTES = 256 * 1024;

  @TempDir Path dir;
  TestServer server;
  RawClient client;
  FreezableProxy proxy;
  RawPut vanishing;
  BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (vanishing != null) {
      vanishing.close();
    }
    if (client != null) {
      client.close();
    }
    allocator.close();
    if (server != null) {
      server.close(); // fails if the server leaked Arrow memory
    }
  }

  @Test
  void put_clientVanishesMidUpload_keepaliveReleasesTempFileReservationQuotaAndThread() throws Exception {
    Path quotas = Files.writeString(dir.resolve("quotas.txt"), "app 1G 2\n");
    server = TestServer.start(dir.resolve("data"), "--call-threads", "4", "--app-quotas-file", quotas.toString(),
        "--keepalive-time", "10s", "--keepalive-timeout", "1s");
    client = new RawClient(server.location());
    proxy = FreezableProxy.start(server.server().port());
    vanishing = new RawPut(proxy.port());

    vanishing.start()
        .send(RawPut.schemaMessage("app/s/vanished", Protocol.UPLOAD_SCHEMA))
        .send(oneRow(1))
        .send(oneRow(2));
    within(Duration.ofSeconds(10), "the upload holds a temp file, reserved space and one object of the quota",
        () -> !tmpEntries().isEmpty() && reservedBytes() > 0 && appReserved("reservedObjects") == 1);
    proxy.freeze();

    within(RELEASED_WITHIN, "temp file, reservation and quota charge released",
        () -> tmpEntries().isEmpty() && reservedBytes() == 0 && appReserved("reservedBytes") == 0
            && appReserved("reservedObjects") == 0);
    within(RELEASED_WITHIN, "no call thread inside a call", () -> busyCallThreads().isEmpty());
    // The whole quota of two objects is free again, and nothing of the vanished upload was stored.
    assertThat(client.put("app/s/1", BadInputIT.random(1024, 3)).version()).isEqualTo(1);
    assertThat(client.put("app/s/2", BadInputIT.random(1024, 4)).version()).isEqualTo(1);
    QuotaIT.assertOverQuota("app 'app' is at its quota of 2 objects", () -> client.put("app/s/3", new byte[10]));
    BadInputIT.assertRejected(FlightStatusCode.NOT_FOUND, "not found", () -> client.get("app/s/vanished", 0));
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Polls {@code condition} every 50 ms until it holds, failing with {@code what} after {@code limit}. */
  private static void within(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  private Flight.FlightData oneRow(long seed) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator)) {
      root.allocateNew();
      ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
      ((VarBinaryVector) root.getVector(1)).setSafe(0, BadInputIT.random(ROW_BYTES, seed));
      root.setRowCount(1);
      return RawPut.batchMessage(root, NoCompressionCodec.INSTANCE);
    }
  }

  private List<Path> tmpEntries() {
    try (Stream<Path> list = Files.list(server.dir().resolve("tmp"))) {
      return list.toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private long reservedBytes() {
    return QuotaIT.stats(client).getInt64("reservedBytes").getValue();
  }

  /** A counter of app 'app' under {@code quotas.apps} in STATS; 0 when the app is not listed. */
  private long appReserved(String counter) {
    BsonDocument apps = QuotaIT.stats(client).getDocument("quotas").getDocument("apps");
    return apps.containsKey("app") ? apps.getDocument("app").getInt64(counter).getValue() : 0;
  }

  /** The server's call-pool threads (it runs in this JVM) that are serving a call, not waiting for one. */
  private static List<String> busyCallThreads() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(thread -> thread.getKey().getName().startsWith("flight-call-"))
        .filter(thread -> Stream.of(thread.getValue()).anyMatch(frame -> frame.getClassName().startsWith("dev.flightcache.")
            || frame.getClassName().startsWith("org.apache.arrow.flight.")))
        .map(thread -> thread.getKey().getName())
        .toList();
  }
}
