package dev.flightcache.client;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The client's TLS context and credentials, made from the builder's settings and checked
 * together, so that a bad file fails {@code build()} instead of the first call.
 *
 * @param tls the context of every TLS connection, or null for a default one (the system's trust
 *     roots, no client certificate)
 */
record Security(SslContext tls, Credentials credentials) {
  /** The builder's security settings; any may be null. */
  public record Settings(Path trustRoots, Path certChain, Path privateKey, String bearerToken, Path bearerTokenFile) {}

  /**
   * Reads and checks the settings' files and token.
   *
   * @param problems receives one message per problem; none ever quotes a token or a key
   * @return the security, or null if there were problems
   */
  public static Security from(Settings settings, LongSupplier nanoTime, List<String> problems) {
    int before = problems.size();
    Credentials credentials = credentials(settings, nanoTime, problems);
    if ((settings.certChain() == null) != (settings.privateKey() == null)) {
      problems.add("clientCertificate needs both a certificate chain and a private key");
    }
    byte[] trustRoots = read(settings.trustRoots(), "trustRoots", problems);
    byte[] certChain = read(settings.certChain(), "clientCertificate chain", problems);
    byte[] privateKey = read(settings.privateKey(), "clientCertificate private key", problems);
    if (problems.size() > before) {
      return null;
    }
    if (trustRoots == null && certChain == null) {
      return new Security(null, credentials);
    }
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      if (trustRoots != null) {
        ssl.trustManager(new ByteArrayInputStream(trustRoots));
      }
      if (certChain != null) {
        ssl.keyManager(new ByteArrayInputStream(certChain), new ByteArrayInputStream(privateKey));
      }
      return new Security(ssl.build(), credentials);
    } catch (IOException | IllegalArgumentException e) {
      problems.add("cannot use the TLS files (" + (certChain == null ? "trustRoots" : "trustRoots or clientCertificate")
          + "): " + e.getMessage());
      return null;
    }
  }

  private static Credentials credentials(Settings settings, LongSupplier nanoTime, List<String> problems) {
    if (settings.bearerToken() != null && settings.bearerTokenFile() != null) {
      problems.add("set bearerToken or bearerTokenFile, not both");
      return null;
    }
    if (settings.bearerToken() != null) {
      String problem = Credentials.problem(settings.bearerToken());
      if (problem != null) {
        problems.add("bearerToken " + problem);
        return null;
      }
      return Credentials.fixed(settings.bearerToken());
    }
    if (settings.bearerTokenFile() != null) {
      try {
        return new TokenFile(settings.bearerTokenFile(), nanoTime);
      } catch (IOException e) {
        problems.add("cannot read bearerTokenFile " + settings.bearerTokenFile() + ": " + e);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
      return null;
    }
    return Credentials.NONE;
  }

  private static byte[] read(Path file, String what, List<String> problems) {
    if (file == null) {
      return null;
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      problems.add("cannot read " + what + " " + file + ": " + e);
      return null;
    }
  }
}
