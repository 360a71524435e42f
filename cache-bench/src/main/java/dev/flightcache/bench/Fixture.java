package dev.flightcache.bench;

import dev.flightcache.proto.ObjectRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * What a workload's callers share: the options, the clients, the data and the session its
 * objects live in ({@code bench/<run>-<workload>}, deleted whole afterwards).
 */
record Fixture(BenchOptions options, Clients clients, Payload payload, String session) {
  /** How many objects the callers use: one each, or one in all with --shared-object. */
  int objectCount() {
    return options.sharedObject() ? 1 : options.clients();
  }

  /** The object caller {@code caller} uses. */
  int objectOf(int caller) {
    return options.sharedObject() ? 0 : caller;
  }

  String key(int object) {
    return session + "/o" + object;
  }

  /** Puts the payload as object {@code object}, streamed, so it is never held whole here. */
  ObjectRef putObject(int object) throws IOException {
    try (InputStream in = payload.stream()) {
      return clients.of(object).put(key(object), in);
    }
  }

  /** A file name in --temp-dir that is this run's own. */
  Path tempFile(String name) {
    return options.tempDir().resolve("flight-cache-" + session.replace('/', '-') + "-" + name);
  }
}
