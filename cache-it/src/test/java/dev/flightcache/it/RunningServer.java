package dev.flightcache.it;

import dev.flightcache.client.CacheClient;
import dev.flightcache.server.CacheServer;
import dev.flightcache.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real server in this JVM on a free loopback port; closing it fails on leaked memory. */
final class RunningServer implements AutoCloseable {
  private final CacheServer server;

  private RunningServer(CacheServer server) {
    this.server = server;
  }

  static RunningServer start(Path dir, String... extraArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--metrics-port", "0", "--storage-dir", dir.toString(), "--drain-timeout", "5s"));
    args.addAll(List.of(extraArgs));
    return new RunningServer(CacheServer.start(ConfigLoader.load(args.toArray(String[]::new), Map.of())));
  }

  String endpoint() {
    return server.endpoint();
  }

  int port() {
    return server.port();
  }

  int metricsPort() {
    return server.metricsPort();
  }

  CacheClient.Builder clientBuilder() {
    return CacheClient.builder().endpoint(endpoint()).callTimeout(Duration.ofSeconds(20));
  }

  CacheClient client() {
    return clientBuilder().build();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
