package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.server.health.GrpcHealth;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MockClock;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics port and the gRPC health service of a real server, after real calls over loopback:
 * counters move by exactly what the calls did, per-app usage is bounded and integrates with the
 * server's clock, and readiness follows whether the storage takes new files.
 */
class OperationsIT {
  @TempDir Path dir;
  final MockClock clock = new MockClock();
  TestServer server;
  RawClient client;

  private void start(String... args) throws Exception {
    server = TestServer.startWithClock(dir, clock, args);
    client = new RawClient(server.location());
  }

  @AfterEach
  void close() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void scrape_afterRealCalls_countersMovedByExactAmounts() throws Exception {
    start();
    client.put("billing/s1/obj", new byte[1000]);
    client.get("billing/s1/obj", 0);
    client.get("billing/s1/obj", 1);
    client.patch("billing/s1/obj", new byte[10]);
    client.get("billing/s1/obj", 1);
    WireCalls.assertStatus(org.apache.arrow.flight.CallStatus.NOT_FOUND, () -> client.get("billing/s1/none", 0));
    client.put("ml/s2/x", new byte[500]);
    client.delete("ml/s2/x");
    System.gc(); // gauges hold their objects weakly: one that nothing else holds would read NaN

    Scrape scrape = Scrape.until(server.server(),
        s -> s.value("flight_cache_calls_seconds_count", "method", "do_action", "status", "OK") == 1);

    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_put", "status", "OK")).isEqualTo(3);
    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_get", "status", "OK")).isEqualTo(3);
    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_get", "status", "NOT_FOUND")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_action", "status", "OK")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_calls_seconds_bucket", "method", "do_get", "status", "OK", "le", "+Inf")).isEqualTo(3);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "full")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "patch_only")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "not_modified")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_received_bytes_total")).isEqualTo(1510);
    assertThat(scrape.value("flight_cache_sent_bytes_total")).isEqualTo(1010);
    assertThat(scrape.value("flight_cache_objects")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_stored_bytes")).isEqualTo(server.server().store().budget().storedBytes())
        .isGreaterThanOrEqualTo(1010);
    assertThat(scrape.value("flight_cache_budget_bytes")).isEqualTo(server.server().store().budget().settings().budgetBytes());
    assertThat(scrape.value("flight_cache_reserved_bytes")).isZero();
    assertThat(scrape.value("flight_cache_evictions_total", "reason", "size")).isZero();
    assertThat(scrape.value("flight_cache_evictions_total", "reason", "idle")).isZero();
    assertThat(scrape.value("flight_cache_rejected_writes_total", "reason", "full")).isZero();
    assertThat(scrape.value("flight_cache_rejected_writes_total", "reason", "too_large")).isZero();
    assertThat(scrape.value("flight_cache_app_served_bytes_total", "app", "billing")).isEqualTo(1010);
    assertThat(scrape.value("flight_cache_app_stored_bytes", "app", "billing")).isEqualTo(1010);
    assertThat(scrape.value("flight_cache_app_stored_bytes", "app", "ml")).isZero();
    assertThat(scrape.value("flight_cache_storage_free_bytes")).isPositive()
        .isLessThanOrEqualTo(scrape.value("flight_cache_storage_total_bytes"));
    assertThat(scrape.value("flight_cache_storage_total_bytes")).isEqualTo(Files.getFileStore(dir).getTotalSpace());
    assertThat(scrape.value("flight_cache_ready")).isEqualTo(1);
    assertThat(scrape.has("flight_cache_recovery_duration_seconds")).isTrue();
    assertThat(scrape.has("flight_cache_arrow_allocated_bytes")).isTrue();
    assertThat(scrape.value("jvm_buffer_memory_used_bytes", "id", "direct")).isPositive();
    assertThat(scrape.has("jvm_memory_used_bytes", "area", "heap")).isTrue();
    // Bounded labels: RPCs, status codes and apps, never a session or an object.
    assertThat(scrape.labelValues("flight_cache_calls_seconds_count", "method")).containsExactly("do_action", "do_get", "do_put");
    assertThat(scrape.text).doesNotContain("s1").doesNotContain("obj\"").doesNotContain("s2");
  }

  @Test
  void byteSeconds_fakeClock_storedBytesTimesSeconds() throws Exception {
    start();
    client.put("billing/s/a", new byte[1000]);
    client.put("billing/s/b", new byte[24]);

    clock.add(Duration.ofSeconds(10));
    Scrape tenSeconds = Scrape.of(server.server());
    client.delete("billing/s/a");
    clock.add(Duration.ofSeconds(5));
    Scrape afterDelete = Scrape.of(server.server());

    assertThat(tenSeconds.value("flight_cache_app_stored_byte_seconds_total", "app", "billing")).isEqualTo(10_240);
    assertThat(afterDelete.value("flight_cache_app_stored_byte_seconds_total", "app", "billing")).isEqualTo(10_240 + 24 * 5);
    assertThat(afterDelete.value("flight_cache_app_stored_bytes", "app", "billing")).isEqualTo(24);
  }

  @Test
  void appLabels_moreAppsThanMax_laterAppsFoldedIntoOther() throws Exception {
    start("--metrics-max-apps", "2");
    client.put("a/s/o", new byte[1]);
    client.put("b/s/o", new byte[2]);
    client.put("c/s/o", new byte[4]);
    client.put("d/s/o", new byte[8]);
    Scrape.of(server.server()); // the first sample sees the apps in key order: a and b get labels
    client.get("d/s/o", 0);

    Scrape scrape = Scrape.until(server.server(), s -> s.has("flight_cache_app_served_bytes_total"));

    assertThat(scrape.labelValues("flight_cache_app_stored_bytes", "app")).containsExactly("a", "b", "other");
    assertThat(scrape.value("flight_cache_app_stored_bytes", "app", "other")).isEqualTo(12);
    assertThat(scrape.value("flight_cache_app_served_bytes_total", "app", "other")).isEqualTo(8);
  }

  @Test
  void get_cancelledByClient_countedAsCancelledWithBytesSentSoFar() throws Exception {
    start("--chunk-bytes", "64KiB", "--single-row-max-bytes", "64KiB");
    client.put("big/s/o", new byte[32 << 20]);

    try (FlightStream stream = client.client.getStream(new Ticket("big/s/o:0".getBytes(UTF_8)))) {
      assertThat(stream.next()).isTrue();
      stream.cancel("enough", null);
    } catch (FlightRuntimeException expected) {
      // closing a cancelled stream reports the cancellation
    }
    Scrape scrape = Scrape.until(server.server(),
        s -> s.value("flight_cache_calls_seconds_count", "method", "do_get", "status", "CANCELLED") == 1);

    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_get", "status", "CANCELLED")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_calls_seconds_count", "method", "do_get", "status", "OK")).isZero();
    assertThat(scrape.value("flight_cache_sent_bytes_total")).isPositive().isLessThan(32 << 20);
    // Only gets that completed count by outcome.
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "full")).isZero();
  }

  @Test
  void health_storageUnwritable_notReadyAndNotServingUntilRestored() throws Exception {
    start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.server().port()).usePlaintext().build();
    try {
      assertThat(status(channel, "")).isEqualTo(ServingStatus.SERVING);
      assertThat(status(channel, GrpcHealth.FLIGHT_SERVICE)).isEqualTo(ServingStatus.SERVING);
      assertThat(Scrape.get(server.server().metricsPort(), "/readyz").statusCode()).isEqualTo(200);

      // The directory uploads go to is replaced by a file: as root, chmod would not stop writes.
      Path tmp = dir.resolve("tmp");
      Files.delete(tmp);
      Files.writeString(tmp, "not a directory");
      HttpResponse<String> broken = Scrape.get(server.server().metricsPort(), "/readyz");

      assertThat(broken.statusCode()).isEqualTo(503);
      assertThat(broken.body()).contains("storage is not writable");
      assertThat(status(channel, "")).isEqualTo(ServingStatus.NOT_SERVING);
      assertThat(Scrape.get(server.server().metricsPort(), "/healthz").statusCode()).isEqualTo(200);

      Files.delete(tmp);
      Files.createDirectory(tmp);
      assertThat(Scrape.get(server.server().metricsPort(), "/readyz").statusCode()).isEqualTo(200);
      assertThat(status(channel, GrpcHealth.FLIGHT_SERVICE)).isEqualTo(ServingStatus.SERVING);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void close_whileAnUploadIsInFlight_readyz503UntilTheDrainEnds() throws Exception {
    start();
    int metricsPort = server.server().metricsPort();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, client.allocator)) {
      SyncPutListener ack = new SyncPutListener();
      FlightClient.ClientStreamListener upload = client.client.startPut(FlightDescriptor.path("etl/s/slow"), root, ack);
      root.allocateNew();
      ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
      ((VarBinaryVector) root.getVector(1)).setSafe(0, new byte[100]);
      root.setRowCount(1);
      upload.putNext();
      assertThat(Scrape.get(metricsPort, "/readyz").statusCode()).isEqualTo(200);

      CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
        try {
          server.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      HttpResponse<String> draining = Scrape.get(metricsPort, "/readyz");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (draining.statusCode() == 200 && System.nanoTime() < deadline) {
        Thread.sleep(10);
        draining = Scrape.get(metricsPort, "/readyz");
      }

      assertThat(draining.statusCode()).isEqualTo(503);
      assertThat(draining.body()).isEqualTo("draining\n");
      assertThat(closing).isNotDone();
      // The drain lets the upload finish, and it is stored.
      upload.completed();
      upload.getResult();
      try (PutResult result = ack.read()) {
        byte[] ref = new byte[(int) result.getApplicationMetadata().readableBytes()];
        result.getApplicationMetadata().getBytes(0, ref);
        assertThat(ObjectRef.fromBson(ref).version()).isEqualTo(1);
      }
      closing.get(10, TimeUnit.SECONDS);
    }
    server = null;
  }

  @Test
  void metricsPort_otherPathsAndMethods_notFoundAndNotAllowed() throws Exception {
    start();
    int port = server.server().metricsPort();

    assertThat(Scrape.get(port, "/healthz").body()).isEqualTo("ok\n");
    assertThat(Scrape.get(port, "/readyz").body()).isEqualTo("ready\n");
    assertThat(Scrape.get(port, "/").statusCode()).isEqualTo(404);
    assertThat(Scrape.get(port, "/metrics/extra").statusCode()).isEqualTo(404);
    assertThat(port).isNotEqualTo(server.server().port());
  }

  private static ServingStatus status(ManagedChannel channel, String service) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }
}
