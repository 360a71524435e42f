package dev.flightcache.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker/Dockerfile without a Docker engine: it copies the jars the build
 * makes, starts the server as the README does, runs as a non-root user, keeps the storage on a
 * volume, and checks its health on the metrics port.
 */
class DockerfileTest {
  private final Dockerfile dockerfile = new Dockerfile(RepoFiles.read("docker/Dockerfile"));

  private Dockerfile.Instruction only(List<Dockerfile.Instruction> instructions) {
    assertThat(instructions).hasSize(1);
    return instructions.get(0);
  }

  @Test
  void stages_mavenBuildThenJre17Runtime() {
    List<Dockerfile.Instruction> froms = dockerfile.all("FROM");

    assertThat(froms).hasSize(2);
    assertThat(froms.get(0).arguments()).matches("maven:3\\.\\d+-eclipse-temurin-17 AS build");
    assertThat(froms.get(1).arguments()).isEqualTo("eclipse-temurin:17-jre");
    assertThat(dockerfile.all("RUN").get(0).arguments()).contains("mvn -B").contains(" package");
  }

  @Test
  void copy_theJarsTheBuildMakes() {
    String workdir = only(dockerfile.all("WORKDIR")).arguments();
    List<String> copies = dockerfile.all("COPY").stream().map(Dockerfile.Instruction::arguments).toList();

    assertThat(copies).contains(
        "--from=build " + workdir + "/" + RepoFiles.shadedJar("cache-server") + " /opt/flight-cache/cache-server.jar",
        "--from=build " + workdir + "/" + RepoFiles.shadedJar("cache-cli") + " /opt/flight-cache/cache-cli.jar",
        "LICENSE /opt/flight-cache/LICENSE");
  }

  @Test
  void entrypoint_theReadmesJarWithArrowsOpens() {
    List<String> entrypoint = Dockerfile.execForm(only(dockerfile.all("ENTRYPOINT")).arguments());
    Matcher readme = Pattern.compile("java -jar (\\S+) --port (\\d+) --storage-dir").matcher(RepoFiles.read("README.md"));

    assertThat(readme.find()).as("README's run command").isTrue();
    assertThat(readme.group(1)).isEqualTo(RepoFiles.shadedJar("cache-server"));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
        .containsExactly("-jar", "/opt/flight-cache/cache-server.jar");
    // The flag opens what the jar's manifest opens, to the class path, as docs/configuration.md says.
    assertThat(RepoFiles.pomElement("cache-server/pom.xml", "Add-Opens")).isEqualTo("java.base/java.nio");
    assertThat(entrypoint).contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
    assertThat(RepoFiles.pomElement("pom.xml", "arrow.jvm.flags")).endsWith(",ALL-UNNAMED");
    assertThat(dockerfile.environment()).containsEntry("FLIGHT_CACHE_PORT", readme.group(2));
    assertThat(dockerfile.all("CMD")).isEmpty();
  }

  @Test
  void user_nonRootMatchingTheUserItCreates() {
    String user = only(dockerfile.all("USER")).arguments();

    assertThat(user).matches("\\d+:\\d+").isNotEqualTo("0:0");
    assertThat(user.split(":")[0]).isNotEqualTo("0");
    assertThat(dockerfile.finalStage().stream().filter(i -> i.keyword().equals("RUN")).map(Dockerfile.Instruction::arguments))
        .anySatisfy(run -> assertThat(run).contains("--uid " + user.split(":")[0]).contains("--gid " + user.split(":")[1]));
  }

  @Test
  void environment_validConfigWhoseStorageDirIsTheVolumeAndPortsExposed() {
    ServerConfig config = ConfigLoader.load(new String[0], dockerfile.environment());
    List<String> volumes = Dockerfile.execForm(only(dockerfile.all("VOLUME")).arguments());
    String exposed = only(dockerfile.all("EXPOSE")).arguments();

    assertThat(volumes).containsExactly(config.storageDir().toString());
    assertThat(config.storageDir()).isEqualTo(Path.of("/var/lib/flight-cache"));
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.ops().metricsBindAddress()).isEqualTo("0.0.0.0");
    assertThat(exposed.split(" ")).containsExactlyInAnyOrder(
        String.valueOf(config.port()), String.valueOf(config.ops().metricsPort()));
  }

  @Test
  void healthcheck_readyzOnTheMetricsPort() {
    ServerConfig config = ConfigLoader.load(new String[0], dockerfile.environment());
    String healthcheck = only(dockerfile.all("HEALTHCHECK")).arguments();

    assertThat(healthcheck).contains("CMD curl -fsS http://127.0.0.1:" + config.ops().metricsPort() + "/readyz");
    assertThat(dockerfile.finalStage().get(1).arguments()).contains("install -y --no-install-recommends curl");
  }

  @Test
  void dockerignore_keepsBuildOutputAndDataOut() {
    assertThat(RepoFiles.read("docker/Dockerfile.dockerignore").lines()).contains("**/target", "data", ".git");
  }
}
