package dev.flightcache.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcache.proto.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AuthenticatorTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  @TempDir Path dir;

  private TokenStoreFile store() throws Exception {
    return TokenStoreFile.load(Files.writeString(dir.resolve("tokens"), String.join("\n",
        "team-a sha256:" + TokenStore.sha256Hex("secret-a") + " read:team-a/*",
        "exec-7 cert:CN=exec-7,O=team-a read:team-a/s/*", "")));
  }

  private static FlightCallHeaders headers(String authorization) {
    FlightCallHeaders headers = new FlightCallHeaders();
    if (authorization != null) {
      headers.insert("authorization", authorization);
    }
    return headers;
  }

  private static void assertRejected(Authenticator authenticator, String authorization) {
    assertThatThrownBy(() -> authenticator.authenticate(headers(authorization)))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
          assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
          assertThat(e.status().description()).isEqualTo(Authenticator.REJECTED);
        });
  }

  @Test
  void authenticate_bearerTokenOfTheStore_itsPrincipal() throws Exception {
    Authenticator authenticator = new Authenticator(store(), null, false, Duration.ofHours(1));

    assertThat(authenticator.authenticate(headers("Bearer secret-a")).principal().name()).isEqualTo("team-a");
    assertThat(authenticator.authenticate(headers("bearer   secret-a ")).getPeerIdentity()).isEqualTo("team-a");
  }

  @Test
  void authenticate_missingMalformedOrUnknown_unauthenticated() throws Exception {
    Authenticator authenticator = new Authenticator(store(), new SignedTokens(KEY, Clock.systemUTC()), false, Duration.ofHours(1));

    for (String header : new String[] {null, "", "Bearer", "Bearer ", "Basic c2VjcmV0LWE=", "secret-a", "Bearer secret-b",
        "Bearer fc1.e30.AAAA"}) {
      assertRejected(authenticator, header);
    }
  }

  @Test
  void authenticate_signedTokenOnlyWithASigningKey() throws Exception {
    String token = new SignedTokens(KEY, Clock.systemUTC()).mint("ops/x", List.of(Grant.parse("read:a/*")), Duration.ofMinutes(1));

    Authenticator withKey = new Authenticator(store(), new SignedTokens(KEY, Clock.systemUTC()), false, Duration.ofHours(1));
    assertThat(withKey.authenticate(headers("Bearer " + token)).principal().name()).isEqualTo("ops/x");
    assertRejected(new Authenticator(store(), null, false, Duration.ofHours(1)), "Bearer " + token);
  }

  @Test
  void authenticate_noHeaderWithClientCertificates_waitsForTheCertificate() throws Exception {
    Authenticator authenticator = new Authenticator(store(), null, true, Duration.ofHours(1));

    assertThat(authenticator.authenticate(headers(null)).principal()).isNull();
    assertRejected(authenticator, "Bearer wrong");
  }

  @Test
  void certificate_lineOfTheStoreOrEverythingWithoutOne() throws Exception {
    Authenticator withStore = new Authenticator(store(), null, true, Duration.ofHours(1));
    Authenticator certificatesOnly = new Authenticator(null, null, true, Duration.ofHours(1));

    assertThat(withStore.certificate(new X500Principal("CN=exec-7, O=team-a")).name()).isEqualTo("exec-7");
    assertThatThrownBy(() -> withStore.certificate(new X500Principal("CN=stranger")))
        .isInstanceOf(FlightRuntimeException.class).hasMessageContaining(Authenticator.REJECTED);
    Principal anyone = certificatesOnly.certificate(new X500Principal("CN=stranger"));
    assertThat(anyone.name()).isEqualTo("CN=stranger");
    assertThat(anyone.allows(Permission.ADMIN, Scope.ALL)).isTrue();
  }

  @Test
  void rejections_neverLogTheToken() throws Exception {
    Authenticator authenticator = new Authenticator(store(), null, false, Duration.ofHours(1));
    Logger logger = (Logger) LoggerFactory.getLogger(Authenticator.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level before = logger.getLevel();
    logger.setLevel(Level.TRACE);
    logger.addAppender(appender);
    try {
      assertRejected(authenticator, "Bearer the-secret-token-value");
      authenticator.authenticate(headers("Bearer secret-a"));
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(before);
    }

    assertThat(appender.list).isNotEmpty();
    assertThat(appender.list).allSatisfy(event ->
        assertThat(event.getFormattedMessage()).doesNotContain("the-secret-token-value").doesNotContain("secret-a"));
  }

  @Test
  void constructor_signingKeyWithoutAnyoneToMint_rejected() {
    assertThatThrownBy(() -> new Authenticator(null, new SignedTokens(KEY, Clock.systemUTC()), false, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
