package dev.flightcache.it;

import static dev.flightcache.it.SecureServer.OPS;
import static dev.flightcache.it.SecureServer.SESSION;
import static dev.flightcache.it.SecureServer.TEAM_A;
import static dev.flightcache.it.SecureServer.TEAM_B;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CachedObject;
import dev.flightcache.client.ObjectSummary;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.client.UnauthenticatedException;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every permission path through the Java client, over TLS, against the real server with a token store. */
class AuthClientIT {
  @TempDir Path dir;
  SecureServer server;
  CacheClient teamA;
  CacheClient teamB;
  CacheClient ops;

  @BeforeEach
  void start() throws Exception {
    server = SecureServer.start(dir);
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

  private ObjectRef ref(String key) {
    return new ObjectRef(server.endpoint(), ObjectKey.parse(key), 0);
  }

  @Test
  void get_ownAppAllowed_otherAppPermissionDeniedNamingTheKey() {
    ObjectRef mine = teamA.put("team-a/s1/x", "mine".getBytes(UTF_8));

    assertThat(ClientCallsIT.utf8(teamA.get(mine).base())).isEqualTo("mine");
    assertThatThrownBy(() -> teamB.get(mine)).isInstanceOf(PermissionDeniedException.class)
        .hasMessage("get team-a/s1/x: not permitted: read on team-a/s1/x (UNAUTHORIZED)");
  }

  @Test
  void get_deniedKey_sameAnswerWhetherItExistsOrNot() {
    teamA.put("team-a/s1/there", new byte[] {1});

    assertThatThrownBy(() -> teamB.get(ref("team-a/s1/there"))).isInstanceOf(PermissionDeniedException.class)
        .hasMessageEndingWith("not permitted: read on team-a/s1/there (UNAUTHORIZED)");
    assertThatThrownBy(() -> teamB.get(ref("team-a/s1/absent"))).isInstanceOf(PermissionDeniedException.class)
        .hasMessageEndingWith("not permitted: read on team-a/s1/absent (UNAUTHORIZED)");
  }

  @Test
  void concurrentGets_sharingCalls_carryTheToken_andDeniedKeysStillDeniedEach() throws Exception {
    List<ObjectRef> refs = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      refs.add(teamA.put("team-a/s1/o" + i, ("a" + i).getBytes(UTF_8)));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<?>> callers = new java.util.ArrayList<>();
      for (int c = 0; c < 16; c++) {
        int caller = c;
        callers.add(pool.submit(() -> {
          for (int n = 0; n < 40; n++) {
            ObjectRef ref = refs.get((caller + n) % refs.size());
            assertThat(ClientCallsIT.utf8(teamA.get(ref).base())).isEqualTo("a" + (caller + n) % refs.size());
            assertThatThrownBy(() -> teamB.get(ref)).isInstanceOf(PermissionDeniedException.class)
                .hasMessageEndingWith("not permitted: read on " + ref.key() + " (UNAUTHORIZED)");
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> caller : callers) {
        caller.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void put_outsideScope_permissionDeniedAndNothingStored() {
    assertThatThrownBy(() -> teamA.put("team-b/s/x", "intruder".getBytes(UTF_8))).isInstanceOf(PermissionDeniedException.class);
    assertThatThrownBy(() -> teamA.put("shared/s/x", new byte[1])).isInstanceOf(PermissionDeniedException.class);

    assertThat(ops.list("")).isEmpty();
  }

  @Test
  void delete_otherApp_permissionDeniedAndItsObjectsStay() {
    ObjectRef theirs = teamB.put("team-b/s/x", "theirs".getBytes(UTF_8));

    assertThatThrownBy(() -> teamA.delete("team-b/s")).isInstanceOf(PermissionDeniedException.class);
    assertThatThrownBy(() -> teamA.delete("team-b/*")).isInstanceOf(PermissionDeniedException.class);
    assertThatThrownBy(() -> teamA.delete("team-b/s/x")).isInstanceOf(PermissionDeniedException.class);

    assertThat(ClientCallsIT.utf8(ops.get(theirs).base())).isEqualTo("theirs");
  }

  @Test
  void delete_sessionOnlyToken_cannotDeleteTheAppOrAnotherSession_butItsOwn() {
    teamA.put("team-a/s1/x", new byte[] {1});
    teamA.put("team-a/s2/y", new byte[] {2});
    try (CacheClient session = server.client(SESSION)) {
      assertThatThrownBy(() -> session.delete("team-a/*")).isInstanceOf(PermissionDeniedException.class)
          .hasMessage("delete team-a/*: not permitted: delete on team-a/* (UNAUTHORIZED)");
      assertThatThrownBy(() -> session.delete("team-a/s2")).isInstanceOf(PermissionDeniedException.class);
      assertThat(ops.list("team-a/")).hasSize(2);

      session.delete("team-a/s1");
    }
    assertThat(ops.list("team-a/")).extracting(summary -> summary.ref().key().toString()).containsExactly("team-a/s2/y");
  }

  @Test
  void list_showsOnlyReadableKeys() {
    ops.put("team-a/s1/a", new byte[1]);
    ops.put("team-b/s1/b", new byte[1]);
    ops.put("shared/s1/c", new byte[1]);

    List<ObjectSummary> seen = teamA.list("");

    assertThat(seen).extracting(summary -> summary.ref().key().toString()).containsExactly("shared/s1/c", "team-a/s1/a");
    assertThat(teamB.list("team-a/")).isEmpty();
  }

  @Test
  void serverStats_adminOnEverythingOnly() {
    assertThat(ops.serverStats()).containsKey("objects");
    assertThatThrownBy(() -> teamA.serverStats()).isInstanceOf(PermissionDeniedException.class);
  }

  @Test
  void missingOrUnknownToken_unauthenticatedWithTheFixedMessage() {
    ops.put("team-a/s1/x", new byte[1]);
    try (CacheClient anonymous = server.client(null); CacheClient unknown = server.client("no-such-token-5e1f")) {
      for (CacheClient client : List.of(anonymous, unknown)) {
        assertThatThrownBy(() -> client.get(ref("team-a/s1/x"))).isInstanceOf(UnauthenticatedException.class)
            .hasMessage("get team-a/s1/x: missing or invalid credentials (UNAUTHENTICATED)");
        assertThatThrownBy(() -> client.put("team-a/s1/y", new byte[1])).isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> client.list("")).isInstanceOf(UnauthenticatedException.class);
      }
      assertThatThrownBy(() -> unknown.delete("team-a/*")).hasMessageNotContaining("no-such-token-5e1f");
    }
    assertThat(ops.list("")).hasSize(1);
  }

  @Test
  void bearerTokenFile_rotatedByRename_clientSwitchesToTheNewToken() throws Exception {
    ObjectRef mine = teamA.put("team-a/s1/x", "mine".getBytes(UTF_8));
    Path tokenFile = Files.writeString(dir.resolve("token"), TEAM_B + "\n");
    try (CacheClient rotating = server.clientBuilder().bearerTokenFile(tokenFile).build()) {
      assertThatThrownBy(() -> rotating.get(mine)).isInstanceOf(PermissionDeniedException.class);

      Path next = Files.writeString(dir.resolve("token.next"), TEAM_A + "\n");
      Files.move(next, tokenFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

      // The client looks at the file at most once a second, on a real clock here: wait for it, boundedly.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      CachedObject read = null;
      while (read == null) {
        try {
          read = rotating.get(mine);
        } catch (PermissionDeniedException e) {
          assertThat(System.nanoTime()).as("the rotated token is used within 10 s").isLessThan(deadline);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
      }
      assertThat(ClientCallsIT.utf8(read.base())).isEqualTo("mine");
    }
  }
}
