package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A known token, and every failure we can provoke with it: refused settings, a server that does
 * not know it, a server that does not allow the call, a server that is not there, a broken token
 * file. The token must appear in no message, cause, suppressed exception, stack trace, toString
 * or log line.
 */
class TokenSecrecyTest {
  private static final String TOKEN = "s3cr3t-T0ken-4f9c2e";
  @TempDir Path dir;
  private final List<Throwable> failures = new ArrayList<>();
  private final List<String> printed = new ArrayList<>();

  private void fails(Executable call) {
    try {
      call.execute();
    } catch (Throwable t) {
      failures.add(t);
      return;
    }
    throw new AssertionError("expected a failure");
  }

  /** Every call of the client, each expected to fail. */
  private void failEveryCall(CacheClient client, String endpoint) {
    ObjectRef ref = new ObjectRef(endpoint, ObjectKey.parse("app/s/o"), 3);
    fails(() -> client.put("app/s/o", new byte[] {1}));
    fails(() -> client.get(ref));
    fails(() -> client.patch(ref, new byte[] {2}));
    fails(() -> client.delete("app/*"));
    fails(() -> client.list(""));
    fails(() -> client.serverStats());
    fails(() -> client.download(ref, dir.resolve("out.bin")));
    fails(() -> client.mintToken(List.of(Grant.parse("read:app/*")), Duration.ofHours(1)));
  }

  @Test
  void failuresAndDescriptions_neverContainTheToken() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      CacheClient.Builder builder = CacheClient.builder().bearerToken(TOKEN);
      printed.add(builder.toString());
      // Refused settings, with the token among them.
      fails(builder::build);
      fails(() -> CacheClient.builder().endpoint("grpc://127.0.0.1:1").bearerToken(TOKEN + " x").build());
      fails(() -> CacheClient.builder().endpoint("grpc://127.0.0.1:1").bearerToken(TOKEN)
          .bearerTokenFile(dir.resolve("t")).clientCertificate(dir.resolve("c.pem"), null).build());
      fails(() -> CacheClient.builder().endpoint("grpc://127.0.0.1:1")
          .bearerTokenFile(Files.writeString(dir.resolve("bad"), TOKEN + " and more")).build());

      // A server that does not know the token, and one that knows it but allows nothing.
      try (RecordingServer stranger = new RecordingServer(Set.of("another-token"));
          CacheClient client = CacheClient.builder().endpoint(stranger.endpoint()).bearerToken(TOKEN)
              .retryPolicy(RetryPolicy.NONE).build()) {
        printed.add(client.toString());
        failEveryCall(client, stranger.endpoint());
        assertThat(stranger.authorizations).contains("Bearer " + TOKEN);
      }
      Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
      long[] now = {0};
      try (RecordingServer server = new RecordingServer(Set.of(TOKEN));
          CacheClient client = CacheClient.builder().endpoint(server.endpoint()).bearerTokenFile(tokenFile)
              .nanoTime(() -> now[0]).retryPolicy(RetryPolicy.NONE).build()) {
        printed.add(client.toString());
        fails(() -> client.delete("app/*"));
        // The file goes bad (the token plus junk, then gone): logged, previous token kept.
        Files.writeString(tokenFile, TOKEN + " " + TOKEN);
        now[0] += TimeUnit.SECONDS.toNanos(2);
        fails(() -> client.delete("app/*"));
        Files.delete(tokenFile);
        now[0] += TimeUnit.SECONDS.toNanos(2);
        fails(() -> client.delete("app/*"));
      }

      // Nobody listening.
      int closedPort;
      try (ServerSocket socket = new ServerSocket(0)) {
        closedPort = socket.getLocalPort();
      }
      String nowhere = "grpc://127.0.0.1:" + closedPort;
      try (CacheClient client = CacheClient.builder().endpoint(nowhere).bearerToken(TOKEN)
          .retryPolicy(RetryPolicy.NONE).callTimeout(Duration.ofSeconds(5)).build()) {
        failEveryCall(client, nowhere);
      }

      assertThat(failures).hasSizeGreaterThan(18);
      assertThat(failures).anySatisfy(t -> assertThat(t).isInstanceOf(UnauthenticatedException.class));
      assertThat(failures).anySatisfy(t -> assertThat(t).isInstanceOf(PermissionDeniedException.class));
      assertThat(failures).anySatisfy(t -> assertThat(t).isInstanceOf(CacheUnavailableException.class));
      assertThat(failures).anySatisfy(t -> assertThat(t).isInstanceOf(IllegalArgumentException.class));
      for (Throwable failure : failures) {
        assertThat(stackTrace(failure)).as("a %s", failure.getClass().getSimpleName()).doesNotContain(TOKEN);
      }
      assertThat(printed).hasSize(3).allSatisfy(text -> assertThat(text).contains("credentials=bearer token").doesNotContain(TOKEN));
      assertThat(logs.lines()).hasSizeGreaterThanOrEqualTo(2).allSatisfy(line -> assertThat(line).doesNotContain(TOKEN));
    }
  }

  /** The message, every cause and suppressed exception, and their frames, as printStackTrace shows them. */
  private static String stackTrace(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
