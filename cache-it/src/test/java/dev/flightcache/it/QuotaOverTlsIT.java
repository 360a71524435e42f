package dev.flightcache.it;

import static dev.flightcache.it.SecureServer.OPS;
import static dev.flightcache.it.SecureServer.TEAM_A;
import static dev.flightcache.it.SecureServer.TEAM_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheServerException;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-app quotas through the Java client, over TLS with tokens: a write over quota is
 * RESOURCE_EXHAUSTED and leaves no trace, another app is not affected, and only an admin sees the
 * usage.
 */
class QuotaOverTlsIT {
  private static final int KIB = 1024;

  @TempDir Path dir;
  SecureServer server;
  CacheClient teamA;
  CacheClient teamB;
  CacheClient ops;

  @BeforeEach
  void start() throws Exception {
    Path quotas = Files.writeString(dir.resolve("quotas"), "team-a  256KiB  3\n");
    server = SecureServer.start(dir, "--app-quotas-file", quotas.toString());
    teamA = server.client(TEAM_A);
    teamB = server.client(TEAM_B);
    ops = server.client(OPS);
  }

  @AfterEach
  void stop() throws Exception {
    for (CacheClient client : List.of(teamA, teamB, ops)) {
      client.close();
    }
    server.close();
  }

  @Test
  void put_overObjectQuota_resourceExhaustedAndNothingStored() throws Exception {
    for (int i = 0; i < 3; i++) {
      teamA.put("team-a/s/o" + i, new byte[KIB]);
    }

    assertThatThrownBy(() -> teamA.put("team-a/s/o3", new byte[KIB]))
        .isInstanceOf(CacheServerException.class)
        .hasMessageContaining("RESOURCE_EXHAUSTED")
        .hasMessageContaining("team-a");

    assertThat(ops.list("team-a/")).hasSize(3);
    assertNoTempFiles();
    teamB.put("team-b/s/o3", new byte[KIB]); // another app's quota is its own
  }

  @Test
  void replace_overByteQuota_refusedAndTheOldVersionStillReads() throws Exception {
    ObjectRef small = teamA.put("team-a/s/big", new byte[100 * KIB]);

    assertThatThrownBy(() -> teamA.update(small, new byte[300 * KIB]))
        .isInstanceOf(CacheServerException.class)
        .hasMessageContaining("RESOURCE_EXHAUSTED");

    ObjectRef current = new ObjectRef(small.endpoint(), small.key(), 0);
    assertThat(teamA.get(current).version()).isEqualTo(small.version());
    assertThat(teamA.get(current).base().remaining()).isEqualTo(100 * KIB);
    assertNoTempFiles();
  }

  @Test
  void usage_visibleToAdminsOnly() {
    teamA.put("team-a/s/o", new byte[KIB]);

    Map<String, Long> stats = ops.serverStats();
    assertThat(stats).containsEntry("quotas.apps.team-a.objects", 1L).containsEntry("quotas.apps.team-a.maxObjects", 3L)
        .containsEntry("quotas.apps.team-a.maxBytes", 256L * KIB);
    assertThat(stats.get("quotas.apps.team-a.storedBytes")).isGreaterThanOrEqualTo(KIB);
    assertThatThrownBy(teamA::serverStats).isInstanceOf(PermissionDeniedException.class);
  }

  private void assertNoTempFiles() throws Exception {
    try (Stream<Path> temp = Files.list(dir.resolve("data").resolve("tmp"))) {
      // Readiness checks write and delete a probe here now and then; nothing else may be left.
      assertThat(temp.filter(p -> !p.getFileName().toString().endsWith(".probe"))).isEmpty();
    }
  }
}
