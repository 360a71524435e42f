package dev.flightcache.cli;

import dev.flightcache.client.CacheClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How cache-cli proves who it is and whom it trusts: {@code --token}, {@code --token-file} or
 * {@code $FLIGHT_CACHE_TOKEN}; {@code --ca-file}; {@code --cert} and {@code --key}. Any may be
 * null. {@link #toString()} never shows the token.
 *
 * @param token the bearer token itself, or null
 * @param tokenFile a file holding the bearer token, or null
 * @param caFile PEM certificates to trust for TLS, or null for the system's
 * @param certFile PEM client certificate chain for mutual TLS, or null
 * @param keyFile PKCS#8 PEM private key of {@code certFile}, or null
 */
record Access(String token, Path tokenFile, Path caFile, Path certFile, Path keyFile) {
  static final String TOKEN_VARIABLE = "FLIGHT_CACHE_TOKEN";
  static final Access NONE = new Access(null, null, null, null, null);

  /** Adds these settings to a client builder. */
  CacheClient.Builder applyTo(CacheClient.Builder builder) {
    if (token != null) {
      builder.bearerToken(token);
    }
    if (tokenFile != null) {
      builder.bearerTokenFile(tokenFile);
    }
    if (caFile != null) {
      builder.trustRoots(caFile);
    }
    if (certFile != null) {
      builder.clientCertificate(certFile, keyFile);
    }
    return builder;
  }

  /** The first named file that cannot be read, as "--flag path", or null if all can. */
  String unreadableFile() {
    Map<String, Path> files = new LinkedHashMap<>();
    files.put("--token-file", tokenFile);
    files.put("--ca-file", caFile);
    files.put("--cert", certFile);
    files.put("--key", keyFile);
    for (Map.Entry<String, Path> file : files.entrySet()) {
      if (file.getValue() != null && !Files.isReadable(file.getValue())) {
        return file.getKey() + " " + file.getValue();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Access[token=" + (token == null ? "none" : "(set)") + ", tokenFile=" + tokenFile + ", caFile=" + caFile
        + ", certFile=" + certFile + ", keyFile=" + keyFile + "]";
  }
}
