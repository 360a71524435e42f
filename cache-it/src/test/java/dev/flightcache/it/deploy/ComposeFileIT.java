package dev.flightcache.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.cli.CacheCli;
import dev.flightcache.client.CacheClient;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.server.CacheServer;
import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose.yaml parses, and wires ports, the volume and the environment to what the image
 * and the server expect; its one-shot example client's command runs against a real server.
 */
class ComposeFileIT {
  private final Map<String, Object> compose = RepoFiles.yamlDocuments("docker/compose.yaml").get(0);
  private final Dockerfile dockerfile = new Dockerfile(RepoFiles.read("docker/Dockerfile"));
  @TempDir Path dir;

  private Map<String, Object> service(String name) {
    return RepoFiles.map(RepoFiles.map(compose.get("services")).get(name));
  }

  /** The server's settings in the cache container: the image's ENV, then compose's environment. */
  private ServerConfig cacheConfig() {
    Map<String, String> environment = new HashMap<>(dockerfile.environment());
    RepoFiles.map(service("cache").get("environment")).forEach((name, value) -> environment.put(name, String.valueOf(value)));
    return ConfigLoader.load(new String[0], environment);
  }

  @Test
  void cache_buildsTheDockerfileFromTheRepositoryRoot() {
    Map<String, Object> build = RepoFiles.map(service("cache").get("build"));

    Path context = RepoFiles.path("docker").resolve((String) build.get("context")).normalize();
    assertThat(context).isEqualTo(RepoFiles.ROOT);
    assertThat(context.resolve((String) build.get("dockerfile"))).isEqualTo(RepoFiles.path("docker/Dockerfile"));
    assertThat(service("example").get("image")).isEqualTo(service("cache").get("image"));
  }

  @Test
  void cache_publishesTheFlightAndMetricsPortsTheServerListensOn() {
    ServerConfig config = cacheConfig();
    List<String> ports = RepoFiles.list(service("cache").get("ports")).stream().map(String::valueOf).toList();

    // On the host's loopback only: the demo runs without authentication.
    assertThat(ports).containsExactly(
        "127.0.0.1:" + config.port() + ":" + config.port(), "127.0.0.1:" + config.ops().metricsPort() + ":" + config.ops().metricsPort());
    assertThat(config.auth().enabled()).isFalse();
    assertThat(config.auth().insecure()).isTrue();
  }

  @Test
  void cache_namedVolumeOnTheStorageDir() {
    ServerConfig config = cacheConfig();
    List<Object> volumes = RepoFiles.list(service("cache").get("volumes"));

    assertThat(volumes).hasSize(1);
    String[] mount = ((String) volumes.get(0)).split(":");
    assertThat(RepoFiles.map(compose.get("volumes"))).containsKey(mount[0]);
    assertThat(mount[1]).isEqualTo(config.storageDir().toString());
    assertThat(Dockerfile.execForm(dockerfile.all("VOLUME").get(0).arguments())).containsExactly(mount[1]);
  }

  @Test
  void cache_environmentIsValidAndAdvertisesTheServiceName() {
    ServerConfig config = cacheConfig();
    URI advertised = URI.create(config.advertiseEndpoint());

    assertThat(RepoFiles.map(service("cache").get("environment")).keySet()).allMatch(name -> name.startsWith("FLIGHT_CACHE_"));
    assertThat(advertised.getHost()).isEqualTo("cache");
    assertThat(RepoFiles.map(compose.get("services"))).containsKey(advertised.getHost());
    assertThat(advertised.getPort()).isEqualTo(config.port());
    assertThat(config.ops().accessLog()).isTrue();
    assertThat(service("cache").get("stop_grace_period")).isEqualTo("45s");
    assertThat(config.drainTimeout().getSeconds()).isLessThan(45);
  }

  @Test
  void example_waitsForAHealthyCacheAndRunsOnce() {
    Map<String, Object> example = service("example");

    assertThat(RepoFiles.map(RepoFiles.map(example.get("depends_on")).get("cache"))).containsEntry("condition", "service_healthy");
    assertThat(example.get("restart")).isEqualTo("no");
    assertThat(RepoFiles.list(example.get("entrypoint"))).containsExactly("java", "-jar", "/opt/flight-cache/cache-cli.jar");
  }

  @Test
  void example_commandAgainstARealServer_uploadsTheImagesLicense() throws Exception {
    List<String> command = new ArrayList<>();
    RepoFiles.list(service("example").get("command")).forEach(word -> command.add((String) word));
    ServerConfig serverConfig = ConfigLoader.load(new String[] {
        "--port", "0", "--metrics-port", "0", "--storage-dir", dir.toString(), "--drain-timeout", "5s"}, Map.of());
    try (CacheServer server = CacheServer.start(serverConfig)) {
      // Inside compose, "cache" is the server and /opt/flight-cache/LICENSE is the repository's LICENSE.
      assertThat(dockerfile.all("COPY")).anySatisfy(copy -> assertThat(copy.arguments()).isEqualTo("LICENSE /opt/flight-cache/LICENSE"));
      List<String> args = command.stream()
          .map(word -> word.equals("grpc://cache:9090") ? server.endpoint() : word)
          .map(word -> word.equals("/opt/flight-cache/LICENSE") ? RepoFiles.path("LICENSE").toString() : word)
          .toList();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int code = CacheCli.run(args.toArray(String[]::new), InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(command).contains("grpc://cache:9090", "/opt/flight-cache/LICENSE");
      assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(code).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("key=demo/compose/license version=1 ");
      try (CacheClient client = CacheClient.builder().endpoint(server.endpoint()).build()) {
        byte[] stored = new byte[(int) Files.size(RepoFiles.path("LICENSE"))];
        client.get(new ObjectRef(server.endpoint(), ObjectKey.parse("demo/compose/license"), 0)).base().get(stored);
        assertThat(stored).isEqualTo(Files.readAllBytes(RepoFiles.path("LICENSE")));
      }
    }
  }
}
