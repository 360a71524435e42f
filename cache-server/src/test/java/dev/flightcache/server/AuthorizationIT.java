package dev.flightcache.server;

import static dev.flightcache.server.Rejections.rejected;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.auth.Authenticator;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every permission path of a server with a token store, end to end over TLS on loopback with
 * Arrow's own client sending bearer tokens: reads, writes, deletes, listings and STATS, allowed
 * and denied, and the answers for missing or unknown credentials.
 */
class AuthorizationIT {
  @TempDir java.nio.file.Path dir;
  SecuredServer secured;
  RawClient teamA;
  RawClient teamB;
  RawClient ops;
  RawClient session;

  @BeforeEach
  void start() throws Exception {
    secured = SecuredServer.start(dir);
    teamA = secured.client(SecuredServer.TEAM_A);
    teamB = secured.client(SecuredServer.TEAM_B);
    ops = secured.client(SecuredServer.OPS);
    session = secured.client(SecuredServer.SESSION);
  }

  @AfterEach
  void stop() throws Exception {
    for (RawClient client : List.of(teamA, teamB, ops, session)) {
      client.close();
    }
    secured.close();
  }

  @Test
  void get_ownApp_allowed() {
    teamA.put("team-a/s1/x", "mine".getBytes(UTF_8));

    assertThat(teamA.get("team-a/s1/x", 0).base()).isEqualTo("mine".getBytes(UTF_8));
  }

  @Test
  void get_otherApp_unauthorizedNamingTheKey() {
    teamA.put("team-a/s1/x", "mine".getBytes(UTF_8));

    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamB.get("team-a/s1/x", 0)))
        .isEqualTo("not permitted: read on team-a/s1/x");
  }

  @Test
  void deniedAnswers_existingAndMissingKeys_identical() {
    teamA.put("team-a/s1/there", "mine".getBytes(UTF_8));

    for (String key : List.of("team-a/s1/there", "team-a/s1/absent")) {
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamB.get(key, 0))).isEqualTo("not permitted: read on " + key);
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamB.client.getInfo(FlightDescriptor.path(key))))
          .isEqualTo("not permitted: read on " + key);
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamB.client.getSchema(FlightDescriptor.path(key))))
          .isEqualTo("not permitted: read on " + key);
    }
  }

  @Test
  void getMany_otherApp_single_asForAMissingKey_ownAppAnswered() {
    teamA.put("team-a/s1/x", "mine".getBytes(UTF_8));
    byte[] request = dev.flightcache.proto.GetMany.encodeRequest(List.of(
        new dev.flightcache.proto.GetMany.Get(dev.flightcache.proto.ObjectKey.parse("team-a/s1/x"), dev.flightcache.proto.Version.NONE),
        new dev.flightcache.proto.GetMany.Get(dev.flightcache.proto.ObjectKey.parse("team-b/s1/absent"), dev.flightcache.proto.Version.NONE)));

    List<dev.flightcache.proto.GetAnswer<byte[]>> asB = dev.flightcache.proto.GetMany.decodeAnswers(
        teamB.actionResults(dev.flightcache.proto.GetMany.ACTION, request).get(0), 2);
    List<dev.flightcache.proto.GetAnswer<byte[]>> asA = dev.flightcache.proto.GetMany.decodeAnswers(
        teamA.actionResults(dev.flightcache.proto.GetMany.ACTION, request).get(0), 2);

    assertThat(asB).containsExactly(
        new dev.flightcache.proto.GetAnswer.Single<>("denied"), new dev.flightcache.proto.GetAnswer.Single<>("not_found"));
    assertThat(((dev.flightcache.proto.GetAnswer.Full<byte[]>) asA.get(0)).base().data()).isEqualTo("mine".getBytes(UTF_8));
    assertThat(asA.get(1)).isEqualTo(new dev.flightcache.proto.GetAnswer.Single<>("denied"));
  }

  @Test
  void put_outsideScope_unauthorizedAndNothingStored() {
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.put("team-b/s/x", "intruder".getBytes(UTF_8))))
        .isEqualTo("not permitted: write on team-b/s/x");
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.put("shared/s", "read-only".getBytes(UTF_8))))
        .isEqualTo("not permitted: write on shared/s");
    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.patch("team-b/s/x", new byte[] {1})))
        .isEqualTo("not permitted: write on team-b/s/x");

    assertThat(secured.server.server().store().objectCount()).isZero();
  }

  @Test
  void read_sharedScope_readableButNotWritable() {
    ops.put("shared/s/doc", "for all".getBytes(UTF_8));

    assertThat(teamA.get("shared/s/doc", 0).base()).isEqualTo("for all".getBytes(UTF_8));
    rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.put("shared/s/doc", "mine now".getBytes(UTF_8)));
    assertThat(ops.get("shared/s/doc", 0).base()).isEqualTo("for all".getBytes(UTF_8));
  }

  @Test
  void delete_otherApp_unauthorizedAndItsObjectsStay() {
    teamB.put("team-b/s/x", "theirs".getBytes(UTF_8));

    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.delete("team-b/*"))).isEqualTo("not permitted: delete on team-b/*");
    rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.delete("team-b/s/x"));

    assertThat(teamB.get("team-b/s/x", 0).base()).isEqualTo("theirs".getBytes(UTF_8));
  }

  @Test
  void delete_sessionOnlyToken_cannotDeleteTheAppOrAnotherSession() {
    teamA.put("team-a/s1/x", "one".getBytes(UTF_8));
    teamA.put("team-a/s2/y", "two".getBytes(UTF_8));

    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> session.delete("team-a/*"))).isEqualTo("not permitted: delete on team-a/*");
    rejected(FlightStatusCode.UNAUTHORIZED, () -> session.delete("team-a/s2"));
    assertThat(secured.server.server().store().objectCount()).isEqualTo(2);

    assertThat(session.delete("team-a/s1")).containsExactly("OK");
    assertThat(teamA.get("team-a/s2/y", 0).base()).isEqualTo("two".getBytes(UTF_8));
    assertThat(teamA.delete("team-a/*")).containsExactly("OK");
    assertThat(secured.server.server().store().objectCount()).isZero();
  }

  @Test
  void listFlights_showsOnlyReadableKeys() {
    ops.put("team-a/s1/a", new byte[] {1});
    ops.put("team-a/s2/b", new byte[] {2});
    ops.put("team-b/s1/c", new byte[] {3});
    ops.put("shared/s/d", new byte[] {4});

    assertThat(listed(teamA, "")).containsExactly("shared/s/d", "team-a/s1/a", "team-a/s2/b");
    assertThat(listed(session, "")).containsExactly("team-a/s1/a");
    assertThat(listed(teamB, "team-a/")).isEmpty();
    assertThat(listed(ops, "")).hasSize(4);
  }

  private static List<String> listed(RawClient client, String prefix) {
    List<String> keys = new ArrayList<>();
    for (FlightInfo info : client.client.listFlights(new Criteria(prefix.getBytes(UTF_8)))) {
      keys.add(info.getDescriptor().getPath().get(0));
    }
    return keys;
  }

  @Test
  void stats_adminOnEverythingOnly() {
    assertThat(ops.actionResults("STATS", new byte[0])).hasSize(1);

    assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> teamA.actionResults("STATS", new byte[0])))
        .isEqualTo("not permitted: admin on *");
    try (RawClient teamAdmin = secured.client(SecuredServer.TEAM_ADMIN)) {
      rejected(FlightStatusCode.UNAUTHORIZED, () -> teamAdmin.actionResults("STATS", new byte[0]));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void grpcHealth_withoutCredentials_serving() throws Exception {
    io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", secured.server.server().port())
        .sslContext(io.grpc.netty.GrpcSslContexts.forClient().trustManager(secured.pki.caFile.toFile()).build())
        .build();
    try {
      var health = io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
          .check(io.grpc.health.v1.HealthCheckRequest.newBuilder().setService("").build());
      assertThat(health.getStatus()).isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void missingOrUnknownCredentials_unauthenticatedWithOneFixedMessage() throws Exception {
    ops.put("team-a/s1/x", new byte[] {1});
    try (RawClient anonymous = secured.client(null);
        RawClient unknown = secured.client("no-such-token");
        RawClient forged = secured.client("fc1.e30.AAAA")) {
      for (RawClient client : List.of(anonymous, unknown, forged)) {
        assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.get("team-a/s1/x", 0))).isEqualTo(Authenticator.REJECTED);
        assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.put("team-a/s1/y", new byte[] {1})))
            .isEqualTo(Authenticator.REJECTED);
        assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.client.listActions().forEach(a -> {})))
            .isEqualTo(Authenticator.REJECTED);
        assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.client.doAction(new Action("STATS")).next()))
            .isEqualTo(Authenticator.REJECTED);
      }
    }
    assertThat(secured.server.server().store().objectCount()).isEqualTo(1);
  }
}
