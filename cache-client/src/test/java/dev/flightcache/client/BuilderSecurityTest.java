package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build() reads and checks every security file, and reports all problems at once. */
class BuilderSecurityTest {
  @TempDir Path dir;

  @Test
  void build_clientCertificateWithoutKey_rejected() {
    assertThatThrownBy(() -> CacheClient.builder().endpoint("grpcs://127.0.0.1:1")
        .clientCertificate(Files.writeString(dir.resolve("c.pem"), "x"), null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clientCertificate needs both a certificate chain and a private key");
  }

  @Test
  void build_notPemFiles_rejectedNamingTheSetting() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");

    assertThatThrownBy(() -> CacheClient.builder().endpoint("grpcs://127.0.0.1:1").clientCertificate(garbage, garbage).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot use the TLS files (trustRoots or clientCertificate)");
    assertThatThrownBy(() -> CacheClient.builder().endpoint("grpcs://127.0.0.1:1").trustRoots(garbage).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot use the TLS files (trustRoots)");
  }

  @Test
  void build_everyProblem_listedTogether() {
    assertThatThrownBy(() -> CacheClient.builder().endpoint("grpcs://127.0.0.1:1").bearerToken("a").bearerTokenFile(dir.resolve("t"))
        .clientCertificate(dir.resolve("missing-chain.pem"), dir.resolve("missing-key.pem")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set bearerToken or bearerTokenFile, not both")
        .hasMessageContaining("cannot read clientCertificate chain " + dir.resolve("missing-chain.pem"))
        .hasMessageContaining("cannot read clientCertificate private key " + dir.resolve("missing-key.pem"));
  }

  @Test
  void toString_namesTheSettingsButNoToken() {
    CacheClient.Builder builder = CacheClient.builder().endpoint("grpcs://h:1").bearerTokenFile(Path.of("/run/token"))
        .clientCertificate(Path.of("/run/me.pem"), Path.of("/run/me-key.pem"));

    assertThat(builder).hasToString("CacheClient.Builder{endpoint=grpcs://h:1, credentials=bearer token file /run/token,"
        + " trustRoots=system, clientCertificate=/run/me.pem}");
  }
}
