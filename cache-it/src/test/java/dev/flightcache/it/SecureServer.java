package dev.flightcache.it;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.RetryPolicy;
import dev.flightcache.server.auth.TokenStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real server over TLS on loopback with a token store and a signing key, and, if asked,
 * mutual TLS; its certificates come from an {@link TestCertificates.Authority} made for the test.
 */
final class SecureServer implements AutoCloseable {
  static final String TEAM_A = "team-a-token-4d2f9a71";
  static final String TEAM_B = "team-b-token-0c83e5b6";
  static final String OPS = "ops-token-93be01c7";
  /** Read, write and delete on one session only: team-a/s1. */
  static final String SESSION = "session-token-51a7d3e0";
  /** Admin, read and write on team-a: may mint tokens for team-a. */
  static final String TEAM_ADMIN = "team-admin-token-6f0e2c94";
  /** The subject of the one client certificate the store names. */
  static final String EXEC_SUBJECT = "CN=exec-7,O=team-a";

  final TestCertificates.Authority authority;
  final Path tokensFile;
  /** With mutual TLS, the certificate {@link #clientBuilder()} presents: signed, but not in the store. */
  final TestCertificates.Pem defaultClientCertificate;
  final byte[] signingKey = "flight-cache-it-signing-key-0123456789".getBytes(StandardCharsets.US_ASCII);
  private final RunningServer server;

  private SecureServer(Path dir, boolean mutualTls, String... extraArgs) throws Exception {
    authority = new TestCertificates.Authority(dir.resolve("pki"), "flight-cache it CA");
    TestCertificates.Pem serverPem = authority.server();
    tokensFile = Files.writeString(dir.resolve("tokens"), String.join("\n",
        "# name  credential  grants",
        line("team-a", TEAM_A, "read,write,delete:team-a/*", "read:shared/*"),
        line("team-b", TEAM_B, "read,write,delete:team-b/*"),
        line("ops", OPS, "all:*"),
        line("exec", SESSION, "read,write,delete:team-a/s1/*"),
        line("team-admin", TEAM_ADMIN, "admin,read,write:team-a/*"),
        "exec-7  cert:" + EXEC_SUBJECT + "  read:team-a/*",
        ""));
    Path keyFile = Files.write(dir.resolve("signing-key"), signingKey);
    List<String> args = new ArrayList<>(List.of(
        "--tls-cert-file", serverPem.certFile().toString(), "--tls-key-file", serverPem.keyFile().toString(),
        "--auth-tokens-file", tokensFile.toString(), "--auth-signing-key-file", keyFile.toString(),
        "--auth-max-token-ttl", "2h"));
    if (mutualTls) {
      args.addAll(List.of("--tls-client-ca-file", authority.caFile().toString()));
    }
    args.addAll(List.of(extraArgs));
    defaultClientCertificate = mutualTls ? authority.client("it-client", "CN=flight-cache it client") : null;
    server = RunningServer.start(dir.resolve("data"), args.toArray(String[]::new));
  }

  /** TLS, a token store and a signing key, plus {@code extraArgs}: more server options. */
  static SecureServer start(Path dir, String... extraArgs) throws Exception {
    return new SecureServer(dir, false, extraArgs);
  }

  /** As {@link #start}, and client certificates signed by the test's authority are required. */
  static SecureServer startMutualTls(Path dir) throws Exception {
    return new SecureServer(dir, true);
  }

  /** A token store line for {@code token}. */
  static String line(String name, String token, String... grants) {
    return name + "  sha256:" + TokenStore.sha256Hex(token) + "  " + String.join("  ", grants);
  }

  String endpoint() {
    return "grpc+tls://127.0.0.1:" + server.port();
  }

  /**
   * A builder for this server: its endpoint, its CA trusted, no retries, and with mutual TLS the
   * {@link #defaultClientCertificate}.
   */
  CacheClient.Builder clientBuilder() {
    CacheClient.Builder builder = CacheClient.builder().endpoint(endpoint()).trustRoots(authority.caFile())
        .retryPolicy(RetryPolicy.NONE).callTimeout(Duration.ofSeconds(20));
    return defaultClientCertificate == null ? builder
        : builder.clientCertificate(defaultClientCertificate.certFile(), defaultClientCertificate.keyFile());
  }

  /** A client sending {@code token}; null sends none. */
  CacheClient client(String token) {
    CacheClient.Builder builder = clientBuilder();
    return (token == null ? builder : builder.bearerToken(token)).build();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
