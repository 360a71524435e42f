package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flame's versioned_get checklist: put, then patch twice, then every ticket version. */
class VersionedGetIT {
  @TempDir Path dir;
  TestServer server;
  RawClient client;
  String key;

  @BeforeEach
  void putAndPatchTwice() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
    ObjectRef ref = client.put("app/s", "base".getBytes(UTF_8));
    key = ref.key().toString();
    assertThat(ref.version()).isEqualTo(1);
    assertThat(ref.endpoint()).isEqualTo(server.endpoint());
    assertThat(client.patch(key, "p2".getBytes(UTF_8)).version()).isEqualTo(2);
    assertThat(client.patch(key, "p3".getBytes(UTF_8)).version()).isEqualTo(3);
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void get_versionZero_fullWithBaseAndPatches() {
    RawClient.Response response = client.get(key, 0);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(tuple("base", 1L), tuple("patch", 2L), tuple("patch", 3L));
    assertThat(response.base()).isEqualTo("base".getBytes(UTF_8));
    assertThat(response.patches()).extracting(r -> new String(r.data(), UTF_8)).containsExactly("p2", "p3");
  }

  @Test
  void get_baseVersion_patchesOnly() {
    RawClient.Response response = client.get(key, 1);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(tuple("patch", 2L), tuple("patch", 3L));
  }

  @Test
  void get_middleVersion_remainingPatchOnly() {
    assertThat(client.get(key, 2).rows()).extracting(RawClient.Row::version).containsExactly(3L);
  }

  @Test
  void get_currentVersion_notModified() {
    RawClient.Response response = client.get(key, 3);
    assertThat(response.notModified()).isTrue();
    assertThat(response.schema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
  }

  @Test
  void get_futureVersion_full() {
    assertThat(client.get(key, 99).rows()).extracting(RawClient.Row::kind).containsExactly("base", "patch", "patch");
  }

  @Test
  void get_afterRestart_sameAnswers() throws Exception {
    client.close();
    server.restart();
    client = new RawClient(server.location());
    assertThat(client.get(key, 0).rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L, 3L);
    assertThat(client.get(key, 1).patches()).extracting(r -> new String(r.data(), UTF_8)).containsExactly("p2", "p3");
    assertThat(client.get(key, 3).notModified()).isTrue();
  }

  @Test
  void get_afterUpdate_fullWithOnlyNewBase() {
    ObjectRef updated = client.put(key, "new".getBytes(UTF_8));
    assertThat(updated.version()).isEqualTo(4);
    RawClient.Response response = client.get(key, 1);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version).containsExactly(tuple("base", 4L));
    assertThat(response.base()).isEqualTo("new".getBytes(UTF_8));
  }

  @Test
  void get_ticketWithoutVersion_full() {
    assertThat(client.get(key.getBytes(UTF_8), false).rows()).hasSize(3);
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }

}
