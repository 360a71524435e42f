package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restarts in a child JVM: from a scan, from the index journal, and after SIGKILL with the files tampered with. */
class RestartIT {
  private static final int OBJECTS = 20_000;

  @TempDir Path dir;

  @Test
  void restart_twentyThousandObjects_scanThenJournalAndNeverAWrongNotFound() throws Exception {
    Path storage = dir.resolve("data");
    for (int i = 0; i < OBJECTS; i++) {
      Path object = storage.resolve("objects/app/s" + (i % 100) + "/o" + i);
      Files.createDirectories(object);
      Files.writeString(object.resolve((1 + i % 3) + ".base"), "object " + i);
    }
    int port = freePort();
    Location location = Location.forGrpcInsecure("127.0.0.1", port);
    Poller poller = new Poller(location, "app/s7/o7");
    Thread polling = new Thread(poller);
    polling.start();
    ChildServer first = ChildServer.builder(storage, dir.resolve("work")).args("--port", Integer.toString(port)).start();
    try {
      polling.join(30_000);
      assertThat(poller.notFound).as("a call during recovery never gets NOT_FOUND").hasValue(0);
      assertThat(poller.recovering).as("answers UNAVAILABLE while recovering").hasPositiveValue();
      assertThat(poller.found).isTrue();
      try (RawClient client = new RawClient(location)) {
        assertThat(stats(client).getInt64("objects").getValue()).isEqualTo(OBJECTS);
        assertThat(new String(client.get("app/s99/o19999", 0).base(), UTF_8)).isEqualTo("object 19999");
      }
      assertThat(first.stop(Duration.ofSeconds(30))).isZero();
      assertThat(first.log()).contains("by reading every object directory");
    } finally {
      first.close();
    }

    ChildServer second = ChildServer.builder(storage, dir.resolve("work")).start();
    try (RawClient client = new RawClient(second.location())) {
      assertThat(second.log()).contains("from the index journal").contains("after a clean stop");
      assertThat(stats(client).getInt64("objects").getValue()).isEqualTo(OBJECTS);
      assertThat(client.get("app/s5/o5", 0).rows()).extracting(RawClient.Row::version).containsExactly(3L);
      System.out.printf("RestartIT: %d objects recovered by scan in %s ms, from the journal in %s ms%n",
          OBJECTS, millis(first.log(), "by reading every object directory in (\\d+) ms"),
          millis(second.log(), "from the index journal in (\\d+) ms"));
    } finally {
      second.close();
    }
  }

  @Test
  void restart_afterSigkillWithFilesAndIndexOutOfStep_repairsToTheJournal() throws Exception {
    Path storage = dir.resolve("data");
    ChildServer first = ChildServer.start(storage, dir.resolve("work"));
    try (RawClient client = new RawClient(first.location())) {
      client.put("app/s/a", "a1".getBytes(UTF_8));
      client.put("app/s/b", "b1".getBytes(UTF_8));
      client.put("app/s/c", "c1".getBytes(UTF_8));
      client.patch("app/s/c", "+c2".getBytes(UTF_8));
    } finally {
      first.kill();
    }
    Path objects = storage.resolve("objects/app/s");
    Files.createDirectories(objects.resolve("orphan"));
    Files.writeString(objects.resolve("orphan/1.base"), "never acknowledged");
    try (var doomed = Files.walk(objects.resolve("b"))) {
      for (Path path : doomed.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
    Files.writeString(objects.resolve("a/7.base"), "not in the journal");
    Files.writeString(objects.resolve("c/9.patch"), "not in the journal");

    ChildServer second = ChildServer.start(storage, dir.resolve("work"));
    try (RawClient client = new RawClient(second.location())) {
      for (int i = 0; i < 300 && !second.log().contains("against the index after an unclean stop"); i++) {
        Thread.sleep(50);
      }
      assertThat(second.log()).contains("after an unclean stop").contains("repaired 4");
      assertThat(new String(client.get("app/s/a", 0).base(), UTF_8)).isEqualTo("a1");
      assertThat(list(objects.resolve("a"))).containsExactly("1.base");
      assertThat(client.get("app/s/c", 0).rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L);
      assertThat(list(objects.resolve("c"))).containsExactlyInAnyOrder("1.base", "2.patch");
      assertNotFound(client, "app/s/b");
      assertNotFound(client, "app/s/orphan");
      assertThat(objects.resolve("orphan")).doesNotExist();
      assertThat(client.put("app/s/b", "b again".getBytes(UTF_8)).version()).isGreaterThan(1);
    } finally {
      second.close();
    }
  }

  private static void assertNotFound(RawClient client, String key) {
    try {
      client.get(key, 0);
      throw new AssertionError(key + " was found");
    } catch (FlightRuntimeException e) {
      assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static RawBsonDocument stats(RawClient client) {
    List<byte[]> bodies = new ArrayList<>();
    client.client.doAction(new org.apache.arrow.flight.Action("STATS")).forEachRemaining(r -> bodies.add(r.getBody()));
    return new RawBsonDocument(bodies.get(0));
  }

  private static String millis(String log, String pattern) {
    Matcher matcher = Pattern.compile(pattern).matcher(log);
    return matcher.find() ? matcher.group(1) : "?";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Gets one key from before the server listens until it answers, classifying every outcome. */
  private static final class Poller implements Runnable {
    final Location location;
    final String key;
    final AtomicInteger recovering = new AtomicInteger();
    final AtomicInteger notFound = new AtomicInteger();
    volatile boolean found;
    final AtomicBoolean stop = new AtomicBoolean();

    Poller(Location location, String key) {
      this.location = location;
      this.key = key;
    }

    @Override
    public void run() {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // Wait for the port to accept connections first: a gRPC channel refused before then backs
      // off its reconnects for seconds, and would miss the recovery altogether.
      while (System.nanoTime() < deadline) {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", location.getUri().getPort())) {
          break;
        } catch (IOException notYet) {
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      try (RawClient client = new RawClient(location)) {
        while (!found && System.nanoTime() < deadline) {
          try {
            found = client.get(key, 0).rows().size() == 1;
          } catch (FlightRuntimeException e) {
            if (e.status().code() == FlightStatusCode.NOT_FOUND) {
              notFound.incrementAndGet();
            } else if (e.status().description() != null && e.status().description().contains("recovering")) {
              recovering.incrementAndGet();
            }
            Thread.sleep(2);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
