package dev.flightcache.server.quota;

/**
 * What one app may store. {@link #UNLIMITED} in a dimension means no limit on it.
 *
 * @param maxBytes disk the app's objects may take, counted as the budget counts it (whole blocks,
 *     plus one block per object directory); {@link #UNLIMITED} for no limit
 * @param maxObjects objects the app may store; {@link #UNLIMITED} for no limit
 */
public record AppLimit(long maxBytes, long maxObjects) {
  public static final long UNLIMITED = Long.MAX_VALUE;

  /** No limit on either dimension. */
  public static final AppLimit NONE = new AppLimit(UNLIMITED, UNLIMITED);

  public AppLimit {
    if (maxBytes < 0 || maxObjects < 0) {
      throw new IllegalArgumentException("limits must be >= 0: " + maxBytes + ", " + maxObjects);
    }
  }

  public boolean limitsBytes() {
    return maxBytes != UNLIMITED;
  }

  public boolean limitsObjects() {
    return maxObjects != UNLIMITED;
  }
}
