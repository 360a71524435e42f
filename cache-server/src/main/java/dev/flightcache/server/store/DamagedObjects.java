package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets aside an object whose files a read found damaged (missing, unreadable, cut short): its
 * directory moves to {@code quarantine/} for an operator, and its entry is dropped as the repair
 * pass drops one ({@link Removals#dropEntry}), so the key answers {@code NOT_FOUND}, the rest of
 * the store is served, and a later put of the key gets a higher version. Under the key's write
 * lock; the policy is told after releasing it. Thread-safe.
 */
final class DamagedObjects {
  // Logs under the store's name, as the store's other collaborators do.
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);

  private final StoreParts parts;
  private final Removals removals;

  DamagedObjects(StoreParts parts, Removals removals) {
    this.parts = parts;
    this.removals = removals;
  }

  /**
   * Sets {@code damaged} aside if the index still holds exactly that entry; otherwise another
   * reader did, or a write replaced it, and nothing changes. Logs at ERROR once per object.
   */
  void setAside(ObjectEntry damaged, String reason) throws IOException {
    Path dir = parts.layout().objectDir(damaged.key());
    ObjectEntry dropped = null;
    Lock lock = parts.index().lockFor(damaged.key()).writeLock();
    lock.lock();
    try {
      if (!damaged.equals(parts.index().get(damaged.key()))) {
        return;
      }
      String where = "nothing left to move";
      if (Files.exists(dir)) {
        Path target = parts.layout().newQuarantinePath(dir);
        parts.files().moveAway(dir, target);
        where = "its files are in " + parts.layout().root.relativize(target);
      }
      dropped = removals.dropEntry(damaged);
      logger.error("Set aside {} v{} and dropped it from the index: {}; {}", damaged.key(), damaged.version(), reason, where);
    } finally {
      lock.unlock();
    }
    parts.policy().removed(damaged.key().toString(), dropped.version());
    parts.files().pruneEmpty(Set.of(dir.getParent()));
  }
}
