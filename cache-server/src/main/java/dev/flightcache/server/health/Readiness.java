package dev.flightcache.server.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Whether the server is ready for calls: the index has been recovered, the storage directory
 * accepts new files, and the server is not draining. Each {@link #check()} creates and deletes a
 * probe file in the directory uploads are written to, so a storage that went read-only or away is
 * noticed, and tells the listener given at construction (the gRPC health service). Thread-safe.
 */
public final class Readiness {
  /** The outcome of one check; {@code reason} says what is wrong when not ready. */
  public record Check(boolean ready, String reason) {}

  private final Consumer<Check> listener;
  private volatile Path probeDir;
  private volatile boolean draining;
  private volatile boolean lastReady;

  /** @param listener told the outcome of every check, on the checking thread */
  public Readiness(Consumer<Check> listener) {
    this.listener = listener;
  }

  /** The index is recovered; uploads go to {@code probeDir}, where each check writes a probe. */
  public void recovered(Path probeDir) {
    this.probeDir = probeDir;
  }

  /** The server is shutting down: every later check says not ready. */
  public void draining() {
    this.draining = true;
    this.lastReady = false;
  }

  /** Checks now, and remembers the answer for {@link #lastReady()}. */
  public Check check() {
    Check check = probe();
    lastReady = check.ready();
    listener.accept(check);
    return check;
  }

  /** The answer of the last check; false before the first. */
  public boolean lastReady() {
    return lastReady;
  }

  private Check probe() {
    Path dir = probeDir;
    if (draining) {
      return new Check(false, "draining");
    }
    if (dir == null) {
      return new Check(false, "recovering the index");
    }
    try {
      Path probe = Files.createTempFile(dir, "readyz-", ".probe");
      Files.delete(probe);
      return new Check(true, "ready");
    } catch (IOException | SecurityException e) {
      return new Check(false, "storage is not writable: " + e.getClass().getSimpleName());
    }
  }
}
