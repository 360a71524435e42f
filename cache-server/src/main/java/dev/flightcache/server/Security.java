package dev.flightcache.server;

import dev.flightcache.server.auth.Authenticator;
import dev.flightcache.server.auth.AuthMiddleware;
import dev.flightcache.server.auth.ClientCertificateInterceptor;
import dev.flightcache.server.auth.SignedTokens;
import dev.flightcache.server.auth.TokenStoreFile;
import dev.flightcache.server.config.AuthConfig;
import dev.flightcache.server.config.ConfigException;
import dev.flightcache.server.config.Option;
import dev.flightcache.server.config.ServerConfig;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call, wired around the Flight server: refuses an unauthenticated server on a network
 * address unless {@code --insecure}, loads the token store and the signing key, installs the
 * authentication hooks, and re-reads the token store every {@value #RELOAD_SECONDS} seconds.
 */
final class Security implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Security.class);
  static final long RELOAD_SECONDS = 2;

  private final Authenticator authenticator;
  private final ScheduledExecutorService reloader;

  private Security(Authenticator authenticator, ScheduledExecutorService reloader) {
    this.authenticator = authenticator;
    this.reloader = reloader;
  }

  /**
   * Checks the exposure rules, then reads the token store and the signing key.
   *
   * @throws ConfigException if the server would listen on the network without authentication
   *     and without {@code --insecure}, or a file is missing or invalid
   */
  static Security open(ServerConfig config) {
    AuthConfig auth = config.auth();
    checkExposure(config);
    TokenStoreFile tokens = null;
    if (auth.tokensFile() != null) {
      try {
        tokens = TokenStoreFile.load(auth.tokensFile());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("'" + Option.AUTH_TOKENS_FILE.key() + "': " + e.getMessage());
      }
    }
    SignedTokens signed = null;
    if (auth.signingKeyFile() != null) {
      try {
        signed = new SignedTokens(Files.readAllBytes(auth.signingKeyFile()), Clock.systemUTC());
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException("'" + Option.AUTH_SIGNING_KEY_FILE.key() + "': " + auth.signingKeyFile() + ": " + e.getMessage());
      }
    }
    Authenticator authenticator = new Authenticator(tokens, signed, auth.clientCaFile() != null, auth.maxTokenTtl());
    ScheduledExecutorService reloader = null;
    if (tokens != null) {
      reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "flight-cache-token-store");
        thread.setDaemon(true);
        return thread;
      });
      reloader.scheduleWithFixedDelay(tokens::reloadIfChanged, RELOAD_SECONDS, RELOAD_SECONDS, TimeUnit.SECONDS);
    }
    logger.info("Authentication: {}", describe(auth, signed != null));
    return new Security(authenticator, reloader);
  }

  private static String describe(AuthConfig auth, boolean signing) {
    if (!auth.enabled()) {
      return "off (every caller may do everything)";
    }
    return (auth.tokensFile() != null ? "bearer tokens from " + auth.tokensFile() : "no token store")
        + (auth.clientCaFile() != null ? ", client certificates signed by " + auth.clientCaFile() : "")
        + (signing ? ", signed tokens up to " + auth.maxTokenTtl() : ", signed tokens off");
  }

  /** Without authentication, only loopback unless --insecure; metrics off loopback without TLS is a warning. */
  static void checkExposure(ServerConfig config) {
    boolean flightLoopback = isLoopback(config.bindAddress(), Option.BIND_ADDRESS);
    if (!config.auth().enabled()) {
      if (!flightLoopback && !config.auth().insecure()) {
        throw new ConfigException("refusing to listen on " + config.bindAddress() + " without authentication: set '"
            + Option.AUTH_TOKENS_FILE.key() + "' or '" + Option.TLS_CLIENT_CA_FILE.key() + "' (docs/security.md), bind to "
            + "127.0.0.1, or pass --" + Option.INSECURE.key() + " to let anyone who reaches the port read, write and delete");
      }
      logger.warn(flightLoopback
          ? "Authentication is off: any local process may read, write and delete; listening on loopback only"
          : "Authentication is off and --insecure is set: anyone who reaches {} may read, write and delete", config.bindAddress());
    }
    if (!config.ops().metricsTls() && !isLoopback(config.ops().metricsBindAddress(), Option.METRICS_BIND_ADDRESS)) {
      logger.warn("The metrics port listens on {} over plain HTTP (no object data, but counters and app names); "
          + "set metrics-tls to serve HTTPS", config.ops().metricsBindAddress());
    }
  }

  private static boolean isLoopback(String address, Option option) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("'" + option.key() + "' cannot be resolved: " + address);
    }
  }

  Authenticator authenticator() {
    return authenticator;
  }

  /** Installs authentication on the Flight server: the middleware, and the certificate check on the gRPC server. */
  void install(FlightServer.Builder builder) {
    if (authenticator.required()) {
      builder.middleware(AuthMiddleware.KEY, new AuthMiddleware.Factory(authenticator));
    }
  }

  /** What authentication adds to the Flight server's own gRPC server. */
  void configure(NettyServerBuilder netty) {
    if (authenticator.acceptsCertificates()) {
      netty.intercept(new ClientCertificateInterceptor(authenticator));
    }
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}
