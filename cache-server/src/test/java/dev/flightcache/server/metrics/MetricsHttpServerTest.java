package dev.flightcache.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.server.health.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics port on its own, over loopback: liveness and readiness before and after recovery. */
class MetricsHttpServerTest {
  @TempDir Path dir;
  final List<Readiness.Check> told = new ArrayList<>();
  final Readiness readiness = new Readiness(told::add);
  final HttpClient http = HttpClient.newHttpClient();
  MetricsHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = MetricsHttpServer.start("127.0.0.1", 0, () -> "metric_a 1\n", readiness, null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyz_beforeRecovery_503WhileHealthzIs200() throws Exception {
    HttpResponse<String> ready = call("GET", "/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).isEqualTo("recovering the index\n");
    assertThat(call("GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(told).extracting(Readiness.Check::ready).containsExactly(false);
  }

  @Test
  void readyz_recoveredWritableDir_200() throws Exception {
    readiness.recovered(dir);

    assertThat(call("GET", "/readyz").statusCode()).isEqualTo(200);
    assertThat(readiness.lastReady()).isTrue();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void readyz_draining_503() throws Exception {
    readiness.recovered(dir);
    readiness.draining();

    HttpResponse<String> ready = call("GET", "/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).isEqualTo("draining\n");
  }

  @Test
  void readyz_probeDirMissing_503NamingStorage() throws Exception {
    readiness.recovered(dir.resolve("gone"));

    HttpResponse<String> ready = call("GET", "/readyz");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("storage is not writable");
  }

  @Test
  void metrics_get_prometheusTextFromSupplier() throws Exception {
    HttpResponse<String> metrics = call("GET", "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).isEqualTo("metric_a 1\n");
    assertThat(metrics.headers().firstValue("Content-Type")).hasValue(MetricsHttpServer.PROMETHEUS_TEXT);
  }

  @Test
  void post_anyPath_405() throws Exception {
    assertThat(call("POST", "/metrics").statusCode()).isEqualTo(405);
    assertThat(call("DELETE", "/healthz").statusCode()).isEqualTo(405);
  }

  @Test
  void head_healthz_200WithoutBody() throws Exception {
    HttpResponse<String> head = call("HEAD", "/healthz");

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void start_portTaken_throws() throws Exception {
    int taken = server.port();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MetricsHttpServer.start("127.0.0.1", taken, () -> "", readiness, null))
        .isInstanceOf(java.io.IOException.class);
  }
}
