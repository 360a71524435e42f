package dev.flightcache.server.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Who may call: the token store, the signing key for delegation tokens, the CA that client
 * certificates must chain to, and the explicit opt-out of authentication. Built by {@link
 * ConfigLoader} as part of {@link ServerConfig}; docs/security.md explains each.
 *
 * @param tokensFile the token store, or null for none
 * @param signingKeyFile the signing key, or null: signed tokens and MINT_TOKEN are then off
 * @param maxTokenTtl the longest lifetime MINT_TOKEN signs
 * @param clientCaFile the CA bundle for mutual TLS, or null for none
 * @param insecure whether a non-loopback bind without authentication is allowed
 */
public record AuthConfig(Path tokensFile, Path signingKeyFile, Duration maxTokenTtl, Path clientCaFile, boolean insecure) {

  public AuthConfig {
    ServerConfig.require(
        maxTokenTtl.compareTo(Duration.ofSeconds(1)) >= 0, Option.AUTH_MAX_TOKEN_TTL, "must be at least 1s");
    ServerConfig.require(signingKeyFile == null || tokensFile != null || clientCaFile != null, Option.AUTH_SIGNING_KEY_FILE,
        "needs '" + Option.AUTH_TOKENS_FILE.key + "' or '" + Option.TLS_CLIENT_CA_FILE.key + "': someone must authenticate to mint");
  }

  /** No authentication, loopback only. */
  public static AuthConfig off() {
    return new AuthConfig(null, null, Duration.ofHours(24), null, false);
  }

  /** Whether calls must authenticate (a token store or client certificates). */
  public boolean enabled() {
    return tokensFile != null || clientCaFile != null;
  }
}
