package dev.flightcache.server.store;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.EvictionReason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's deletes and evictions: under the key's write lock, log the remove (which also
 * remembers the key's last version in the {@link RemovedVersions}), rename the object directory
 * away and drop the entry; delete the files after the lock is released. None of this creates a
 * file, so freeing space works on a volume out of inodes.
 *
 * <p>Lock order: the policy (Caffeine) may take a key lock while evicting, so this never calls the
 * policy while it holds a key lock. Thread-safe.
 */
final class Removals {
  // Logs under the store's name, as the store did before these files were split out of it.
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);

  private final StoreParts parts;

  Removals(StoreParts parts) {
    this.parts = parts;
  }

  /** See {@link FileObjectStore#delete}. */
  int delete(KeyPath path) throws IOException {
    List<ObjectEntry> victims = new ArrayList<>();
    if (path.isFullKey()) {
      ObjectEntry entry = parts.index().get(path.toKey());
      if (entry != null) {
        victims.add(entry);
      }
    } else {
      parts.index().list(path.keyPrefix()).forEach(victims::add);
    }
    int removed = 0;
    Set<Path> parents = new LinkedHashSet<>();
    for (ObjectEntry victim : victims) {
      if (remove(victim.key())) {
        removed++;
        parents.add(parts.layout().objectDir(victim.key()).getParent());
      }
    }
    parts.files().pruneEmpty(parents);
    return removed;
  }

  private boolean remove(ObjectKey key) throws IOException {
    ObjectEntry removed = removeIf(key, current -> true);
    if (removed == null) {
      return false;
    }
    parts.policy().removed(key.toString(), removed.version());
    return true;
  }

  /**
   * Evicts the object if the store still holds {@code version} of it; called by the policy.
   *
   * @return the disk bytes freed, 0 if the object changed or went meanwhile
   */
  long evict(String key, long version, EvictionReason reason) {
    ObjectKey objectKey = ObjectKey.parse(key);
    try {
      ObjectEntry evicted = removeIf(objectKey, current -> current.version() == version);
      if (evicted == null) {
        return 0;
      }
      logger.debug("Evicted {} v{} ({})", key, version, reason);
      parts.files().pruneEmpty(Set.of(parts.layout().objectDir(objectKey).getParent()));
      return evicted.diskBytes(parts.budget().settings());
    } catch (IOException e) {
      logger.warn("Could not evict {}: {}", key, e.toString());
      return 0;
    }
  }

  /** Removes the object under its write lock if {@code condition} holds; returns what it removed. */
  private ObjectEntry removeIf(ObjectKey key, Predicate<ObjectEntry> condition) throws IOException {
    Path doomed;
    ObjectEntry current;
    Lock lock = parts.index().lockFor(key).writeLock();
    lock.lock();
    try {
      current = parts.index().get(key);
      if (current == null || !condition.test(current)) {
        return null;
      }
      // Logged before the files go: a crash in between leaves files the repair pass removes.
      parts.journal().recordRemove(key, current.version());
      doomed = parts.layout().newTempPath("deleted");
      parts.files().moveAway(parts.layout().objectDir(key), doomed);
      parts.index().remove(key);
      unaccount(current);
    } finally {
      lock.unlock();
    }
    ObjectFiles.deleteTree(doomed);
    parts.lifecycle().compactIfNeeded();
    return current;
  }

  /** Removes an entry whose files cannot be served, as an eviction would; under its lock. */
  ObjectEntry dropEntry(ObjectEntry entry) throws IOException {
    parts.journal().recordRemove(entry.key(), entry.version());
    parts.index().remove(entry.key());
    unaccount(entry);
    return entry;
  }

  /** Gives a removed object's disk back to the budget and to its app's quota. */
  private void unaccount(ObjectEntry removed) {
    long diskBytes = removed.diskBytes(parts.budget().settings());
    parts.budget().adjustStored(-diskBytes);
    parts.quotas().adjustStored(removed.key().app(), -diskBytes, -1);
  }
}
