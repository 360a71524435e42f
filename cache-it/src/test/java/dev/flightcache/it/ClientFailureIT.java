package dev.flightcache.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheException;
import dev.flightcache.client.CacheUnavailableException;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.client.RetryPolicy;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deadlines, retries and errors against servers that are down, silent or refusing. */
class ClientFailureIT {
  private static final String TOKEN = "s3cr3t-token-value";

  @TempDir Path dir;

  @Test
  void get_stoppedServer_unavailableWithinDeadline() throws Exception {
    String endpoint;
    ObjectRef ref;
    try (RunningServer server = RunningServer.start(dir)) {
      endpoint = server.endpoint();
      try (CacheClient client = server.client()) {
        ref = client.put("app/s/o", "x".getBytes(UTF_8));
      }
    }
    try (CacheClient client = CacheClient.builder().endpoint(endpoint).callTimeout(Duration.ofSeconds(2))
        .retryPolicy(new RetryPolicy(3, Duration.ofMillis(200), Duration.ofMillis(200))).build()) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> client.get(ref)).isInstanceOf(CacheUnavailableException.class).hasMessageContaining("get app/s/o");
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      // Two retries, 200 ms apart, were made; and the whole call ended well within 3 deadlines.
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(400).isLessThan(3 * 2_000 + 2_000);
      assertThatThrownBy(() -> client.put("app/s", new byte[1])).isInstanceOf(CacheUnavailableException.class);
      assertThatThrownBy(() -> client.delete("app/s")).isInstanceOf(CacheUnavailableException.class);
    }
  }

  @Test
  void get_serverThatNeverAnswers_failsAtTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (!silent.isClosed()) {
            accepted.add(silent.accept());
          }
        } catch (IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String endpoint = "grpc://127.0.0.1:" + silent.getLocalPort();
      try (CacheClient client = CacheClient.builder().endpoint(endpoint).callTimeout(Duration.ofMillis(800))
          .retryPolicy(RetryPolicy.NONE).build()) {
        ObjectRef ref = new ObjectRef(endpoint, ObjectKey.parse("app/s/o"), 1);
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.get(ref)).isInstanceOf(CacheUnavailableException.class);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(700).isLessThan(10_000);
      }
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void bearerToken_sentButNeverInMessages() throws Exception {
    try (RunningServer server = RunningServer.start(dir);
        CacheClient client = server.clientBuilder().bearerToken(TOKEN).build()) {
      ObjectRef ref = client.put("app/s/o", "x".getBytes(UTF_8));
      assertThat(client.get(ref).base().remaining()).isEqualTo(1);
      ObjectRef missing = new ObjectRef(ref.endpoint(), ObjectKey.parse("app/s/missing"), 1);
      CacheException failure = org.junit.jupiter.api.Assertions.assertThrows(ObjectNotFoundException.class, () -> client.get(missing));
      assertThat(failure.getMessage()).doesNotContain(TOKEN);
      assertThat(String.valueOf(failure.getCause())).doesNotContain(TOKEN);
    }
  }

  @Test
  void builder_invalidSettings_allReportedAtOnce() {
    assertThatThrownBy(() -> CacheClient.builder().endpoint("http://x:1").callTimeout(Duration.ZERO).cacheMaxBytes(-1)
        .bearerToken("has space").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("grpc://")
        .hasMessageContaining("callTimeout")
        .hasMessageContaining("cacheMaxBytes")
        .hasMessageContaining("bearerToken")
        .hasMessageNotContaining("has space");
    assertThatThrownBy(() -> CacheClient.builder().build()).hasMessageContaining("endpoint is required");
  }
}
