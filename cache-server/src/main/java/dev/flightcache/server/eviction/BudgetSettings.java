package dev.flightcache.server.eviction;

import java.time.Duration;

/**
 * The budget in bytes, resolved against the storage volume at start.
 *
 * @param budgetBytes stored bytes the cache aims to stay under
 * @param highWatermark fraction of the budget above which eviction starts
 * @param lowWatermark fraction of the budget at which eviction stops
 * @param hardLimitBytes stored plus reserved bytes never exceed this; writes beyond are refused
 * @param minFreeBytes free space on the volume that writes never take
 * @param idleTtl objects not read or written for this long are evicted; null for never
 * @param blockBytes the volume's allocation unit: every file is counted in whole blocks
 */
public record BudgetSettings(
    long budgetBytes, double highWatermark, double lowWatermark, long hardLimitBytes, long minFreeBytes, Duration idleTtl,
    long blockBytes) {

  public BudgetSettings {
    if (budgetBytes <= 0 || hardLimitBytes < budgetBytes || minFreeBytes < 0 || blockBytes <= 0) {
      throw new IllegalArgumentException(
          "budget must be > 0, hard limit >= budget, free floor >= 0: " + budgetBytes + ", " + hardLimitBytes + ", " + minFreeBytes);
    }
    if (!(lowWatermark > 0 && lowWatermark < highWatermark && highWatermark <= 1)) {
      throw new IllegalArgumentException("watermarks must satisfy 0 < low < high <= 1: " + lowWatermark + ", " + highWatermark);
    }
  }

  public long highWatermarkBytes() {
    return (long) (budgetBytes * highWatermark);
  }

  public long lowWatermarkBytes() {
    return (long) (budgetBytes * lowWatermark);
  }

  /** What a file of {@code length} bytes takes on disk: whole blocks. */
  public long allocated(long length) {
    return (length + blockBytes - 1) / blockBytes * blockBytes;
  }
}
