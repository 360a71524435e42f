package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.util.List;

/**
 * What the index knows of one stored object. Immutable: a write replaces the entry.
 *
 * @param patches in version order; their versions are {@code base.version + 1, + 2, ...}
 */
public record ObjectEntry(ObjectKey key, ObjectFormat format, StoredPart base, List<StoredPart> patches) {

  public ObjectEntry {
    patches = List.copyOf(patches);
  }

  /** The current version: the last patch's, or the base's when there is none. */
  public long version() {
    return patches.isEmpty() ? base.version() : patches.get(patches.size() - 1).version();
  }

  /** Bytes of the base and every patch. */
  public long sizeBytes() {
    long total = base.sizeBytes();
    for (StoredPart patch : patches) {
      total += patch.sizeBytes();
    }
    return total;
  }

  /** What the object takes on disk: its files in whole blocks, plus one block for its directory. */
  public long diskBytes(dev.flightcache.server.eviction.BudgetSettings settings) {
    long total = settings.allocated(base.sizeBytes()) + settings.blockBytes();
    for (StoredPart patch : patches) {
      total += settings.allocated(patch.sizeBytes());
    }
    return total;
  }

  ObjectEntry withPatch(StoredPart patch) {
    List<StoredPart> next = new java.util.ArrayList<>(patches);
    next.add(patch);
    return new ObjectEntry(key, format, base, next);
  }
}
