package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A storage volume out of inodes: writes fail, but a client can still free space through the
 * API, because a delete creates no file. Runs on a small tmpfs it mounts, so it needs root on
 * Linux (as CI has); there, a failure to mount fails the test rather than skipping it.
 */
@EnabledOnOs(OS.LINUX)
class DeleteWithoutInodesIT {
  /** Enough for the store's directories, its index files and a few dozen objects. */
  private static final int INODES = 64;

  private static Path mountPoint;

  @BeforeAll
  static void mount() throws Exception {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    org.junit.jupiter.api.Assumptions.assumeTrue(Integer.valueOf(0).equals(uid), "mounting a tmpfs needs root");
    mountPoint = Files.createTempDirectory("flight-cache-inodes");
    run("mount", "-t", "tmpfs", "-o", "size=64m,nr_inodes=" + INODES, "tmpfs", mountPoint.toString());
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mountPoint != null) {
      // Lazily: a server that failed to stop may still hold files open there.
      run("umount", "-l", mountPoint.toString());
      Files.delete(mountPoint);
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void delete_noInodesLeft_succeedsAndLaterPutsWork() throws Exception {
    Path storage = mountPoint.resolve("store");
    try (TestServer server = TestServer.start(storage);
        RawClient client = new RawClient(server.location())) {
      List<String> stored = new ArrayList<>();
      FlightRuntimeException refused = null;
      for (int i = 0; i < INODES && refused == null; i++) {
        String key = "app/s/o" + i;
        try {
          client.put(key, key.getBytes(UTF_8));
          stored.add(key);
        } catch (FlightRuntimeException e) {
          refused = e;
        }
      }
      // A volume out of inodes is full, as one out of bytes is: RESOURCE_EXHAUSTED, which clients retry.
      assertThat(refused).as("a put once the inodes ran out").isNotNull();
      assertThat(refused.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
      assertThat(refused.status().description()).startsWith("cache storage is full: the volume has no space left");
      assertThat(stored).as("objects stored before the inodes ran out").isNotEmpty();

      assertThat(client.delete(stored.get(0))).containsExactly("OK");
      assertThat(client.delete(stored.get(1))).containsExactly("OK");

      assertThat(client.put("app/s/after", "after".getBytes(UTF_8)).version()).isEqualTo(1);
      assertThat(client.put(stored.get(0), "back".getBytes(UTF_8)).version()).isEqualTo(2);
      assertThatThrownBy(() -> client.get(stored.get(1), 0)).isInstanceOf(FlightRuntimeException.class);
      assertThat(client.get(stored.get(2), 0).base()).isEqualTo(stored.get(2).getBytes(UTF_8));
      // Room again for the clean stop's snapshot.
      client.delete("app/s");
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
