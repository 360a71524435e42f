package dev.flightcache.server;

import ch.qos.logback.classic.Level;
import dev.flightcache.server.config.ConfigException;
import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar cache-server.jar [--option value]...}; see {@code --help}. */
public final class Main {
  private static final Logger logger = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(ConfigLoader.usage());
      return;
    }
    ServerConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("flight-cache: " + e.getMessage());
      System.err.println("Run with --help to see every option.");
      System.exit(2);
      return;
    }
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.logLevel()));
    CacheServer server;
    try {
      server = CacheServer.start(config);
    } catch (ConfigException e) {
      // A setting that cannot work: an invalid file an option names (quotas, tokens), or a network
      // bind without authentication. The message says what and where; no stack trace.
      logger.error("flight-cache could not start: {}", e.getMessage());
      System.err.println("flight-cache: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      logger.error("flight-cache could not start: {}", e.toString(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      logger.info("Shutting down: draining in-flight calls for up to {}", config.drainTimeout());
      int status = 0;
      try {
        server.close();
      } catch (Exception e) {
        logger.error("Shutdown failed: {}", e.toString(), e);
        status = 1;
      }
      // A JVM stopped by SIGTERM exits with 143; a clean drain is a clean exit for supervisors.
      Runtime.getRuntime().halt(status);
    }, "flight-cache-shutdown"));
    server.awaitTermination();
  }
}
