package dev.flightcache.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class SignedTokensTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SignedTokens tokens = new SignedTokens(KEY, clock);

  @Test
  void mintThenVerify_carriesSubjectGrantsAndExpiry() {
    String token = tokens.mint("ops/exec-1", List.of(Grant.parse("read:a/s/*"), Grant.parse("read,write:b/*")), Duration.ofMinutes(10));

    Principal principal = tokens.verify(token);
    assertThat(principal.name()).isEqualTo("ops/exec-1");
    assertThat(principal.grants()).extracting(Grant::toString).containsExactly("read:a/s/*", "read,write:b/*");
    assertThat(principal.expiresAt()).isEqualTo(Instant.parse("2026-01-01T00:10:00Z"));
  }

  @Test
  void payload_isTheDocumentedBson() {
    String token = tokens.mint("ops", List.of(Grant.parse("read:a/*")), Duration.ofSeconds(60));
    String[] parts = token.split("\\.");

    assertThat(parts).hasSize(3);
    assertThat(parts[0]).isEqualTo("fc1");
    BsonDocument payload = BsonDocuments.decode(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(payload.getString("sub").getValue()).isEqualTo("ops");
    assertThat(payload.getInt64("iat").getValue()).isEqualTo(clock.instant().getEpochSecond());
    assertThat(payload.getInt64("exp").getValue()).isEqualTo(clock.instant().getEpochSecond() + 60);
    assertThat(payload.getArray("grants").get(0).asDocument().getString("scope").getValue()).isEqualTo("a/*");
  }

  @Test
  void verify_atExpiry_rejectedEvenWhenCached() {
    String token = tokens.mint("ops", List.of(Grant.parse("read:a/*")), Duration.ofSeconds(60));
    assertThat(tokens.verify(token)).isNotNull();

    clock.now = clock.now.plusSeconds(59);
    assertThat(tokens.verify(token)).isNotNull();
    clock.now = clock.now.plusSeconds(1);
    assertThat(tokens.verify(token)).isNull();
  }

  @Test
  void verify_anyOtherLastSignatureCharacter_rejected() {
    // The last character of an unpadded 32-byte MAC carries 4 bits and 2 spare ones: a decoder
    // ignores the spare bits, so a check on decoded bytes would accept three other spellings.
    String token = tokens.mint("ops", List.of(Grant.parse("read:a/*")), Duration.ofSeconds(60));
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = token.charAt(token.length() - 1);
    for (char other : alphabet.toCharArray()) {
      if (other != last) {
        SignedTokens fresh = new SignedTokens(KEY, clock);
        assertThat(fresh.verify(token.substring(0, token.length() - 1) + other)).as("last character %s", other).isNull();
      }
    }
    assertThat(tokens.verify(token)).isNotNull();
  }

  @Test
  void verify_tamperedForeignOrMalformed_rejected() {
    String token = tokens.mint("ops", List.of(Grant.parse("read:a/*")), Duration.ofSeconds(60));
    String[] parts = token.split("\\.");
    String widened = Base64.getUrlEncoder().withoutPadding().encodeToString(BsonDocuments.encode(
        BsonDocuments.decode(Base64.getUrlDecoder().decode(parts[1])).append("sub", new org.bson.BsonString("root"))));
    SignedTokens other = new SignedTokens("another-key-another-key-another-key".getBytes(UTF_8), clock);

    assertThat(tokens.verify(parts[0] + "." + widened + "." + parts[2])).isNull();
    assertThat(tokens.verify(other.mint("ops", List.of(Grant.parse("read:a/*")), Duration.ofSeconds(60)))).isNull();
    for (String bad : List.of("fc1.", "fc1..", "fc1.abc", "fc1.!!!.???", "fc2." + parts[1] + "." + parts[2], token + "x", "x".repeat(9000))) {
      assertThat(tokens.verify(bad)).as(bad).isNull();
    }
  }

  @Test
  void constructor_shortKey_rejected() {
    assertThatThrownBy(() -> new SignedTokens(new byte[31], clock)).hasMessageContaining("at least 32 bytes");
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
