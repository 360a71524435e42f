package dev.flightcache.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.config.ConfigLoader;
import dev.flightcache.server.config.ServerConfig;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker/kubernetes/: a DaemonSet that runs one cache per node on the node's disk and advertises
 * the pod's IP, probes on the metrics port, resource limits, and a node-local Service.
 */
class KubernetesManifestsTest {
  private final Map<String, Object> daemonSet = RepoFiles.yamlDocuments("docker/kubernetes/daemonset.yaml").get(0);
  private final Map<String, Object> service = RepoFiles.yamlDocuments("docker/kubernetes/service.yaml").get(0);
  private final Dockerfile dockerfile = new Dockerfile(RepoFiles.read("docker/Dockerfile"));

  private static Map<String, Object> at(Map<String, Object> node, String... path) {
    Map<String, Object> current = node;
    for (String name : path) {
      current = RepoFiles.map(current.get(name));
    }
    return current;
  }

  private Map<String, Object> podSpec() {
    return at(daemonSet, "spec", "template", "spec");
  }

  private Map<String, Object> container() {
    List<Object> containers = RepoFiles.list(podSpec().get("containers"));
    assertThat(containers).hasSize(1);
    return RepoFiles.map(containers.get(0));
  }

  private Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    RepoFiles.list(container().get("ports")).forEach(p -> ports.put((String) RepoFiles.map(p).get("name"), (Integer) RepoFiles.map(p).get("containerPort")));
    return ports;
  }

  /** The server's settings in the pod: the image's ENV, then the container's env, POD_IP filled in. */
  private ServerConfig config() {
    Map<String, String> environment = new HashMap<>(dockerfile.environment());
    for (Object entry : RepoFiles.list(container().get("env"))) {
      Map<String, Object> variable = RepoFiles.map(entry);
      if (variable.containsKey("value")) {
        environment.put((String) variable.get("name"), ((String) variable.get("value")).replace("$(POD_IP)", "10.1.2.3"));
      }
    }
    return ConfigLoader.load(new String[0], environment);
  }

  @Test
  void daemonSet_selectorMatchesPodLabels() {
    assertThat(daemonSet).containsEntry("apiVersion", "apps/v1").containsEntry("kind", "DaemonSet");
    assertThat(at(daemonSet, "spec", "selector", "matchLabels")).isEqualTo(at(daemonSet, "spec", "template", "metadata", "labels"));
  }

  @Test
  void advertisedEndpoint_thePodsIpOnTheFlightPort() {
    List<Object> env = RepoFiles.list(container().get("env"));
    Map<String, Object> podIp = RepoFiles.map(env.get(0));

    // $(POD_IP) expands only if POD_IP is defined earlier in the list.
    assertThat(podIp.get("name")).isEqualTo("POD_IP");
    assertThat(at(podIp, "valueFrom", "fieldRef")).containsEntry("fieldPath", "status.podIP");
    URI advertised = URI.create(config().advertiseEndpoint());
    assertThat(advertised.getHost()).isEqualTo("10.1.2.3");
    assertThat(advertised.getPort()).isEqualTo(config().port()).isEqualTo(containerPorts().get("flight"));
  }

  @Test
  void storage_theNodesDiskAtTheStorageDir() {
    Map<String, Object> volume = RepoFiles.map(RepoFiles.list(podSpec().get("volumes")).get(0));
    Map<String, Object> mount = RepoFiles.map(RepoFiles.list(container().get("volumeMounts")).get(0));

    assertThat(at(volume, "hostPath")).containsEntry("type", "DirectoryOrCreate");
    assertThat(mount).containsEntry("name", volume.get("name")).containsEntry("mountPath", config().storageDir().toString());
    Map<String, Object> init = RepoFiles.map(RepoFiles.list(podSpec().get("initContainers")).get(0));
    String user = dockerfile.all("USER").get(0).arguments();
    assertThat(RepoFiles.list(init.get("command"))).containsExactly("chown", user, config().storageDir().toString());
  }

  @Test
  void probes_livenessHealthzReadinessReadyzOnTheMetricsPort() {
    assertThat(containerPorts()).containsEntry("metrics", config().ops().metricsPort());
    assertThat(at(container(), "livenessProbe", "httpGet")).containsEntry("path", "/healthz").containsEntry("port", "metrics");
    assertThat(at(container(), "readinessProbe", "httpGet")).containsEntry("path", "/readyz").containsEntry("port", "metrics");
    assertThat(at(container(), "startupProbe", "httpGet")).containsEntry("path", "/readyz").containsEntry("port", "metrics");
  }

  @Test
  void auth_tokenStoreAndSigningKeyFromTheMountedSecret() {
    ServerConfig config = config();
    Map<String, Object> volume = RepoFiles.list(podSpec().get("volumes")).stream().map(RepoFiles::map)
        .filter(v -> "auth".equals(v.get("name"))).findFirst().orElseThrow();
    Map<String, Object> mount = RepoFiles.list(container().get("volumeMounts")).stream().map(RepoFiles::map)
        .filter(m -> "auth".equals(m.get("name"))).findFirst().orElseThrow();

    // Pods bind 0.0.0.0 (the image's default), so authentication must be on.
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.auth().enabled()).isTrue();
    assertThat(config.auth().insecure()).isFalse();
    assertThat(at(volume, "secret")).containsEntry("secretName", "flight-cache-auth");
    // A whole-Secret mount, not subPath: the kubelet updates it, and the server re-reads the store.
    assertThat(mount).containsEntry("readOnly", true).doesNotContainKey("subPath");
    java.nio.file.Path dir = java.nio.file.Path.of((String) mount.get("mountPath"));
    assertThat(config.auth().tokensFile()).isEqualTo(dir.resolve("tokens"));
    assertThat(config.auth().signingKeyFile()).isEqualTo(dir.resolve("signing-key"));
    assertThat(RepoFiles.read("docker/kubernetes/daemonset.yaml"))
        .contains("kubectl create secret generic flight-cache-auth --from-file=tokens=./tokens --from-file=signing-key=./signing-key");
  }

  @Test
  void resources_requestsAndLimitsSet() {
    assertThat(at(container(), "resources", "limits")).containsKeys("cpu", "memory");
    assertThat(at(container(), "resources", "requests")).containsKeys("cpu", "memory");
  }

  @Test
  void pod_nonRootAsTheImageAndGraceLongerThanTheDrain() {
    String[] user = dockerfile.all("USER").get(0).arguments().split(":");

    assertThat(at(podSpec(), "securityContext")).containsEntry("runAsNonRoot", true)
        .containsEntry("runAsUser", Integer.valueOf(user[0])).containsEntry("runAsGroup", Integer.valueOf(user[1]));
    assertThat((Integer) podSpec().get("terminationGracePeriodSeconds")).isGreaterThan((int) config().drainTimeout().getSeconds());
  }

  @Test
  void sparkDefaults_endpointIsTheServiceAndJvmFlagsAsTheClientGuide() {
    Map<String, String> spark = new HashMap<>();
    RepoFiles.read("docker/kubernetes/spark-defaults.conf").lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> spark.put(line.split("\\s+", 2)[0], line.split("\\s+", 2)[1]));
    String name = (String) at(service, "metadata").get("name");
    int flightPort = (Integer) RepoFiles.map(RepoFiles.list(at(service, "spec").get("ports")).get(0)).get("port");
    String clientFlag = "--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED";

    URI endpoint = URI.create(spark.get("spark.executorEnv.FLIGHT_CACHE_ENDPOINT"));
    assertThat(endpoint.getScheme()).isEqualTo("grpc");
    assertThat(endpoint.getHost()).startsWith(name + ".").endsWith(".svc.cluster.local");
    assertThat(endpoint.getPort()).isEqualTo(flightPort).isEqualTo(containerPorts().get("flight"));
    assertThat(spark.get("spark.kubernetes.driverEnv.FLIGHT_CACHE_ENDPOINT")).isEqualTo(endpoint.toString());
    assertThat(RepoFiles.read("docs/client.md")).contains(clientFlag).contains("System.getenv().getOrDefault(\"FLIGHT_CACHE_ENDPOINT\"");
    assertThat(spark).containsEntry("spark.driver.extraJavaOptions", clientFlag).containsEntry("spark.executor.extraJavaOptions", clientFlag);
  }

  @Test
  void service_nodeLocalOnTheContainersNamedPorts() {
    Map<String, Object> spec = at(service, "spec");

    assertThat(service).containsEntry("apiVersion", "v1").containsEntry("kind", "Service");
    assertThat(at(spec, "selector")).isEqualTo(at(daemonSet, "spec", "template", "metadata", "labels"));
    assertThat(spec).containsEntry("internalTrafficPolicy", "Local");
    for (Object entry : RepoFiles.list(spec.get("ports"))) {
      Map<String, Object> port = RepoFiles.map(entry);
      assertThat(containerPorts()).containsKey((String) port.get("targetPort"));
      assertThat(port.get("port")).isEqualTo(containerPorts().get((String) port.get("targetPort")));
    }
  }
}
