package dev.flightcache.client;

import dev.flightcache.proto.ObjectRef;
import java.util.Objects;

/**
 * One stored object as {@link CacheClient#list(String)} shows it. Immutable.
 *
 * @param ref where the object lives, its key, and its current version when the listing was made
 *     (0 from a server that does not say, such as flame's)
 * @param sizeBytes bytes of its base and patches
 */
public record ObjectSummary(ObjectRef ref, long sizeBytes) {

  public ObjectSummary {
    Objects.requireNonNull(ref, "ref");
  }
}
