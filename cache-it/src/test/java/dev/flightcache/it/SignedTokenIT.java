package dev.flightcache.it;

import static dev.flightcache.it.SecureServer.TEAM_A;
import static dev.flightcache.it.SecureServer.TEAM_ADMIN;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.Grant;
import dev.flightcache.client.InvalidRequestException;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.client.UnauthenticatedException;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.server.auth.SignedTokens;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed delegation tokens through the Java client: minted, used, too wide, expired, tampered with. */
class SignedTokenIT {
  @TempDir Path dir;
  SecureServer server;
  CacheClient teamAdmin;
  ObjectRef inSession;

  @BeforeEach
  void start() throws Exception {
    server = SecureServer.start(dir);
    teamAdmin = server.client(TEAM_ADMIN);
    inSession = teamAdmin.put("team-a/s1/x", "for the executor".getBytes(UTF_8));
  }

  @AfterEach
  void stop() throws Exception {
    teamAdmin.close();
    server.close();
  }

  private ObjectRef ref(String key) {
    return new ObjectRef(server.endpoint(), ObjectKey.parse(key), 0);
  }

  @Test
  void mintToken_readOnlySession_readsThatSessionAndNothingMore() {
    String token = teamAdmin.mintToken(List.of(Grant.parse("read:team-a/s1/*")), Duration.ofHours(1), "executor-3");
    teamAdmin.put("team-a/s2/y", new byte[1]);

    assertThat(token).startsWith("fc1.");
    try (CacheClient executor = server.client(token)) {
      assertThat(ClientCallsIT.utf8(executor.get(inSession).base())).isEqualTo("for the executor");
      assertThatThrownBy(() -> executor.put("team-a/s1/z", new byte[1])).isInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> executor.get(ref("team-a/s2/y"))).isInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> executor.delete("team-a/s1")).isInstanceOf(PermissionDeniedException.class);
      assertThatThrownBy(() -> executor.mintToken(List.of(Grant.parse("read:team-a/s1/*")), Duration.ofMinutes(1)))
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void mintToken_widerThanOwnGrantsOrWithoutAdmin_permissionDenied() {
    assertThatThrownBy(() -> teamAdmin.mintToken(List.of(Grant.parse("read:team-b/*")), Duration.ofHours(1)))
        .isInstanceOf(PermissionDeniedException.class);
    assertThatThrownBy(() -> teamAdmin.mintToken(List.of(Grant.parse("delete:team-a/*")), Duration.ofHours(1)))
        .isInstanceOf(PermissionDeniedException.class);
    try (CacheClient teamA = server.client(TEAM_A)) {
      assertThatThrownBy(() -> teamA.mintToken(List.of(Grant.parse("read:team-a/s1/*")), Duration.ofHours(1)))
          .isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void mintToken_ttlOverTheServersLimit_invalidRequest() {
    assertThatThrownBy(() -> teamAdmin.mintToken(List.of(Grant.parse("read:team-a/s1/*")), Duration.ofHours(3)))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("ttl");
  }

  @Test
  void expiredToken_unauthenticated() {
    // Signed with the server's own key and code, but two hours ago, for one hour.
    Clock twoHoursAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
    String expired = new SignedTokens(server.signingKey, twoHoursAgo)
        .mint("team-admin/old", List.of(dev.flightcache.server.auth.Grant.parse("read:team-a/s1/*")), Duration.ofHours(1));

    try (CacheClient executor = server.client(expired)) {
      assertThatThrownBy(() -> executor.get(inSession)).isInstanceOf(UnauthenticatedException.class)
          .hasMessage("get team-a/s1/x: missing or invalid credentials (UNAUTHENTICATED)");
    }
  }

  @Test
  void tamperedToken_widenedPayloadOrAlteredSignature_unauthenticated() {
    String token = teamAdmin.mintToken(List.of(Grant.parse("read:team-a/s1/*")), Duration.ofHours(1));
    String[] parts = token.split("\\.");
    BsonDocument payload = new BsonDocumentCodec().decode(
        new BsonBinaryReader(ByteBuffer.wrap(Base64.getUrlDecoder().decode(parts[1]))), DecoderContext.builder().build());
    payload.put("grants", new BsonArray(List.of(new BsonDocument("scope", new BsonString("*"))
        .append("perms", new BsonArray(List.of(new BsonString("read"), new BsonString("write"), new BsonString("admin")))))));
    BasicOutputBuffer widened = new BasicOutputBuffer();
    new BsonDocumentCodec().encode(new BsonBinaryWriter(widened), payload, EncoderContext.builder().build());
    String forged = "fc1." + Base64.getUrlEncoder().withoutPadding().encodeToString(widened.toByteArray()) + "." + parts[2];
    // The signature's first character carries six bits of the MAC (the last one carries padding bits too).
    String badSignature = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A' ? 'B' : 'A') + parts[2].substring(1);

    for (String tampered : List.of(forged, badSignature)) {
      try (CacheClient client = server.client(tampered)) {
        assertThatThrownBy(() -> client.get(inSession)).isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> client.put("team-a/s1/w", new byte[1])).isInstanceOf(UnauthenticatedException.class);
      }
    }
    try (CacheClient genuine = server.client(token)) {
      assertThat(genuine.get(inSession).version()).isEqualTo(1);
    }
  }
}
