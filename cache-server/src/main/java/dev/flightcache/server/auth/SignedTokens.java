package dev.flightcache.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flightcache.proto.Permission;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Signed delegation tokens: {@code fc1.<payload>.<mac>}, where payload is base64url (no padding)
 * of a BSON document {@code {sub, grants: [{scope, perms: [..]}], iat, exp}} and mac is base64url
 * of HMAC-SHA256 over {@code "fc1." + payload} with the server's signing key. A token is verified
 * without any lookup: constant-time MAC comparison, then {@code exp > now}. Verified tokens are
 * cached (bounded), so a busy executor's token costs one map lookup per call. Thread-safe.
 */
public final class SignedTokens {
  static final String PREFIX = "fc1.";
  /** The shortest signing key accepted, in bytes. */
  public static final int MIN_KEY_BYTES = 32;
  static final int MAX_TOKEN_CHARS = 8192;
  private static final String HMAC = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  private final Clock clock;
  private final Cache<String, Principal> verified = Caffeine.newBuilder().maximumSize(10_000).build();

  /**
   * @param key the secret, at least {@value #MIN_KEY_BYTES} bytes
   * @param clock decides expiry (tests pass a fixed one)
   */
  public SignedTokens(byte[] key, Clock clock) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("the signing key must be at least " + MIN_KEY_BYTES + " bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), HMAC);
    this.clock = clock;
  }

  /** Now, by the clock expiry is decided with. */
  public Instant now() {
    return clock.instant();
  }

  /** Whether the text has the shape of a signed token (then a store lookup is pointless). */
  static boolean looksSigned(String token) {
    return token.startsWith(PREFIX);
  }

  /** Signs a token for {@code subject} with {@code grants}, valid from now for {@code ttl}. */
  public String mint(String subject, List<Grant> grants, Duration ttl) {
    long now = clock.instant().getEpochSecond();
    BsonArray grantArray = new BsonArray();
    for (Grant grant : grants) {
      BsonArray perms = new BsonArray();
      EnumSet.copyOf(grant.permissions()).forEach(p -> perms.add(new BsonString(p.wireName())));
      grantArray.add(new BsonDocument("scope", new BsonString(grant.scope().toString())).append("perms", perms));
    }
    BsonDocument payload = new BsonDocument("sub", new BsonString(subject))
        .append("grants", grantArray)
        .append("iat", new BsonInt64(now))
        .append("exp", new BsonInt64(now + ttl.getSeconds()));
    String signed = PREFIX + ENCODER.encodeToString(BsonDocuments.encode(payload));
    return signed + "." + ENCODER.encodeToString(mac(signed));
  }

  /**
   * The principal a token stands for, or null if it is malformed, forged, tampered with or
   * expired. Never throws on bad input.
   */
  public Principal verify(String token) {
    Principal cached = verified.getIfPresent(token);
    Principal principal = cached != null ? cached : decode(token);
    if (principal == null) {
      return null;
    }
    if (!clock.instant().isBefore(principal.expiresAt())) {
      verified.invalidate(token);
      return null;
    }
    if (cached == null) {
      verified.put(token, principal);
    }
    return principal;
  }

  private Principal decode(String token) {
    if (!looksSigned(token) || token.length() > MAX_TOKEN_CHARS) {
      return null;
    }
    int dot = token.lastIndexOf('.');
    if (dot <= PREFIX.length()) {
      return null;
    }
    String signed = token.substring(0, dot);
    try {
      // Compared in its one canonical encoding: decoding first would ignore the spare low bits
      // of the last character, so four spellings of every signature would pass.
      byte[] presented = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
      if (!MessageDigest.isEqual(presented, ENCODER.encodeToString(mac(signed)).getBytes(StandardCharsets.US_ASCII))) {
        return null;
      }
      return principal(BsonDocuments.decode(DECODER.decode(signed.substring(PREFIX.length()))));
    } catch (RuntimeException e) {
      // Bad base64 or BSON under a valid MAC means a key was leaked or reused: treat it as forged.
      return null;
    }
  }

  private static Principal principal(BsonDocument payload) {
    String subject = payload.getString("sub").getValue();
    List<Grant> grants = new ArrayList<>();
    for (BsonValue value : payload.getArray("grants")) {
      BsonDocument grant = value.asDocument();
      Set<Permission> permissions = EnumSet.noneOf(Permission.class);
      for (BsonValue perm : grant.getArray("perms")) {
        permissions.addAll(Permission.parse(perm.asString().getValue()));
      }
      grants.add(new Grant(Scope.parse(grant.getString("scope").getValue()), permissions));
    }
    return new Principal(subject, grants, Instant.ofEpochSecond(payload.getNumber("exp").longValue()));
  }

  private byte[] mac(String signed) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has HmacSHA256", e);
    }
  }
}
