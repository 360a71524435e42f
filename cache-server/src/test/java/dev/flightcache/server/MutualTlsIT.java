package dev.flightcache.server;

import static dev.flightcache.server.Rejections.rejected;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.auth.Authenticator;
import java.nio.file.Path;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS end to end: the handshake admits only certificates from the configured CA; a
 * verified certificate stands for its {@code cert:} line of the token store, and a bearer token,
 * when sent too, wins.
 */
class MutualTlsIT {
  @TempDir Path dir;
  SecuredServer secured;
  TestPki.Pem exec7;
  TestPki.Pem stranger;
  TestPki.Pem foreign;

  @BeforeEach
  void start() throws Exception {
    secured = SecuredServer.startMutualTls(dir);
    exec7 = secured.pki.client("exec-7", "CN=exec-7,O=team-a");
    stranger = secured.pki.client("stranger", "CN=stranger");
    foreign = TestPki.create(dir.resolve("foreign"), "someone else's CA").client("exec-7", "CN=exec-7,O=team-a");
    try (RawClient ops = secured.client(SecuredServer.OPS, stranger)) {
      ops.put("team-a/s1/x", "for exec-7".getBytes(UTF_8));
    }
  }

  @AfterEach
  void stop() throws Exception {
    secured.close();
  }

  @Test
  void caSignedCertificate_standsForItsCertLine() throws Exception {
    try (RawClient client = secured.client(null, exec7)) {
      assertThat(client.get("team-a/s1/x", 0).base()).isEqualTo("for exec-7".getBytes(UTF_8));
      assertThat(rejected(FlightStatusCode.UNAUTHORIZED, () -> client.put("team-a/s1/y", new byte[] {1})))
          .isEqualTo("not permitted: write on team-a/s1/y");
      rejected(FlightStatusCode.UNAUTHORIZED, () -> client.get("team-b/s1/x", 0));
    }
  }

  @Test
  void bearerTokenWithCertificate_tokenWins() throws Exception {
    try (RawClient client = secured.client(SecuredServer.TEAM_B, exec7)) {
      rejected(FlightStatusCode.UNAUTHORIZED, () -> client.get("team-a/s1/x", 0));
      client.put("team-b/s1/y", new byte[] {1});
    }
  }

  @Test
  void caSignedCertificateWithoutALine_unauthenticated() throws Exception {
    try (RawClient client = secured.client(null, stranger)) {
      assertThat(rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.get("team-a/s1/x", 0))).isEqualTo(Authenticator.REJECTED);
      rejected(FlightStatusCode.UNAUTHENTICATED, () -> client.put("team-a/s1/y", new byte[] {1}));
    }
  }

  @Test
  void noCertificateOrAForeignOne_refusedByTheHandshake() throws Exception {
    for (TestPki.Pem certificate : new TestPki.Pem[] {null, foreign}) {
      try (RawClient client = secured.client(SecuredServer.OPS, certificate)) {
        rejected(FlightStatusCode.UNAVAILABLE, () -> client.get("team-a/s1/x", 0));
      }
    }
  }

  @Test
  void withoutTokenStore_everyVerifiedCertificateMayDoEverything() throws Exception {
    TestPki.Pem server = secured.serverPem;
    try (TestServer plain = TestServer.start(dir.resolve("cert-only"),
        "--tls-cert-file", server.certFile().toString(), "--tls-key-file", server.keyFile().toString(),
        "--tls-client-ca-file", secured.pki.caFile.toString());
        RawClient client = new RawClient(org.apache.arrow.flight.Location.forGrpcTls("127.0.0.1", plain.server().port()),
            builder -> configureTls(builder, stranger));
        RawClient outsider = new RawClient(org.apache.arrow.flight.Location.forGrpcTls("127.0.0.1", plain.server().port()),
            builder -> configureTls(builder, foreign))) {
      client.put("any/s/x", "anything".getBytes(UTF_8));
      assertThat(client.get("any/s/x", 0).base()).isEqualTo("anything".getBytes(UTF_8));
      assertThat(client.actionResults("STATS", new byte[0])).hasSize(1);
      rejected(FlightStatusCode.UNAVAILABLE, () -> outsider.get("any/s/x", 0));
    }
  }

  private void configureTls(org.apache.arrow.flight.FlightClient.Builder builder, TestPki.Pem certificate) {
    try {
      builder.trustedCertificates(java.nio.file.Files.newInputStream(secured.pki.caFile))
          .clientCertificate(java.nio.file.Files.newInputStream(certificate.certFile()),
              java.nio.file.Files.newInputStream(certificate.keyFile()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
