package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bearerTokenFile: the header the server receives before and after the file changes, on a fake clock. */
class BearerTokenFileTest {
  private static final long HALF_SECOND = TimeUnit.MILLISECONDS.toNanos(500);
  @TempDir Path dir;
  RecordingServer server;
  long now = 1_000;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer(Set.of("token-one", "token-two"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private CacheClient client(Path tokenFile) {
    return CacheClient.builder().endpoint(server.endpoint()).retryPolicy(RetryPolicy.NONE)
        .callTimeout(Duration.ofSeconds(10)).bearerTokenFile(tokenFile).nanoTime(() -> now).build();
  }

  /** One call; returns the authorization header the server saw. */
  private String call(CacheClient client) {
    assertThatThrownBy(() -> client.delete("app/s")).isInstanceOf(CacheException.class);
    return server.lastAuthorization();
  }

  private static void replaceByRename(Path file, String content) throws Exception {
    Path temp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void bearerTokenFile_replacedByRename_newTokenSentOnlyAfterTheOneSecondCheck() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "token-one\n");
    try (CacheClient client = client(file)) {
      assertThat(call(client)).isEqualTo("Bearer token-one");

      replaceByRename(file, "  token-two\n");
      now += HALF_SECOND;
      assertThat(call(client)).isEqualTo("Bearer token-one");
      now += HALF_SECOND;
      assertThat(call(client)).isEqualTo("Bearer token-two");
    }
  }

  @Test
  void bearerTokenFile_kubernetesSymlinkSwap_newTokenSent() throws Exception {
    // The layout of a mounted secret: token -> ..data/token, ..data -> ..<timestamp>.
    Path secret = Files.createDirectories(dir.resolve("secret"));
    Files.writeString(Files.createDirectories(secret.resolve("..v1")).resolve("token"), "token-one");
    Files.createSymbolicLink(secret.resolve("..data"), Path.of("..v1"));
    Path file = Files.createSymbolicLink(secret.resolve("token"), Path.of("..data/token"));
    try (CacheClient client = client(file)) {
      assertThat(call(client)).isEqualTo("Bearer token-one");

      Files.writeString(Files.createDirectories(secret.resolve("..v2")).resolve("token"), "token-two");
      Files.createSymbolicLink(secret.resolve("..data_tmp"), Path.of("..v2"));
      Files.move(secret.resolve("..data_tmp"), secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      now += TimeUnit.SECONDS.toNanos(1);

      assertThat(call(client)).isEqualTo("Bearer token-two");
    }
  }

  @Test
  void bearerTokenFile_changedToNoToken_previousTokenKeptAndWarnedOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "token-one");
    try (CacheClient client = client(file); CapturedLogs logs = new CapturedLogs()) {
      replaceByRename(file, "two words\n");
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-one");
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-one");

      assertThat(logs.lines()).containsExactly("WARN bearer token file " + file
          + " changed, but the token must be printable ASCII without spaces; still sending the previous token");

      replaceByRename(file, "token-two");
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-two");
    }
  }

  @Test
  void bearerTokenFile_deletedThenRestored_previousTokenUntilRestored() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "token-one");
    try (CacheClient client = client(file); CapturedLogs logs = new CapturedLogs()) {
      Files.delete(file);
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-one");
      assertThat(logs.lines()).singleElement().asString().startsWith("WARN cannot read bearer token file " + file);

      Files.writeString(file, "token-two");
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-two");
    }
  }

  @Test
  void bearerTokenFile_rewrittenInPlaceWithSameSizeAndTime_notReadAgain() throws Exception {
    // The check compares modified time, size and file key; it reads the file only when they change.
    Path file = Files.writeString(dir.resolve("token"), "token-one");
    FileTime modified = Files.getLastModifiedTime(file);
    try (CacheClient client = client(file)) {
      Files.writeString(file, "token-two");
      Files.setLastModifiedTime(file, modified);
      now += TimeUnit.SECONDS.toNanos(5);
      assertThat(call(client)).isEqualTo("Bearer token-one");

      Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 1000));
      now += TimeUnit.SECONDS.toNanos(1);
      assertThat(call(client)).isEqualTo("Bearer token-two");
    }
  }

  @Test
  void build_missingOrEmptyTokenFile_rejectedNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");

    assertThatThrownBy(() -> client(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read bearerTokenFile " + missing);
    assertThatThrownBy(() -> client(empty)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bearerTokenFile " + empty + ": the token is empty");
  }
}
