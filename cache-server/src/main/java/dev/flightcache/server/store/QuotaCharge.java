package dev.flightcache.server.store;

import dev.flightcache.server.quota.AppQuotas;

/**
 * What one write holds of its app's quota. While the write streams it reserves the disk the new
 * file takes beyond what the object took when the write began (a replace counts the new size
 * minus the old), and one object if the key held none. At commit, under the key's lock, it is
 * {@link #settle settled} against the object as it is then, reserving any shortfall, which may
 * still refuse the write; then it is {@link #commit committed}. Not thread-safe: one write owns it.
 */
final class QuotaCharge {
  private final AppQuotas quotas;
  private final String app;
  /** Disk the object took when the write began: the new file needs only what exceeds it. */
  private final long replacedBytes;
  private long reservedBytes;
  private long reservedObjects;
  private long storedBytesDelta;
  private long storedObjectsDelta;

  private QuotaCharge(AppQuotas quotas, String app, long replacedBytes) {
    this.quotas = quotas;
    this.app = app;
    this.replacedBytes = replacedBytes;
  }

  /**
   * Starts the charge of a write of {@code app}, reserving {@code newObjects} objects now.
   *
   * @param replacedBytes disk the written object takes now (0 if it does not exist, or for a patch)
   * @throws dev.flightcache.server.quota.QuotaExceededException if the app has no room for the object
   */
  static QuotaCharge open(AppQuotas quotas, String app, long replacedBytes, long newObjects) {
    QuotaCharge charge = new QuotaCharge(quotas, app, replacedBytes);
    quotas.reserve(app, 0, newObjects);
    charge.reservedObjects = newObjects;
    return charge;
  }

  /** Reserves what a file taking {@code diskBytes} needs beyond the replaced object. */
  void reserveFor(long diskBytes) {
    long needed = Math.max(0, diskBytes - replacedBytes);
    if (needed > reservedBytes) {
      quotas.reserve(app, needed - reservedBytes, 0);
      reservedBytes = needed;
    }
  }

  /**
   * Fixes what the commit changes, the object being as it is now, and reserves any shortfall (the
   * replaced object shrank or went since the write began, or the key gained or lost its object).
   *
   * @param bytesDelta the app's stored bytes after the commit minus before
   * @param objectsDelta 1 if the commit creates the object, else 0
   * @throws dev.flightcache.server.quota.QuotaExceededException if the shortfall does not fit
   */
  void settle(long bytesDelta, long objectsDelta) {
    long moreBytes = Math.max(0, bytesDelta - reservedBytes);
    long moreObjects = Math.max(0, objectsDelta - reservedObjects);
    quotas.reserve(app, moreBytes, moreObjects);
    reservedBytes += moreBytes;
    reservedObjects += moreObjects;
    storedBytesDelta = bytesDelta;
    storedObjectsDelta = objectsDelta;
  }

  /** The settled write committed: its reservation becomes stored usage. */
  void commit() {
    quotas.commit(app, reservedBytes, reservedObjects, storedBytesDelta, storedObjectsDelta);
    reservedBytes = 0;
    reservedObjects = 0;
  }

  /** Gives back whatever is still reserved; the write did not commit. */
  void release() {
    if (reservedBytes != 0 || reservedObjects != 0) {
      quotas.release(app, reservedBytes, reservedObjects);
      reservedBytes = 0;
      reservedObjects = 0;
    }
  }
}
