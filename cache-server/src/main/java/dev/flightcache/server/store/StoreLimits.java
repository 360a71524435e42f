package dev.flightcache.server.store;

/**
 * Limits the store enforces on every write.
 *
 * @param maxObjectBytes the largest base plus patches, in bytes
 * @param maxPatchBytes the largest single patch, in bytes
 * @param maxPatches the most patches one object may carry before it must be replaced
 */
public record StoreLimits(long maxObjectBytes, long maxPatchBytes, int maxPatches) {
  public StoreLimits {
    if (maxObjectBytes <= 0 || maxPatchBytes <= 0 || maxPatches < 0) {
      throw new IllegalArgumentException("store limits must be positive: " + maxObjectBytes + ", " + maxPatchBytes + ", " + maxPatches);
    }
  }
}
