package dev.flightcache.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.Option;
import dev.flightcache.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The systemd unit and the sample configuration files under ci/. */
class HostFilesTest {

  /** The unit's [Service] settings; repeated keys keep the last. */
  private static Map<String, String> serviceSection() {
    Map<String, String> settings = new LinkedHashMap<>();
    String section = "";
    for (String line : RepoFiles.read("ci/flight-cache.service").lines().toList()) {
      if (line.startsWith("[")) {
        section = line;
      } else if (section.equals("[Service]") && !line.isBlank() && !line.startsWith("#")) {
        settings.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return settings;
  }

  @Test
  void unit_memoryLimitRestartPolicyAndCleanStop() {
    Map<String, String> service = serviceSection();

    assertThat(service).containsEntry("MemoryMax", "2G").containsEntry("Restart", "on-failure").containsEntry("KillSignal", "SIGTERM");
    assertThat(service).containsKey("RestartSec").containsEntry("DynamicUser", "yes").containsEntry("StateDirectory", "flight-cache");
    assertThat(RepoFiles.read("ci/flight-cache.service")).contains("[Install]\nWantedBy=multi-user.target");
  }

  @Test
  void unit_startsTheServerJarWithTheInstalledSampleConfig() {
    List<String> exec = List.of(serviceSection().get("ExecStart").split(" "));

    assertThat(exec.get(0)).isEqualTo("/usr/bin/java");
    assertThat(exec).contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
    assertThat(exec.subList(exec.size() - 4, exec.size()))
        .containsExactly("-jar", "/opt/flight-cache/cache-server.jar", "--config", "/etc/flight-cache/server.properties");
    // The header's install lines put the sample config where ExecStart reads it.
    assertThat(RepoFiles.read("ci/flight-cache.service"))
        .contains("install -D -m 0644 ci/flight-cache.properties /etc/flight-cache/server.properties")
        .contains("install -D -m 0644 " + RepoFiles.shadedJar("cache-server") + " /opt/flight-cache/cache-server.jar");
  }

  @Test
  void unit_memoryMaxAboveHeapPlusDirectAndStopTimeoutAboveDrain() {
    Map<String, String> service = serviceSection();
    ServerConfig config = load("ci/flight-cache.properties");
    List<String> exec = List.of(service.get("ExecStart").split(" "));

    long heap = megabytes(exec.stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow().substring(4));
    long direct = megabytes(exec.stream().filter(f -> f.startsWith("-XX:MaxDirectMemorySize=")).findFirst().orElseThrow().substring(24));
    assertThat(megabytes(service.get("MemoryMax"))).isGreaterThanOrEqualTo(heap + direct + 256);
    assertThat(Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec").replace("s", "")))).isGreaterThan(config.drainTimeout());
    // StateDirectory=flight-cache is /var/lib/flight-cache.
    assertThat(config.storageDir()).isEqualTo(Path.of("/var/lib/", service.get("StateDirectory")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ci/server.properties", "ci/flight-cache.properties"})
  void sampleConfig_loadsAndEveryKeyIsUnderAComment(String file) {
    load(file);
    List<String> lines = RepoFiles.read(file).lines().toList();
    List<String> uncommented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (isKey(lines.get(i))) {
        // Keys may share one comment (high- and low-watermark), but no blank line may come between.
        int above = i - 1;
        while (above >= 0 && isKey(lines.get(above))) {
          above--;
        }
        if (above < 0 || !lines.get(above).startsWith("#")) {
          uncommented.add(lines.get(i));
        }
      }
    }
    assertThat(uncommented).as("keys without a comment above them in %s", file).isEmpty();
  }

  /** A setting, or a setting commented out as an example ({@code #port-file = ...}). */
  private static boolean isKey(String line) {
    return line.matches("#?[a-z-]+ *[=:].*");
  }

  @Test
  void hostSample_listensOnTheNetworkOnlyWithATokenStore() {
    ServerConfig config = load("ci/flight-cache.properties");

    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.auth().enabled()).isTrue();
    assertThat(config.auth().tokensFile()).isEqualTo(Path.of("/etc/flight-cache/tokens"));
    assertThat(RepoFiles.read("ci/flight-cache.service")).contains("install -D -m 0644 tokens " + config.auth().tokensFile());
  }

  @Test
  void serverProperties_listsEveryOption() {
    String sample = RepoFiles.read("ci/server.properties");

    for (Option option : Option.values()) {
      if (option != Option.CONFIG) {
        assertThat(sample).as("ci/server.properties lists %s", option.key()).containsPattern("(?m)^#?" + option.key() + " = ");
      }
    }
  }

  private static ServerConfig load(String file) {
    return ConfigLoader.load(new String[] {"--config", RepoFiles.path(file).toString()}, Map.of());
  }

  private static long megabytes(String size) {
    long number = Long.parseLong(size.replaceAll("[^0-9]", ""));
    return switch (size.replaceAll("[0-9]", "").toLowerCase()) {
      case "g" -> number * 1024;
      case "m" -> number;
      default -> throw new AssertionError("unexpected size " + size);
    };
  }
}
