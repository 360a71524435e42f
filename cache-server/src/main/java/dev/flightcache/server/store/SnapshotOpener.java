package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * The store's reads: opens an object's files under its key's read lock, which it releases before
 * anything is read from them, and records the access with the policy after releasing it (the
 * policy may take a key lock while evicting). Thread-safe.
 */
final class SnapshotOpener {
  private final StoreParts parts;

  SnapshotOpener(StoreParts parts) {
    this.parts = parts;
  }

  /** See {@link FileObjectStore#open(ObjectKey, long)}. */
  ObjectSnapshot open(ObjectKey key, long patchesAbove) throws IOException {
    Lock lock = parts.index().lockFor(key).readLock();
    lock.lock();
    return openLocked(key, patchesAbove, lock);
  }

  /** See {@link FileObjectStore#tryOpen}. */
  Optional<ObjectSnapshot> tryOpen(ObjectKey key, long patchesAbove) throws IOException {
    Lock lock = parts.index().lockFor(key).readLock();
    return lock.tryLock() ? Optional.of(openLocked(key, patchesAbove, lock)) : Optional.empty();
  }

  /** Opens the files of {@code key} under {@code lock}, which it releases. */
  private ObjectSnapshot openLocked(ObjectKey key, long patchesAbove, Lock lock) throws IOException {
    ObjectSnapshot snapshot;
    try {
      ObjectEntry entry = parts.index().get(key);
      if (entry == null) {
        throw new ObjectNotFoundException("object " + key + " not found");
      }
      Path dir = parts.layout().objectDir(key);
      List<FileChannel> patches = new ArrayList<>();
      FileChannel base = null;
      try {
        base = FileChannel.open(dir.resolve(StoreLayout.fileName(entry.base().version(), entry.format().suffix)), StandardOpenOption.READ);
        for (StoredPart patch : entry.patches()) {
          patches.add(
              Long.compareUnsigned(patch.version(), patchesAbove) > 0
                  ? FileChannel.open(dir.resolve(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX)), StandardOpenOption.READ)
                  : null);
        }
        snapshot = new ObjectSnapshot(entry, base, patches);
      } catch (IOException | RuntimeException e) {
        closeQuietly(base);
        patches.forEach(SnapshotOpener::closeQuietly);
        throw e;
      }
    } finally {
      lock.unlock();
    }
    parts.policy().read(key.toString());
    return snapshot;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a read-only channel; nothing to recover
      }
    }
  }
}
