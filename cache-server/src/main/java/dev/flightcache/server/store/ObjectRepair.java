package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one object's files in line with the index after an unclean stop (see {@link Reconciler}),
 * under the key's write lock so live writes never race it. Like a delete, it tells the policy of
 * a dropped entry only after releasing the lock. Thread-safe.
 */
final class ObjectRepair {
  // Logs under the store's name, as the store did before these files were split out of it.
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);

  private final StoreParts parts;
  private final Removals removals;

  ObjectRepair(StoreParts parts, Removals removals) {
    this.parts = parts;
    this.removals = removals;
  }

  /**
   * Brings one object directory in line with the index.
   *
   * @return whether anything had to change
   */
  boolean repair(ObjectKey key, Path dir) throws IOException {
    ObjectEntry dropped = null;
    boolean changed = false;
    Lock lock = parts.index().lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry entry = parts.index().get(key);
      if (entry == null) {
        logger.warn("Removing {}: its files were never acknowledged as a write, or were deleted", key);
        Path doomed = parts.layout().newTempPath("deleted");
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        ObjectFiles.deleteTree(doomed);
        return true;
      }
      Set<String> wanted = new HashSet<>();
      wanted.add(StoreLayout.fileName(entry.base().version(), entry.format().suffix));
      for (StoredPart patch : entry.patches()) {
        wanted.add(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX));
      }
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (!wanted.remove(file.getFileName().toString())) {
            logger.warn("Removing {} of {}: the index does not list it", file.getFileName(), key);
            ObjectFiles.deleteTree(file);
            changed = true;
          }
        }
      }
      if (!wanted.isEmpty()) {
        logger.error("Dropping {} from the index: its files {} are gone", key, wanted);
        dropped = removals.dropEntry(entry);
        ObjectFiles.deleteTree(dir);
      }
    } finally {
      lock.unlock();
    }
    if (dropped != null) {
      parts.policy().removed(key.toString(), dropped.version());
    }
    return changed || dropped != null;
  }

  /** Drops an indexed object whose directory the repair pass did not find, if it is truly gone. */
  boolean repairMissing(ObjectKey key) throws IOException {
    ObjectEntry dropped = null;
    Lock lock = parts.index().lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry entry = parts.index().get(key);
      if (entry != null && !Files.exists(parts.layout().objectDir(key).resolve(StoreLayout.fileName(entry.base().version(), entry.format().suffix)))) {
        logger.error("Dropping {} from the index: its directory is gone", key);
        dropped = removals.dropEntry(entry);
        ObjectFiles.deleteTree(parts.layout().objectDir(key));
      }
    } finally {
      lock.unlock();
    }
    if (dropped != null) {
      parts.policy().removed(key.toString(), dropped.version());
    }
    return dropped != null;
  }
}
