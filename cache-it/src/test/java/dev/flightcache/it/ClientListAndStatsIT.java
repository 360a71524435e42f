package dev.flightcache.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.ObjectSummary;
import dev.flightcache.client.RetryPolicy;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's listing, server stats and download progress against the real server. */
class ClientListAndStatsIT {
  @TempDir Path dir;
  RunningServer server;
  CacheClient client;

  @BeforeEach
  void start() throws Exception {
    server = RunningServer.start(dir.resolve("data"));
    client = server.client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void list_prefix_keysInOrderWithCurrentVersionAndSize() {
    ObjectRef a = client.put("etl/run-1/a", new byte[10]);
    client.patch(a, new byte[3]);
    client.put("etl/run-1/b", new byte[7]);
    client.put("etl/run-10/c", new byte[1]);
    client.put("ml/run-1/d", new byte[2]);

    List<ObjectSummary> session = client.list("etl/run-1/");

    assertThat(session).extracting(s -> s.ref().key().toString()).containsExactly("etl/run-1/a", "etl/run-1/b");
    assertThat(session).extracting(s -> s.ref().version()).containsExactly(2L, 1L);
    assertThat(session).extracting(ObjectSummary::sizeBytes).containsExactly(13L, 7L);
    assertThat(session).allSatisfy(s -> assertThat(s.ref().endpoint()).isEqualTo(server.endpoint()));
    assertThat(client.list("etl/run-1")).hasSize(3);
    assertThat(client.list("")).hasSize(4);
    assertThat(client.list("nothing/")).isEmpty();
  }

  @Test
  void list_refFromListing_getsThatObject() {
    client.put("etl/run-1/a", "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    ObjectRef listed = client.list("etl/").get(0).ref();

    assertThat(client.get(listed).base().remaining()).isEqualTo(3);
  }

  @Test
  void serverStats_afterPutsAndDelete_countersWithNestedOnesDotted() {
    client.put("etl/run-1/a", new byte[100]);
    client.put("etl/run-1/b", new byte[50]);
    client.delete("etl/run-1/b");

    Map<String, Long> stats = client.serverStats();

    assertThat(stats.keySet()).startsWith("objects", "storedBytes");
    assertThat(stats).containsEntry("objects", 1L).containsEntry("evictions.size", 0L).containsEntry("rejectedWrites.full", 0L);
    // Stored bytes are counted as the disk allocates them: whole blocks.
    assertThat(stats.get("storedBytes")).isGreaterThanOrEqualTo(100L).isLessThan(stats.get("budgetBytes"));
    assertThat(stats.get("freeBytes")).isPositive();
  }

  @Test
  void download_withProgress_toldRisingTotalsEndingAtSize() throws Exception {
    byte[] bytes = new byte[3 * 1024 * 1024 + 5];
    ObjectRef ref = client.put("etl/run-1/big", bytes);
    List<Long> told = new ArrayList<>();

    client.download(ref, dir.resolve("big.bin"), told::add);

    assertThat(told).isSortedAccordingTo(Long::compare).hasSizeGreaterThan(1);
    assertThat(told.get(told.size() - 1)).isEqualTo(bytes.length);
    assertThat(Files.size(dir.resolve("big.bin"))).isEqualTo(bytes.length);
  }

  @Test
  void list_serverDown_unavailable() throws Exception {
    int port = server.port();
    try (CacheClient down = CacheClient.builder().endpoint("grpc://127.0.0.1:" + port)
        .callTimeout(Duration.ofSeconds(2)).retryPolicy(RetryPolicy.NONE).build()) {
      server.close();

      assertThatThrownBy(() -> down.list("")).isInstanceOf(CacheUnavailableException.class);
      assertThatThrownBy(down::serverStats).isInstanceOf(CacheUnavailableException.class);
    }
  }
}
