package dev.flightcache.server;

import static dev.flightcache.server.Rejections.rejected;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.auth.Authenticator;
import dev.flightcache.server.auth.BsonDocuments;
import dev.flightcache.server.auth.Grant;
import dev.flightcache.server.auth.SignedTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightStatusCode;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed delegation tokens end to end: MINT_TOKEN narrows or refuses, the minted token works
 * within its grants only, and expired, tampered or foreign tokens are UNAUTHENTICATED.
 */
class MintTokenIT {
  @TempDir Path dir;
  SecuredServer secured;
  RawClient teamAdmin;
  RawClient ops;

  @BeforeEach
  void start() throws Exception {
    secured = SecuredServer.start(dir);
    teamAdmin = secured.client(SecuredServer.TEAM_ADMIN);
    ops = secured.client(SecuredServer.OPS);
  }

  @AfterEach
  void stop() throws Exception {
    teamAdmin.close();
    ops.close();
    secured.close();
  }

  /** A MINT_TOKEN body: {@code grants} such as "read:app/s/*", a lifetime, an optional label. */
  static byte[] body(long ttlSeconds, String label, String... grants) {
    BsonArray array = new BsonArray();
    for (String text : grants) {
      Grant grant = Grant.parse(text);
      BsonArray perms = new BsonArray();
      grant.permissions().forEach(p -> perms.add(new BsonString(p.wireName())));
      array.add(new BsonDocument("scope", new BsonString(grant.scope().toString())).append("perms", perms));
    }
    BsonDocument document = new BsonDocument("grants", array).append("ttl_seconds", new BsonInt64(ttlSeconds));
    if (label != null) {
      document.append("label", new BsonString(label));
    }
    return bytes(document);
  }

  private static byte[] bytes(BsonDocument document) {
    return BsonDocuments.encode(document);
  }

  private static String mint(RawClient client, byte[] body) {
    List<byte[]> results = client.actionResults("MINT_TOKEN", body);
    assertThat(results).hasSize(1);
    return new String(results.get(0), UTF_8);
  }

  @Test
  void mint_narrowerThanCaller_tokenWorksWithinItsGrantsOnly() throws Exception {
    teamAdmin.put("team-a/s1/x", "in scope".getBytes(UTF_8));
    teamAdmin.put("team-a/s2/y", "out of scope".getBytes(UTF_8));

    String token = mint(teamAdmin, body(600, "executor-1", "read:team-a/s1/*"));

    assertThat(token).startsWith("fc1.");
    try (RawClient delegated = secured.client(token)) {
      assertThat(delegated.get("team-a/s1/x", 0).base()).isEqualTo("in scope".getBytes(UTF_8));
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> delegated.get("team-a/s2/y", 0)))
          .isEqualTo("not permitted: read on team-a/s2/y");
      rejected(FlightStatusCode.UNAUTHORIZED, () -> delegated.put("team-a/s1/z", new byte[] {1}));
      rejected(FlightStatusCode.UNAUTHORIZED, () -> delegated.delete("team-a/s1"));
      rejected(FlightStatusCode.UNAUTHORIZED, () -> mint(delegated, body(60, null, "read:team-a/s1/*")));
    }
  }

  @Test
  void mint_widerThanCaller_unauthorized() {
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> mint(teamAdmin, body(60, null, "read:team-b/*"))))
        .isEqualTo("not permitted: admin on team-b/*");
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> mint(teamAdmin, body(60, null, "delete:team-a/s1/*"))))
        .isEqualTo("not permitted: delete on team-a/s1/*");
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> mint(teamAdmin, body(60, null, "read:*"))))
        .isEqualTo("not permitted: admin on *");
    try (RawClient teamA = secured.client(SecuredServer.TEAM_A)) {
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> mint(teamA, body(60, null, "read:team-a/s1/*"))))
          .isEqualTo("not permitted: admin on team-a/s1/*");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void mint_badBodyOrLifetime_invalidArgument() {
    assertThat(rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, body(25 * 3600, null, "read:team-a/*"))))
        .contains("longer than the server's limit of 86400");
    rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, body(0, null, "read:team-a/*")));
    rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, body(60, null)));
    rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, body(60, "no spaces allowed", "read:team-a/*")));
    rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, "not bson".getBytes(UTF_8)));
    BsonDocument badScope = new BsonDocument("grants", new BsonArray(List.of(
        new BsonDocument("scope", new BsonString("team-a")).append("perms", new BsonArray(List.of(new BsonString("read")))))))
        .append("ttl_seconds", new BsonInt64(60));
    assertThat(rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(ops, bytes(badScope)))).contains("invalid scope 'team-a'");
  }

  @Test
  void mint_bySignedAdminToken_notLongerThanItsOwnLifetime() throws Exception {
    String admin = mint(teamAdmin, body(60, "sub-admin", "admin,read:team-a/s1/*"));

    try (RawClient delegated = secured.client(admin)) {
      assertThat(rejected(FlightStatusCode.INVALID_ARGUMENT, () -> mint(delegated, body(3600, null, "read:team-a/s1/*"))))
          .contains("outlives the caller's own token");
      String narrower = mint(delegated, body(30, null, "read:team-a/s1/*"));
      try (RawClient reader = secured.client(narrower)) {
        assertThat(rejected(FlightStatusCode.NOT_FOUND, () -> reader.get("team-a/s1/none", 0))).contains("team-a/s1/none");
      }
    }
  }

  @Test
  void expiredTamperedOrForeignTokens_unauthenticated() throws Exception {
    teamAdmin.put("team-a/s1/x", new byte[] {1});
    Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    String expired = new SignedTokens(secured.signingKey, hourAgo).mint("ops", List.of(Grant.parse("read:*")), Duration.ofMinutes(5));
    String valid = mint(ops, body(600, null, "read:team-a/*"));
    String[] parts = valid.split("\\.");
    String tampered = parts[0] + "." + flipLastChar(parts[1]) + "." + parts[2];
    String badMac = parts[0] + "." + parts[1] + "." + flipLastChar(parts[2]);
    String foreign = new SignedTokens("another-key-another-key-another-key!".getBytes(UTF_8), Clock.systemUTC())
        .mint("ops", List.of(Grant.parse("read:*")), Duration.ofMinutes(5));

    try (RawClient works = secured.client(valid)) {
      assertThat(works.get("team-a/s1/x", 0).base()).containsExactly(1);
    }
    for (String token : List.of(expired, tampered, badMac, foreign)) {
      try (RawClient client = secured.client(token)) {
        assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.get("team-a/s1/x", 0))).isEqualTo(Authenticator.REJECTED);
      }
    }
  }

  private static String flipLastChar(String text) {
    char last = text.charAt(text.length() - 1);
    return text.substring(0, text.length() - 1) + (last == 'A' ? 'B' : 'A');
  }

  @Test
  void listActions_includesMintToken() {
    List<String> types = new ArrayList<>();
    ops.client.listActions().forEach(action -> types.add(action.getType()));

    assertThat(types).containsExactly("DELETE", "STATS", "MINT_TOKEN", "GET_MANY");
  }

  @Test
  void mint_withoutSigningKey_unimplemented() throws Exception {
    Path tokens = dir.resolve("plain-tokens");
    Files.writeString(tokens, SecuredServer.line("ops", SecuredServer.OPS, "all:*") + "\n");
    try (TestServer plain = TestServer.start(dir.resolve("plain"), "--auth-tokens-file", tokens.toString());
        RawClient client = new RawClient(plain.location(), builder -> builder.intercept(SecuredServer.bearer(SecuredServer.OPS)))) {
      assertThat(rejected(FlightStatusCode.UNIMPLEMENTED, () -> mint(client, body(60, null, "read:team-a/*"))))
          .isEqualTo("signing key not configured");
      assertThat(client.client.listActions()).extracting(ActionType::getType).contains("MINT_TOKEN");
    }
  }
}
