package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves, deletes and prunes the object files and directories under the layout, ordering the
 * creation of object directories against the pruning of empty ones with the layout lock.
 * Thread-safe.
 */
final class ObjectFiles {
  // Logs under the store's name, as the store did before these files were split out of it.
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);

  private final StoreLayout layout;
  /** Held shared while creating object directories, exclusively while pruning empty ones. */
  private final ReadWriteLock layoutLock = new ReentrantReadWriteLock();

  ObjectFiles(StoreLayout layout) {
    this.layout = layout;
  }

  /** Renames a synced temp file to {@code name} in {@code dir}, creating the directory if needed. */
  void moveIntoPlace(Path temp, Path dir, String name) throws IOException {
    Lock shared = layoutLock.readLock();
    shared.lock();
    try {
      layout.createObjectDirectory(dir);
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      StoreLayout.fsyncDirectory(dir);
    } finally {
      shared.unlock();
    }
  }

  /** Renames an object directory into {@code doomed} in one atomic step; under the key's write lock. */
  void moveAway(Path dir, Path doomed) throws IOException {
    // Shared layout lock: no concurrent prune may remove the session directory meanwhile.
    Lock shared = layoutLock.readLock();
    shared.lock();
    try {
      Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
      StoreLayout.fsyncDirectory(dir.getParent());
    } finally {
      shared.unlock();
    }
  }

  /** Deletes the files of a replaced object from {@code dir}, logging a failure. */
  void deleteParts(Path dir, ObjectEntry stale) {
    try {
      Files.deleteIfExists(dir.resolve(StoreLayout.fileName(stale.base().version(), stale.format().suffix)));
      for (StoredPart patch : stale.patches()) {
        Files.deleteIfExists(dir.resolve(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX)));
      }
    } catch (IOException e) {
      // Harmless to readers: recovery drops files older than the newest base.
      logger.warn("Could not remove replaced files of {}: {}", stale.key(), e.toString());
    }
  }

  /** Removes session and app directories left empty, deepest first. */
  void pruneEmpty(Set<Path> sessionDirs) {
    Lock exclusive = layoutLock.writeLock();
    exclusive.lock();
    try {
      for (Path session : sessionDirs) {
        for (Path dir = session; !dir.equals(layout.objects); dir = dir.getParent()) {
          try {
            Files.delete(dir);
          } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            break;
          } catch (IOException e) {
            logger.warn("Could not remove empty directory {}: {}", layout.root.relativize(dir), e.toString());
            break;
          }
        }
      }
    } finally {
      exclusive.unlock();
    }
  }

  /** Deletes a file or a directory with everything in it, logging what it cannot delete. */
  static void deleteTree(Path path) {
    try (var walk = Files.walk(path)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          logger.warn("Could not delete {}: {}", p, e.toString());
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      logger.warn("Could not delete {}: {}", path, e.toString());
    }
  }
}
