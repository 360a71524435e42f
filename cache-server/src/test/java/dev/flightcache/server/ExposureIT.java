package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.server.config.ConfigException;
import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe defaults: without authentication the server stays on loopback unless --insecure, and the
 * metrics port can serve HTTPS with the Flight port's certificate.
 */
class ExposureIT {
  @TempDir Path dir;

  private ServerConfig config(String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.resolve("data").toString(), "--drain-timeout", "5s"));
    args.addAll(List.of(extra));
    return ConfigLoader.load(args.toArray(String[]::new), Map.of());
  }

  @Test
  void start_networkBindWithoutAuth_refusedBeforeListeningOrTouchingStorage() {
    assertThatThrownBy(() -> CacheServer.start(config("--bind-address", "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("refusing to listen on 0.0.0.0 without authentication")
        .hasMessageContaining("auth-tokens-file")
        .hasMessageContaining("--insecure");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void checkExposure_insecureOrAuthOrLoopback_allowed() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), SecuredServer.line("ops", SecuredServer.OPS, "all:*") + "\n");

    Security.checkExposure(config("--bind-address", "0.0.0.0", "--insecure"));
    Security.checkExposure(config("--bind-address", "0.0.0.0", "--auth-tokens-file", tokens.toString()));
    Security.checkExposure(config("--bind-address", "127.0.0.1"));
    Security.checkExposure(config("--bind-address", "localhost"));
  }

  @Test
  void start_unreadableOrBrokenAuthFiles_refusedNamingTheOption() throws Exception {
    Path broken = Files.writeString(dir.resolve("tokens"), "ops sha256:short all:*\n");
    Path shortKey = Files.write(dir.resolve("key"), new byte[16]);
    Path good = Files.writeString(dir.resolve("good"), SecuredServer.line("ops", SecuredServer.OPS, "all:*") + "\n");

    assertThatThrownBy(() -> CacheServer.start(config("--auth-tokens-file", broken.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auth-tokens-file'").hasMessageContaining(broken + ":1:");
    assertThatThrownBy(() -> CacheServer.start(config("--auth-tokens-file", dir.resolve("missing").toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
    assertThatThrownBy(() -> CacheServer.start(config("--auth-tokens-file", good.toString(), "--auth-signing-key-file", shortKey.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auth-signing-key-file'").hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> config("--auth-signing-key-file", shortKey.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("needs 'auth-tokens-file' or 'tls-client-ca-file'");
    assertThatThrownBy(() -> config("--tls-client-ca-file", good.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'tls-client-ca-file' needs 'tls-cert-file'");
    assertThatThrownBy(() -> config("--metrics-tls")).isInstanceOf(ConfigException.class).hasMessageContaining("'metrics-tls' needs");
  }

  @Test
  void metricsTls_servesHttpsWithTheFlightCertificate() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"), "metrics CA");
    TestPki.Pem server = pki.server();
    try (TestServer running = TestServer.start(dir.resolve("data"), "--tls-cert-file", server.certFile().toString(),
        "--tls-key-file", server.keyFile().toString(), "--metrics-tls")) {
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(pki.caFile)).build();
      int port = running.server().metricsPort();

      HttpResponse<String> health = client.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
      assertThatThrownBy(() -> HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(java.time.Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(java.io.IOException.class);
    }
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
