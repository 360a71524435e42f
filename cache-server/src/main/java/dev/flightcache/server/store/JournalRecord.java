package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.util.List;
import java.util.Map;

/**
 * One change to the index, as {@link IndexJournal} logs it, with the rule that replays it.
 *
 * <p>The rules make replay idempotent: a record applied to an index that already holds its
 * change, or a newer state of the key, changes nothing. That is what lets a snapshot be taken
 * while writes go on: the journal replayed on top of it may repeat changes the snapshot already
 * has. It relies on the store's version rule that a key's versions only grow, across deletes
 * too ({@link RemovedVersions}). Versions compare unsigned. Immutable.
 */
sealed interface JournalRecord {

  ObjectKey key();

  /**
   * Applies the change to {@code index} (keyed by {@link ObjectKey#toString()}) if the rule
   * allows it. Not thread-safe with respect to {@code index}.
   *
   * @return whether the index changed
   */
  boolean applyTo(Map<String, ObjectEntry> index);

  /** A new base, with no patches: applies if the key is absent or holds an older version. */
  record Put(ObjectKey key, ObjectFormat format, StoredPart base) implements JournalRecord {
    static Put of(ObjectEntry entry) {
      if (!entry.patches().isEmpty()) {
        throw new IllegalArgumentException("a put records a base without patches: " + entry);
      }
      return new Put(entry.key(), entry.format(), entry.base());
    }

    @Override
    public boolean applyTo(Map<String, ObjectEntry> index) {
      String id = key.toString();
      ObjectEntry current = index.get(id);
      if (current != null && Long.compareUnsigned(current.version(), base.version()) >= 0) {
        return false;
      }
      index.put(id, new ObjectEntry(key, format, base, List.of()));
      return true;
    }
  }

  /** One more patch: applies if the key is present and this is its next version. */
  record Patch(ObjectKey key, StoredPart patch) implements JournalRecord {
    @Override
    public boolean applyTo(Map<String, ObjectEntry> index) {
      String id = key.toString();
      ObjectEntry current = index.get(id);
      if (current == null || current.version() + 1 != patch.version()) {
        return false;
      }
      index.put(id, current.withPatch(patch));
      return true;
    }
  }

  /**
   * A delete or an eviction of the object at {@code version}: applies if the key is present at
   * that version or an older one. A newer version is a later put that this removal precedes.
   * Whether it applies or not, replay also makes it the key's tombstone in {@link
   * RemovedVersions}: the record is what keeps a removed key's history durable.
   */
  record Remove(ObjectKey key, long version) implements JournalRecord {
    @Override
    public boolean applyTo(Map<String, ObjectEntry> index) {
      String id = key.toString();
      ObjectEntry current = index.get(id);
      if (current == null || Long.compareUnsigned(current.version(), version) > 0) {
        return false;
      }
      index.remove(id);
      return true;
    }
  }
}
