package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.ObjectRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions never go back and are never reused for a key: not after an update, a patch, a delete
 * (flame restarts a re-put key at 1, §8 latent issue 5), an eviction, nor across a restart. A key
 * the server never held starts at 1 however much it removed before, as flame's end-to-end tests
 * expect of a long-lived server. Also the scope of each kind of delete (flame PR #452 and the
 * prefix-bleed cases of its Python tests).
 */
class VersionRulesIT {
  @TempDir Path dir;
  TestServer server;
  RawClient client;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    server.close();
  }

  // ---- a key's own history ----

  @Test
  void put_newKeyOnFreshServer_startsAtOne() {
    ObjectRef generated = client.put("app/s", bytes("a"));
    assertThat(generated.version()).isEqualTo(1);
    ObjectRef explicit = client.put("app/s/obj", bytes("b"));
    assertThat(explicit.version()).isEqualTo(1);
    assertThat(explicit.key().toString()).isEqualTo("app/s/obj");
    assertThat(client.put("other/t/x", bytes("c")).version()).isEqualTo(1);
  }

  @Test
  void updatePatchUpdate_explicitKey_versionsCountUpAndPatchesCleared() {
    String key = "app/s/obj";
    assertThat(client.put(key, bytes("v1")).version()).isEqualTo(1);
    assertThat(client.put(key, bytes("v2")).version()).isEqualTo(2);
    assertThat(client.patch(key, bytes("p3")).version()).isEqualTo(3);
    assertThat(client.get(key, 0).rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(tuple("base", 2L), tuple("patch", 3L));

    assertThat(client.put(key, bytes("v4")).version()).isEqualTo(4);

    RawClient.Response response = client.get(key, 0);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version).containsExactly(tuple("base", 4L));
    assertThat(response.base()).isEqualTo(bytes("v4"));
    assertThat(client.get(key, 3).rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(tuple("base", 4L));
    assertThat(client.get(key, 4).notModified()).isTrue();
  }

  @Test
  void patch_fiftyTimes_contiguousVersionsInOrder() {
    String key = client.put("app/s", bytes("base")).key().toString();
    for (int i = 2; i <= 51; i++) {
      assertThat(client.patch(key, bytes("p" + i)).version()).as("patch %d", i).isEqualTo(i);
    }

    RawClient.Response full = client.get(key, 0);
    assertThat(full.rows()).hasSize(51);
    assertThat(full.rows().get(0).kind()).isEqualTo("base");
    assertThat(full.rows().get(0).version()).isEqualTo(1);
    assertThat(full.base()).isEqualTo(bytes("base"));
    assertThat(full.patches()).extracting(RawClient.Row::version).containsExactlyElementsOf(range(2, 51));
    assertThat(full.patches()).extracting(r -> text(r.data()))
        .containsExactlyElementsOf(range(2, 51).stream().map(v -> "p" + v).toList());

    RawClient.Response tail = client.get(key, 25);
    assertThat(tail.rows()).extracting(RawClient.Row::kind).containsOnly("patch");
    assertThat(tail.rows()).extracting(RawClient.Row::version).containsExactlyElementsOf(range(26, 51));
    assertThat(tail.rows()).extracting(r -> text(r.data()))
        .containsExactlyElementsOf(range(26, 51).stream().map(v -> "p" + v).toList());

    assertThat(client.get(key, 50).rows()).extracting(RawClient.Row::version).containsExactly(51L);
    assertThat(client.get(key, 51).notModified()).isTrue();
  }

  @Test
  void get_clientVersionAboveCurrent_fullNotNotModified() {
    String key = client.put("app/s", bytes("base")).key().toString();
    client.patch(key, bytes("p2"));

    for (long ahead : new long[] {3, 99, Long.MAX_VALUE}) {
      RawClient.Response response = client.get(key, ahead);
      assertThat(response.notModified()).as("client version %d", ahead).isFalse();
      assertThat(response.rows()).as("client version %d", ahead)
          .extracting(RawClient.Row::kind, RawClient.Row::version)
          .containsExactly(tuple("base", 1L), tuple("patch", 2L));
    }
    // The largest u64, above every signed long: compared unsigned, still "ahead".
    RawClient.Response maxU64 = client.get((key + ":18446744073709551615").getBytes(UTF_8), false);
    assertThat(maxU64.notModified()).isFalse();
    assertThat(maxU64.rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L);
  }

  // ---- flame's end-to-end pattern: one long-lived server, tests that clean up after themselves ----

  @Test
  void flamePattern_manyAppsPutPatchDelete_newKeysStartAtOneAndRemovedKeysContinue() throws Exception {
    Map<String, Long> removed = new LinkedHashMap<>();
    for (int app = 0; app < 8; app++) {
      for (int k = 0; k < 4; k++) {
        String key = "e2e" + app + "/run/k" + k;
        assertThat(client.put(key, bytes("base")).version()).as(key).isEqualTo(1);
        for (int p = 2; p <= 1 + k; p++) {
          assertThat(client.patch(key, bytes("p" + p)).version()).as(key).isEqualTo(p);
        }
        removed.put(key, 1L + k);
      }
      // Each test deletes what it wrote its own way: an object, a session, a whole app.
      String prefix = "e2e" + app + "/";
      switch (app % 3) {
        case 0 -> removed.keySet().stream().filter(k -> k.startsWith(prefix)).toList().forEach(client::delete);
        case 1 -> client.delete(prefix + "run");
        default -> client.delete(prefix + "*");
      }
    }

    for (int round = 0; round < 2; round++) {
      for (int app = 0; app < 8; app++) {
        String key = "fresh" + round + "-" + app + "/run/k";
        assertThat(client.put(key, bytes("new")).version()).as(key).isEqualTo(1);
        assertThat(client.patch(key, bytes("p")).version()).as(key).isEqualTo(2);
        assertThat(client.put(key, bytes("again")).version()).as(key).isEqualTo(3);
      }
      restart();
    }
    for (Map.Entry<String, Long> e : removed.entrySet()) {
      assertNotFound(e.getKey());
      assertThat(client.put(e.getKey(), bytes("back")).version()).as(e.getKey()).isEqualTo(e.getValue() + 1);
      assertNewContent(e.getKey(), e.getValue(), "back");
    }
  }

  @Test
  void put_afterEviction_continuesTheEvictedKeysOwnVersions() throws Exception {
    client.close();
    server.close();
    server = TestServer.start(dir.resolve("small"), "--budget-bytes", "1MiB");
    client = new RawClient(server.location());
    Map<String, Long> last = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      String key = "app/s/o" + i;
      last.put(key, client.put(key, new byte[100 * 1024]).version());
      try {
        last.put(key, client.patch(key, bytes("p")).version());
      } catch (FlightRuntimeException e) {
        // Evicted already, at version 1.
        assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
      }
    }
    assertThat(last.values()).allSatisfy(v -> assertThat(v).isBetween(1L, 2L));
    List<String> evicted = last.keySet().stream().filter(key -> {
      try {
        client.get(key, 0);
        return false;
      } catch (FlightRuntimeException e) {
        assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
        return true;
      }
    }).toList();
    assertThat(evicted).as("the budget evicted some objects").isNotEmpty();

    for (String key : evicted.subList(0, Math.min(3, evicted.size()))) {
      // The answer is what counts: the policy may evict the new object again at once.
      assertThat(client.put(key, bytes("back")).version()).as(key).isEqualTo(last.get(key) + 1);
    }
    assertThat(client.put("app/s/never", bytes("new")).version()).isEqualTo(1);
  }

  // ---- delete, then the same key again ----

  @Test
  void put_afterExactDelete_versionAboveDeletedAndOldVersionNotReused() {
    String key = "app/s/obj";
    client.put(key, bytes("old"));
    client.patch(key, bytes("old-p2"));
    assertThat(client.patch(key, bytes("old-p3")).version()).isEqualTo(3);

    client.delete(key);
    assertNotFound(key);

    ObjectRef again = client.put(key, bytes("new"));
    assertThat(again.version()).isEqualTo(4);
    // A client holding v3 of the old object must get the new content, not "not modified".
    assertNewContent(key, 3, "new");
    // Nor may a client holding an older version be sent patches of the new object as if they
    // followed its cached base.
    assertNewContent(key, 1, "new");
    assertNewContent(key, 2, "new");
  }

  @Test
  void patches_afterDeleteAndReput_neverReachAnOldVersion() {
    String key = "app/s/obj";
    client.put(key, bytes("old"));
    client.patch(key, bytes("old-p2"));
    client.patch(key, bytes("old-p3"));
    client.delete(key);

    // In flame, these are v1, v2, v3 again: a client holding the old v3 would see "not modified".
    long v = client.put(key, bytes("new")).version();
    assertThat(client.patch(key, bytes("new-p")).version()).isEqualTo(v + 1);
    assertThat(client.patch(key, bytes("new-q")).version()).isEqualTo(v + 2);
    assertThat(v).isEqualTo(4);

    RawClient.Response held = client.get(key, 3);
    assertThat(held.notModified()).isFalse();
    assertThat(held.rows()).extracting(RawClient.Row::kind).containsExactly("base", "patch", "patch");
    assertThat(held.base()).isEqualTo(bytes("new"));
  }

  @Test
  void put_afterDeleteAndRestart_versionAboveDeleted() throws Exception {
    String key = "app/s/obj";
    client.put(key, bytes("old"));
    client.patch(key, bytes("p2"));
    client.patch(key, bytes("p3"));
    client.put(key, bytes("old4"));
    assertThat(client.patch(key, bytes("p5")).version()).isEqualTo(5);
    client.delete(key);

    restart();
    assertNotFound(key);
    ObjectRef again = client.put(key, bytes("new"));
    assertThat(again.version()).isEqualTo(6);
    assertNewContent(key, 5, "new");
    assertNewContent(key, 4, "new");
  }

  @Test
  void restart_existingObjects_versionsSurviveAndKeepCounting() throws Exception {
    String patched = "app/s/patched";
    client.put(patched, bytes("b"));
    client.patch(patched, bytes("p2"));
    client.patch(patched, bytes("p3"));
    String updated = "app/s/updated";
    client.put(updated, bytes("u1"));
    client.put(updated, bytes("u2"));
    client.put(updated, bytes("u3"));
    client.put(updated, bytes("u4"));

    restart();

    assertThat(client.get(patched, 0).rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L, 3L);
    assertThat(client.get(patched, 3).notModified()).isTrue();
    assertThat(client.get(updated, 0).rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(tuple("base", 4L));
    assertThat(client.get(updated, 4).notModified()).isTrue();
    assertThat(client.patch(patched, bytes("p4")).version()).isEqualTo(4);
    assertThat(client.put(updated, bytes("u5")).version()).isEqualTo(5);

    restart();

    assertThat(client.get(patched, 0).rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L, 3L, 4L);
    assertThat(client.put(patched, bytes("b5")).version()).isEqualTo(5);
    assertThat(client.get(updated, 0).base()).isEqualTo(bytes("u5"));
  }

  @Test
  void put_afterSessionDeleteAndRestart_versionsAboveDeleted() throws Exception {
    Map<String, Long> before = new LinkedHashMap<>();
    before.put("app/s/a", writeVersions("app/s/a", 3));
    before.put("app/s/b", writeVersions("app/s/b", 7));
    before.put("app/s/c", writeVersions("app/s/c", 1));
    long kept = writeVersions("app/s2/a", 2);

    client.delete("app/s");
    restart();

    for (Map.Entry<String, Long> e : before.entrySet()) {
      assertNotFound(e.getKey());
      assertThat(client.put(e.getKey(), bytes("new " + e.getKey())).version()).as(e.getKey()).isEqualTo(e.getValue() + 1);
      assertNewContent(e.getKey(), e.getValue(), "new " + e.getKey());
    }
    assertThat(client.get("app/s2/a", 0).rows()).extracting(RawClient.Row::version).last().isEqualTo(kept);
  }

  @Test
  void put_afterAppWildcardDeleteAndRestart_versionsAboveDeleted() throws Exception {
    Map<String, Long> before = new LinkedHashMap<>();
    before.put("app/s1/a", writeVersions("app/s1/a", 4));
    before.put("app/s2/a", writeVersions("app/s2/a", 6));
    before.put("app/pkg/file.tar.gz", writeVersions("app/pkg/file.tar.gz", 2));
    long kept = writeVersions("app2/s1/a", 3);

    client.delete("app/*");
    restart();

    for (Map.Entry<String, Long> e : before.entrySet()) {
      assertNotFound(e.getKey());
      assertThat(client.put(e.getKey(), bytes("new " + e.getKey())).version()).as(e.getKey()).isEqualTo(e.getValue() + 1);
      assertNewContent(e.getKey(), e.getValue(), "new " + e.getKey());
    }
    assertThat(client.get("app2/s1/a", 0).rows()).extracting(RawClient.Row::version).last().isEqualTo(kept);
  }

  @Test
  void delete_repeatedOnOneKey_versionsKeepRising() throws Exception {
    String key = "app/s/obj";
    long last = 0;
    for (int round = 0; round < 5; round++) {
      long v = client.put(key, bytes("r" + round)).version();
      assertThat(v).as("round %d", round).isEqualTo(last + 1);
      last = client.patch(key, bytes("r" + round + "p")).version();
      client.delete(round % 2 == 0 ? key : "app/s");
      if (round == 2) {
        restart();
      }
    }
    assertThat(client.put(key, bytes("final")).version()).isEqualTo(last + 1);
  }

  // ---- what each delete touches ----

  @Test
  void delete_session_leavesSessionsWithTheSamePrefix() {
    Map<String, Long> kept = new LinkedHashMap<>();
    for (String key : List.of("app/s2/a", "app/s-extra/a", "app/ss/a", "app2/s/a", "ap/s/a")) {
      kept.put(key, writeVersions(key, 2));
    }
    List<String> doomed = List.of("app/s/a", "app/s/b");
    doomed.forEach(k -> writeVersions(k, 1));

    assertThat(client.delete("app/s")).containsExactly("OK");

    doomed.forEach(this::assertNotFound);
    kept.forEach((key, version) -> assertIntact(key, version));
  }

  @Test
  void delete_appWildcard_leavesOtherApps() {
    Map<String, Long> kept = new LinkedHashMap<>();
    for (String key : List.of("app2/s/a", "app-x/s/a", "ap/s/a", "apps/s/a")) {
      kept.put(key, writeVersions(key, 2));
    }
    List<String> doomed = List.of("app/s/a", "app/s2/a", "app/pkg/b");
    doomed.forEach(k -> writeVersions(k, 1));

    assertThat(client.delete("app/*")).containsExactly("OK");

    doomed.forEach(this::assertNotFound);
    kept.forEach((key, version) -> assertIntact(key, version));
  }

  @Test
  void delete_exactKey_leavesSiblings() {
    Map<String, Long> kept = new LinkedHashMap<>();
    for (String key : List.of("app/s/ab", "app/s/b", "app/s/a.b", "app/s2/a")) {
      kept.put(key, writeVersions(key, 2));
    }
    writeVersions("app/s/a", 3);

    assertThat(client.delete("app/s/a")).containsExactly("OK");

    assertNotFound("app/s/a");
    kept.forEach((key, version) -> assertIntact(key, version));
  }

  @Test
  void delete_nothingMatches_okAndVersionsUnchanged() {
    long v = writeVersions("app/s/a", 2);
    assertThat(client.delete("app/none")).containsExactly("OK");
    assertThat(client.delete("app/s/none")).containsExactly("OK");
    assertThat(client.delete("nope/*")).containsExactly("OK");
    assertIntact("app/s/a", v);
  }

  // ---- helpers ----

  /** Writes {@code key} up to the given version: a put, then patches; the payloads name the key. */
  private long writeVersions(String key, int version) {
    long v = client.put(key, bytes("base " + key)).version();
    while (v < version) {
      v = client.patch(key, bytes("patch " + key + " " + (v + 1))).version();
    }
    assertThat(v).as(key).isEqualTo(version);
    return v;
  }

  /** The object is there at its version, with the payloads {@link #writeVersions} wrote. */
  private void assertIntact(String key, long version) {
    RawClient.Response response = client.get(key, 0);
    assertThat(response.rows()).as(key).extracting(RawClient.Row::version).containsExactlyElementsOf(range(1, version));
    assertThat(response.base()).as(key).isEqualTo(bytes("base " + key));
    assertThat(response.patches()).as(key).extracting(r -> text(r.data()))
        .containsExactlyElementsOf(range(2, version).stream().map(v -> "patch " + key + " " + v).toList());
  }

  /** A client holding {@code heldVersion} of an older object gets the whole new one. */
  private void assertNewContent(String key, long heldVersion, String expected) {
    RawClient.Response response = client.get(key, heldVersion);
    assertThat(response.notModified()).as("%s held at v%d", key, heldVersion).isFalse();
    assertThat(response.rows()).as("%s held at v%d", key, heldVersion).isNotEmpty();
    assertThat(response.rows().get(0).kind()).as("%s held at v%d", key, heldVersion).isEqualTo("base");
    assertThat(response.base()).as("%s held at v%d", key, heldVersion).isEqualTo(bytes(expected));
  }

  private void assertNotFound(String key) {
    assertThatThrownBy(() -> client.get(key, 0))
        .as(key)
        .isInstanceOfSatisfying(FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
  }

  private void restart() throws Exception {
    client.close();
    server.restart();
    client = new RawClient(server.location());
  }

  private static List<Long> range(long first, long last) {
    return new ArrayList<>(LongStream.rangeClosed(first, last).boxed().toList());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  private static String text(byte[] data) {
    return new String(data, UTF_8);
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }
}
