package dev.flightcache.server.auth;

import java.time.Duration;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who a caller is, from an {@code authorization: Bearer <token>} header (a token store
 * line or a signed token) or from a verified client certificate. It is Flight's
 * {@link CallHeaderAuthenticator}; {@link AuthMiddleware} runs it on every Flight call, so the
 * answer reaches the producer as a {@link Principal}. Never logs a token. Thread-safe.
 */
public final class Authenticator implements CallHeaderAuthenticator {
  /** The one description of every UNAUTHENTICATED answer, whatever was wrong. */
  public static final String REJECTED = "missing or invalid credentials";
  static final String BEARER = "bearer ";
  private static final Logger logger = LoggerFactory.getLogger(Authenticator.class);

  private final TokenStoreFile tokens;
  private final SignedTokens signed;
  private final boolean certificates;
  private final Duration maxTokenTtl;

  /**
   * @param tokens the token store, or null for none
   * @param signed the signing key's codec, or null when signed tokens are off
   * @param certificates whether client certificates are verified (mutual TLS)
   * @param maxTokenTtl the longest lifetime MINT_TOKEN signs
   */
  public Authenticator(TokenStoreFile tokens, SignedTokens signed, boolean certificates, Duration maxTokenTtl) {
    if (signed != null && tokens == null && !certificates) {
      throw new IllegalArgumentException("signed tokens need a token store or client certificates to mint them");
    }
    this.tokens = tokens;
    this.signed = signed;
    this.certificates = certificates;
    this.maxTokenTtl = maxTokenTtl;
  }

  /** Whether every Flight call must authenticate; false means every caller may do everything. */
  public boolean required() {
    return tokens != null || certificates;
  }

  /** Whether a verified client certificate can stand for a token. */
  public boolean acceptsCertificates() {
    return certificates;
  }

  /** The codec MINT_TOKEN signs with, or null when no signing key is configured. */
  public SignedTokens signedTokens() {
    return signed;
  }

  public Duration maxTokenTtl() {
    return maxTokenTtl;
  }

  /**
   * Authenticates the call's bearer token. Without an {@code authorization} header, and with
   * client certificates on, the answer is a {@link Caller} still waiting for the certificate.
   *
   * @throws FlightRuntimeException UNAUTHENTICATED if the header is missing (and certificates are
   *     off), malformed, or its token is unknown, forged or expired
   */
  @Override
  public Caller authenticate(CallHeaders headers) {
    String header = headers.get("authorization");
    if (header == null) {
      if (certificates) {
        return new Caller(null);
      }
      throw rejected("no authorization header");
    }
    Principal principal = bearer(header);
    if (principal == null) {
      throw rejected("unknown, malformed or expired bearer token");
    }
    return new Caller(principal);
  }

  /** The principal of an {@code authorization} header's value, or null. */
  Principal bearer(String header) {
    if (header.length() <= BEARER.length() || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return null;
    }
    String token = header.substring(BEARER.length()).strip();
    if (token.isEmpty()) {
      return null;
    }
    if (SignedTokens.looksSigned(token)) {
      return signed == null ? null : signed.verify(token);
    }
    return tokens == null ? null : tokens.current().byToken(token);
  }

  /**
   * The principal of a caller whose certificate the TLS handshake verified: its {@code cert:}
   * line, or, with no token store, a caller allowed everything.
   *
   * @throws FlightRuntimeException UNAUTHENTICATED if the store has no line for it
   */
  public Principal certificate(X500Principal subject) {
    String name = subject.getName(X500Principal.RFC2253);
    if (tokens == null) {
      return Principal.unrestricted(name);
    }
    Principal principal = tokens.current().byCertificate(subject);
    if (principal == null) {
      throw rejected("no 'cert:' line for the client certificate " + name);
    }
    return principal;
  }

  static FlightRuntimeException rejected(String why) {
    logger.debug("Rejected a call: {}", why);
    return CallStatus.UNAUTHENTICATED.withDescription(REJECTED).toRuntimeException();
  }

  /**
   * The outcome of {@link #authenticate}: the principal, or null while the client certificate is
   * still to be checked.
   */
  public record Caller(Principal principal) implements AuthResult {
    @Override
    public String getPeerIdentity() {
      return principal == null ? "" : principal.name();
    }
  }
}
