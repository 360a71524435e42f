package dev.flightcache.it;

import static dev.flightcache.it.SecureServer.EXEC_SUBJECT;
import static dev.flightcache.it.SecureServer.OPS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.PermissionDeniedException;
import dev.flightcache.client.RetryPolicy;
import dev.flightcache.client.UnauthenticatedException;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS through the client's clientCertificate: a certificate the server's CA signed is
 * accepted, and one whose subject the token store names stands for a token; no certificate, or
 * one from another CA, is refused at the handshake.
 */
class MutualTlsIT {
  @TempDir Path dir;
  SecureServer server;
  TestCertificates.Pem exec7;
  ObjectRef stored;

  @BeforeEach
  void start() throws Exception {
    server = SecureServer.startMutualTls(dir);
    exec7 = server.authority.client("exec-7", EXEC_SUBJECT);
    try (CacheClient ops = server.client(OPS)) {
      stored = ops.put("team-a/s1/x", "for exec-7".getBytes(UTF_8));
    }
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void clientCertificate_namedInTheStore_actsWithItsGrantsWithoutAToken() {
    try (CacheClient client = server.clientBuilder().clientCertificate(exec7.certFile(), exec7.keyFile()).build()) {
      assertThat(ClientCallsIT.utf8(client.get(stored).base())).isEqualTo("for exec-7");
      assertThatThrownBy(() -> client.put("team-a/s1/y", new byte[1])).isInstanceOf(PermissionDeniedException.class);
    }
  }

  @Test
  void clientCertificate_signedButNotInTheStore_unauthenticatedWithoutAToken() {
    try (CacheClient client = server.clientBuilder().build()) {
      assertThatThrownBy(() -> client.get(stored)).isInstanceOf(UnauthenticatedException.class);
    }
  }

  @Test
  void noClientCertificate_refusedAtTheHandshake() {
    try (CacheClient client = CacheClient.builder().endpoint(server.endpoint()).trustRoots(server.authority.caFile())
        .retryPolicy(RetryPolicy.NONE).bearerToken(OPS).callTimeout(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(() -> client.get(stored)).isInstanceOf(CacheUnavailableException.class);
    }
  }

  @Test
  void clientCertificate_fromAnotherAuthority_refusedAtTheHandshake() throws Exception {
    TestCertificates.Pem stranger = new TestCertificates.Authority(dir.resolve("other-ca"), "someone else's CA")
        .client("exec-7-forged", EXEC_SUBJECT);
    try (CacheClient client = server.clientBuilder().clientCertificate(stranger.certFile(), stranger.keyFile())
        .callTimeout(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(() -> client.get(stored)).isInstanceOf(CacheUnavailableException.class);
    }
  }
}
