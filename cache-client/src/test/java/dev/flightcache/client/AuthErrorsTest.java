package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.Permission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's side of auth on the wire: the header, the status mapping, the MINT_TOKEN body. */
class AuthErrorsTest {
  RecordingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer(Set.of("good-token"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private CacheClient client(String token) {
    CacheClient.Builder builder = CacheClient.builder().endpoint(server.endpoint()).retryPolicy(RetryPolicy.NONE);
    return (token == null ? builder : builder.bearerToken(token)).build();
  }

  @Test
  void calls_unknownOrMissingToken_unauthenticatedException() {
    try (CacheClient wrong = client("wrong-token"); CacheClient none = client(null)) {
      assertThatThrownBy(() -> wrong.delete("app/s")).isInstanceOf(UnauthenticatedException.class)
          .hasMessage("delete app/s: missing or invalid credentials (UNAUTHENTICATED)");
      assertThatThrownBy(() -> wrong.list("")).isInstanceOf(UnauthenticatedException.class);
      assertThatThrownBy(() -> wrong.put("app/s/o", new byte[3])).isInstanceOf(UnauthenticatedException.class);
      assertThatThrownBy(() -> none.serverStats()).isInstanceOf(UnauthenticatedException.class);
      assertThat(server.authorizations).startsWith("Bearer wrong-token").endsWith("null");
    }
  }

  @Test
  void delete_knownTokenNotAllowed_permissionDeniedException() {
    try (CacheClient client = client("good-token")) {
      assertThatThrownBy(() -> client.delete("app/*")).isInstanceOf(PermissionDeniedException.class)
          .isInstanceOf(CacheException.class)
          .hasMessage("delete app/*: not permitted: delete on app/* (UNAUTHORIZED)");
      assertThat(server.authorizations).containsExactly("Bearer good-token");
    }
  }

  @Test
  void mintToken_grantsTtlLabel_sentAsBsonAndTokenReturned() {
    try (CacheClient client = client("good-token")) {
      String token = client.mintToken(List.of(Grant.parse("read:team-a/run-7/*"), Grant.of("team-a/*", Permission.WRITE, Permission.READ)),
          Duration.ofMinutes(90), "executor-3");
      String unlabelled = client.mintToken(List.of(Grant.parse("all:*")), Duration.ofSeconds(1));

      assertThat(token).isEqualTo(RecordingServer.MINTED);
      assertThat(unlabelled).isEqualTo(RecordingServer.MINTED);
      BsonDocument first = server.mintRequests.get(0);
      assertThat(first.getArray("grants")).containsExactly(
          new BsonDocument("scope", new BsonString("team-a/run-7/*")).append("perms", new BsonArray(List.of(new BsonString("read")))),
          new BsonDocument("scope", new BsonString("team-a/*"))
              .append("perms", new BsonArray(List.of(new BsonString("read"), new BsonString("write")))));
      assertThat(first.get("ttl_seconds")).isEqualTo(new BsonInt64(5400));
      assertThat(first.getString("label").getValue()).isEqualTo("executor-3");
      assertThat(server.mintRequests.get(1).containsKey("label")).isFalse();
      assertThat(server.mintRequests.get(1).getArray("grants").get(0).asDocument().getArray("perms")).hasSize(4);
    }
  }

  @Test
  void mintToken_noGrantsOrTtlUnderASecond_rejectedBeforeAnyCall() {
    try (CacheClient client = client("good-token")) {
      assertThatThrownBy(() -> client.mintToken(List.of(), Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> client.mintToken(List.of(Grant.parse("read:*")), Duration.ofMillis(999)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
      assertThat(server.authorizations).isEmpty();
    }
  }
}
