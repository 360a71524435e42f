package dev.flightcache.server;

import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import io.micrometer.core.instrument.Clock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Location;

/**
 * A real cache server in this JVM, on a free loopback port, over a directory the test owns.
 * Closing it fails the test if the server leaked Arrow memory.
 */
final class TestServer implements AutoCloseable {
  private final Path dir;
  private final List<String> extraArgs;
  private final Clock clock;
  private CacheServer server;

  private TestServer(Path dir, Clock clock, List<String> extraArgs) throws IOException {
    this.dir = dir;
    this.clock = clock;
    this.extraArgs = extraArgs;
    this.server = CacheServer.start(config(), clock);
  }

  /** Starts a server storing in {@code dir}; {@code extraArgs} are flags such as "--max-patches", "3". */
  static TestServer start(Path dir, String... extraArgs) throws IOException {
    return new TestServer(dir, Clock.SYSTEM, List.of(extraArgs));
  }

  /** As {@link #start(Path, String...)}, measuring time with {@code clock}, such as a MockClock. */
  static TestServer startWithClock(Path dir, Clock clock, String... extraArgs) throws IOException {
    return new TestServer(dir, clock, List.of(extraArgs));
  }

  private ServerConfig config() {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--metrics-port", "0", "--storage-dir", dir.toString(), "--drain-timeout", "5s"));
    args.addAll(extraArgs);
    return ConfigLoader.load(args.toArray(String[]::new), Map.of());
  }

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", server.port());
  }

  String endpoint() {
    return server.endpoint();
  }

  CacheServer server() {
    return server;
  }

  Path dir() {
    return dir;
  }

  /** Stops the server and starts a new one on the same directory (on a new port). */
  void restart() throws Exception {
    server.close();
    server = CacheServer.start(config(), clock);
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
