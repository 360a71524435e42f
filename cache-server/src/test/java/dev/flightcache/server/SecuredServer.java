package dev.flightcache.server;

import dev.flightcache.server.auth.TokenStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClientMiddleware;
import org.apache.arrow.flight.Location;

/**
 * A real server over TLS on loopback with a token store, a signing key and, if asked, mutual
 * TLS; all certificates are made by a {@link TestPki} for this test. Clients are Arrow's own
 * {@link FlightClient} sending {@code authorization: Bearer <token>} on every call.
 */
final class SecuredServer implements AutoCloseable {
  /** Tokens of the store every secured test server starts with, and their lines. */
  static final String TEAM_A = "token-team-a-0123456789";
  static final String TEAM_B = "token-team-b-0123456789";
  static final String OPS = "token-ops-0123456789";
  static final String SESSION = "token-session-0123456789";
  static final String TEAM_ADMIN = "token-team-admin-0123456789";

  final Path dir;
  final TestPki pki;
  final TestPki.Pem serverPem;
  final Path tokensFile;
  final byte[] signingKey = "0123456789abcdef0123456789abcdef-test-key".getBytes(StandardCharsets.US_ASCII);
  final TestServer server;

  private SecuredServer(Path dir, boolean mutualTls, String... extraArgs) throws Exception {
    this.dir = dir;
    this.pki = TestPki.create(dir.resolve("pki"), "flight-cache test CA");
    this.serverPem = pki.server();
    this.tokensFile = dir.resolve("tokens");
    Files.writeString(tokensFile, String.join("\n",
        "# test principals",
        line("team-a", TEAM_A, "read,write,delete:team-a/*", "read:shared/*"),
        line("team-b", TEAM_B, "read,write,delete:team-b/*"),
        line("ops", OPS, "all:*"),
        line("exec", SESSION, "read,write,delete:team-a/s1/*"),
        line("team-admin", TEAM_ADMIN, "admin,read,write:team-a/*"),
        "exec-7  cert:CN=exec-7,O=team-a  read:team-a/*",
        ""));
    Path keyFile = dir.resolve("signing-key");
    Files.write(keyFile, signingKey);
    List<String> args = new ArrayList<>(List.of(
        "--tls-cert-file", serverPem.certFile().toString(), "--tls-key-file", serverPem.keyFile().toString(),
        "--auth-tokens-file", tokensFile.toString(), "--auth-signing-key-file", keyFile.toString()));
    if (mutualTls) {
      args.addAll(List.of("--tls-client-ca-file", pki.caFile.toString()));
    }
    args.addAll(Arrays.asList(extraArgs));
    this.server = TestServer.start(dir.resolve("data"), args.toArray(String[]::new));
  }

  /** TLS and a token store (no client certificates). */
  static SecuredServer start(Path dir, String... extraArgs) throws Exception {
    return new SecuredServer(dir, false, extraArgs);
  }

  /** TLS, a token store, and mutual TLS against this test's CA. */
  static SecuredServer startMutualTls(Path dir, String... extraArgs) throws Exception {
    return new SecuredServer(dir, true, extraArgs);
  }

  /** A token store line for {@code token}. */
  static String line(String name, String token, String... grants) {
    return name + " sha256:" + TokenStore.sha256Hex(token) + " " + String.join(" ", grants);
  }

  Location location() {
    return Location.forGrpcTls("127.0.0.1", server.server().port());
  }

  /** A client sending {@code token} as a bearer token; null sends no authorization header. */
  RawClient client(String token) {
    return client(token, null);
  }

  /** A client sending {@code token} (or none) and presenting {@code certificate} (or none). */
  RawClient client(String token, TestPki.Pem certificate) {
    return new RawClient(location(), builder -> {
      try {
        builder.trustedCertificates(new ByteArrayInputStream(Files.readAllBytes(pki.caFile)));
        if (certificate != null) {
          builder.clientCertificate(
              new ByteArrayInputStream(Files.readAllBytes(certificate.certFile())),
              new ByteArrayInputStream(Files.readAllBytes(certificate.keyFile())));
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (token != null) {
        builder.intercept(bearer(token));
      }
    });
  }

  /** Client middleware adding {@code authorization: Bearer <token>} to every call. */
  static FlightClientMiddleware.Factory bearer(String token) {
    return info -> new BearerHeader(token);
  }

  @Override
  public void close() throws Exception {
    server.close();
  }

  /** Adds {@code authorization: Bearer <token>} to every call's headers. */
  private record BearerHeader(String token) implements FlightClientMiddleware {
    @Override
    public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {
      outgoingHeaders.insert("authorization", "Bearer " + token);
    }

    @Override
    public void onHeadersReceived(CallHeaders incomingHeaders) {}

    @Override
    public void onCallCompleted(CallStatus status) {}
  }
}
