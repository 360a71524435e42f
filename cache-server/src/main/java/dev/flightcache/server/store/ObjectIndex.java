package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store's index in memory, key to entry, and the striped per-key locks that order changes to
 * it. An entry is changed only under its key's write lock; reads of the map need no lock.
 * Thread-safe.
 */
final class ObjectIndex {
  private static final int LOCK_STRIPES = 4096;

  private final ConcurrentSkipListMap<String, ObjectEntry> entries;
  private final ReadWriteLock[] keyLocks = new ReadWriteLock[LOCK_STRIPES];

  /** Adopts {@code recovered} if it is already a skip-list map, else copies it. */
  ObjectIndex(Map<String, ObjectEntry> recovered) {
    this.entries = recovered instanceof ConcurrentSkipListMap<String, ObjectEntry> adopted
        ? adopted : new ConcurrentSkipListMap<>(recovered);
    for (int i = 0; i < LOCK_STRIPES; i++) {
      keyLocks[i] = new ReentrantReadWriteLock();
    }
  }

  /** The lock stripe of {@code key}. */
  ReadWriteLock lockFor(ObjectKey key) {
    return keyLocks[Math.floorMod(key.toString().hashCode() * 0x9E3779B9, LOCK_STRIPES)];
  }

  /** The entry of {@code key}, or null. */
  ObjectEntry get(ObjectKey key) {
    return entries.get(key.toString());
  }

  /** Replaces the entry of {@code key}; under the key's write lock. */
  void put(ObjectKey key, ObjectEntry entry) {
    entries.put(key.toString(), entry);
  }

  /** Drops the entry of {@code key}; under the key's write lock. */
  void remove(ObjectKey key) {
    entries.remove(key.toString());
  }

  /** Entries whose key starts with {@code keyPrefix}, in key order; a weakly consistent view. */
  Iterable<ObjectEntry> list(String keyPrefix) {
    return () ->
        entries.tailMap(keyPrefix, true).entrySet().stream()
            .takeWhile(e -> e.getKey().startsWith(keyPrefix))
            .map(Map.Entry::getValue)
            .iterator();
  }

  int size() {
    return entries.size();
  }

  /**
   * Every entry, once each change applied so far is visible: for a snapshot of a journal that has
   * just switched to a new generation.
   */
  Iterator<ObjectEntry> settledEntries() {
    // Every change logged before the journal switch is also applied to the index once its key
    // lock is released: pass through every lock, then read the index.
    for (ReadWriteLock stripe : keyLocks) {
      stripe.writeLock().lock();
      stripe.writeLock().unlock();
    }
    return entries.values().iterator();
  }
}
