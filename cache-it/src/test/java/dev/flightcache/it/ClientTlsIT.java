package dev.flightcache.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.RetryPolicy;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over TLS: trust roots from a PEM file, grpcs:// and grpc+tls:// endpoints. */
class ClientTlsIT {
  @TempDir Path dir;
  TestCertificates.Pem pem;
  RunningServer server;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dir.resolve("certs"));
    pem = TestCertificates.selfSigned(dir.resolve("certs"));
    server = RunningServer.start(dir.resolve("data"),
        "--tls-cert-file", pem.certFile().toString(), "--tls-key-file", pem.keyFile().toString());
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void putAndGet_grpcsWithTrustRoots_roundTripAndRefsAdvertiseTls() {
    try (CacheClient client = CacheClient.builder().endpoint("grpcs://127.0.0.1:" + server.port())
        .trustRoots(pem.certFile()).build()) {
      ObjectRef ref = client.put("app/s/secret", "over tls".getBytes(UTF_8));
      assertThat(ref.endpoint()).isEqualTo("grpc+tls://127.0.0.1:" + server.port());
      assertThat(ClientCallsIT.utf8(client.get(ref).base())).isEqualTo("over tls");
      Path target = dir.resolve("secret.bin");
      client.download(ref, target);
      assertThat(target).hasContent("over tls");
    }
  }

  @Test
  void get_withoutTrustingTheCertificate_unavailable() {
    try (CacheClient client = CacheClient.builder().endpoint("grpc+tls://127.0.0.1:" + server.port())
        .retryPolicy(RetryPolicy.NONE).callTimeout(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(() -> client.put("app/s/o", new byte[1])).isInstanceOf(CacheUnavailableException.class);
      assertThatThrownBy(() -> client.delete("app/s")).isInstanceOf(CacheUnavailableException.class);
    }
  }

  @Test
  void plaintextClient_againstTlsServer_unavailable() {
    try (CacheClient client = CacheClient.builder().endpoint("grpc://127.0.0.1:" + server.port())
        .retryPolicy(RetryPolicy.NONE).callTimeout(Duration.ofSeconds(5)).build()) {
      assertThatThrownBy(() -> client.delete("app/s")).isInstanceOf(CacheUnavailableException.class);
    }
  }

  @Test
  void builder_unreadableTrustRoots_rejected() {
    assertThatThrownBy(() -> CacheClient.builder().endpoint("grpcs://127.0.0.1:1").trustRoots(dir.resolve("missing.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustRoots");
  }
}
