package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The last version of each removed key (deleted, evicted or dropped by repair), so that a key the
 * index does not hold starts above its own history: a key never held starts at 1, a removed one
 * at its last version + 1.
 *
 * <p>Bounded: the newest {@code capacity} removed keys each keep a tombstone (the key's 128-bit
 * {@link Fingerprint} and its version) in removal order; a key removed again moves to the newest
 * end. When a new tombstone would pass the capacity, the oldest one is folded into one of {@value
 * #BUCKETS} bucket floors chosen by its fingerprint (the bucket keeps the highest version folded
 * into it). The legacy floor, from a store written before tombstones or whose history recovery
 * lost, applies to every key. A key's last version is the higher of its tombstone and the legacy
 * floor if it has a tombstone, else the higher of its bucket's floor and the legacy floor. So the
 * newest {@code capacity} removed keys continue exactly from their own history, an older one
 * perhaps higher, never lower, and a key never removed starts at 1 unless its bucket or the
 * legacy floor has a floor.
 *
 * <p>Why a tombstone alone is safe: a key's tombstone holds the highest version of its removals
 * since the tombstone was made, and every version the key had before then was folded into its
 * bucket, so its next put after that started above them. That holds unless two keys share a
 * fingerprint; fingerprints are 128 bits of SHA-256, so that never happens, by chance or by
 * design. Versions compare unsigned.
 *
 * <p>Memory: 32 bytes per tombstone (fingerprint, version and the two links of a doubly linked
 * FIFO, in primitive arrays grown by doubling up to the capacity), an open-addressing table of 8
 * bytes per tombstone, and 512 KiB of bucket floors: 40.5 MiB of arrays at the production
 * capacity of 2^20. Thread-safe (one monitor).
 */
final class RemovedVersions {
  /** Tombstones kept exact: 1,048,576, at least the last million removed keys. */
  static final int DEFAULT_CAPACITY = 1 << 20;
  static final int BUCKETS = 1 << 16;
  private static final int FIRST_SLOTS = 1024;
  private static final int NONE = -1;

  private final int capacity;
  private final long[] bucketFloors = new long[BUCKETS];
  private long legacyFloor;
  // The tombstones, in slots; slots link the FIFO from head (oldest) to tail (newest).
  private long[] hashes;
  private long[] checks;
  private long[] versions;
  private int[] older;
  private int[] newer;
  private int head = NONE;
  private int tail = NONE;
  private int size;
  /** Linear-probing table from fingerprint to slot + 1; 0 is empty. At most half full. */
  private int[] table;

  RemovedVersions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
    }
    this.capacity = capacity;
    allocate(Math.min(capacity, FIRST_SLOTS));
  }

  /**
   * What tombstones and buckets know a key by: the first 128 bits of the SHA-256 of its UTF-8
   * form, as two longs; {@code hash} picks the table slot and the bucket. Stored in snapshots.
   */
  record Fingerprint(long hash, long check) {
    /** Never updated, only cloned. */
    private static final MessageDigest SHA256 = sha256();

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }

    static Fingerprint of(ObjectKey key) {
      MessageDigest sha256;
      try {
        // Cloning a digest no one updates costs less than looking the algorithm up each time.
        sha256 = (MessageDigest) SHA256.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-256 digests of this platform cannot be cloned", e);
      }
      ByteBuffer digest = ByteBuffer.wrap(sha256.digest(key.toString().getBytes(StandardCharsets.UTF_8)));
      return new Fingerprint(digest.getLong(0), digest.getLong(8));
    }

    int bucket() {
      return bucketOf(hash);
    }
  }

  static int bucketOf(long hash) {
    return (int) (hash >>> 48);
  }

  /** The version a key the index does not hold was last seen at, or 0: its next version is this + 1. */
  long lastVersion(ObjectKey key) {
    return lastVersion(Fingerprint.of(key));
  }

  synchronized long lastVersion(Fingerprint key) {
    int slot = find(key.hash(), key.check());
    long own = slot == NONE ? bucketFloors[key.bucket()] : versions[slot];
    return higher(own, legacyFloor);
  }

  /** Remembers that {@code key} was removed at {@code version}; it becomes the newest tombstone. */
  void record(ObjectKey key, long version) {
    Fingerprint fingerprint = Fingerprint.of(key);
    record(fingerprint.hash(), fingerprint.check(), version);
  }

  synchronized void record(long hash, long check, long version) {
    int slot = find(hash, check);
    if (slot != NONE) {
      versions[slot] = higher(versions[slot], version);
      if (slot != tail) {
        unlink(slot);
        link(slot);
      }
      return;
    }
    if (size == capacity) {
      slot = head;
      fold(slot);
    } else {
      if (size == hashes.length) {
        allocate(Math.min(capacity, hashes.length * 2));
      }
      slot = size++;
    }
    hashes[slot] = hash;
    checks[slot] = check;
    versions[slot] = version;
    link(slot);
    insert(slot);
  }

  /** Raises the floor under every key to {@code version}. */
  synchronized void raiseLegacyFloor(long version) {
    legacyFloor = higher(legacyFloor, version);
  }

  synchronized long legacyFloor() {
    return legacyFloor;
  }

  /** Raises one bucket's floor, as restored from a snapshot. */
  synchronized void raiseBucketFloor(int bucket, long version) {
    bucketFloors[bucket] = higher(bucketFloors[bucket], version);
  }

  synchronized int size() {
    return size;
  }

  /** A copy of the tombstones, oldest first, and the bucket floors: what a snapshot stores. */
  synchronized Frozen freeze() {
    long[] frozenHashes = new long[size];
    long[] frozenChecks = new long[size];
    long[] frozenVersions = new long[size];
    int i = 0;
    for (int slot = head; slot != NONE; slot = newer[slot]) {
      frozenHashes[i] = hashes[slot];
      frozenChecks[i] = checks[slot];
      frozenVersions[i++] = versions[slot];
    }
    return new Frozen(frozenHashes, frozenChecks, frozenVersions, bucketFloors.clone());
  }

  /** Adds what a snapshot stored, in its order; tombstones past the capacity fold into buckets. */
  void restore(Frozen frozen) {
    for (int bucket = 0; bucket < BUCKETS; bucket++) {
      if (frozen.bucketFloors()[bucket] != 0) {
        raiseBucketFloor(bucket, frozen.bucketFloors()[bucket]);
      }
    }
    for (int i = 0; i < frozen.hashes().length; i++) {
      record(frozen.hashes()[i], frozen.checks()[i], frozen.versions()[i]);
    }
  }

  /**
   * Tombstones oldest first (fingerprint halves and versions) and the {@value #BUCKETS} bucket
   * floors. The arrays are the record's own; nobody changes them.
   */
  record Frozen(long[] hashes, long[] checks, long[] versions, long[] bucketFloors) {
    Frozen {
      if (hashes.length != versions.length || checks.length != versions.length || bucketFloors.length != BUCKETS) {
        throw new IllegalArgumentException("tombstone arrays differ in length, or not " + BUCKETS + " buckets");
      }
    }

    static Frozen empty() {
      return new Frozen(new long[0], new long[0], new long[0], new long[BUCKETS]);
    }

    /** The highest version in the tombstones and the buckets. */
    long highest() {
      long highest = 0;
      for (long version : versions) {
        highest = higher(highest, version);
      }
      for (long version : bucketFloors) {
        highest = higher(highest, version);
      }
      return highest;
    }
  }

  private void fold(int slot) {
    int bucket = bucketOf(hashes[slot]);
    bucketFloors[bucket] = higher(bucketFloors[bucket], versions[slot]);
    remove(slot);
    unlink(slot);
  }

  private void link(int slot) {
    older[slot] = tail;
    newer[slot] = NONE;
    if (tail == NONE) {
      head = slot;
    } else {
      newer[tail] = slot;
    }
    tail = slot;
  }

  private void unlink(int slot) {
    if (older[slot] == NONE) {
      head = newer[slot];
    } else {
      newer[older[slot]] = newer[slot];
    }
    if (newer[slot] == NONE) {
      tail = older[slot];
    } else {
      older[newer[slot]] = older[slot];
    }
  }

  private int find(long hash, long check) {
    int mask = table.length - 1;
    for (int i = (int) hash & mask; table[i] != 0; i = (i + 1) & mask) {
      if (hashes[table[i] - 1] == hash && checks[table[i] - 1] == check) {
        return table[i] - 1;
      }
    }
    return NONE;
  }

  private void insert(int slot) {
    int mask = table.length - 1;
    int i = (int) hashes[slot] & mask;
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = slot + 1;
  }

  /** Deletes the slot's table cell, shifting back the cells after it (no markers left). */
  private void remove(int slot) {
    int mask = table.length - 1;
    int hole = (int) hashes[slot] & mask;
    while (table[hole] != slot + 1) {
      hole = (hole + 1) & mask;
    }
    for (int i = (hole + 1) & mask; table[i] != 0; i = (i + 1) & mask) {
      int home = (int) hashes[table[i] - 1] & mask;
      // The cell at i may move to the hole unless its home lies cyclically in (hole, i].
      boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (!stays) {
        table[hole] = table[i];
        hole = i;
      }
    }
    table[hole] = 0;
  }

  private void allocate(int slots) {
    hashes = hashes == null ? new long[slots] : Arrays.copyOf(hashes, slots);
    checks = checks == null ? new long[slots] : Arrays.copyOf(checks, slots);
    versions = versions == null ? new long[slots] : Arrays.copyOf(versions, slots);
    older = older == null ? new int[slots] : Arrays.copyOf(older, slots);
    newer = newer == null ? new int[slots] : Arrays.copyOf(newer, slots);
    table = new int[Integer.highestOneBit(Math.max(1, slots) * 2 - 1) * 2];
    for (int slot = 0; slot < size; slot++) {
      insert(slot);
    }
  }

  /** The higher of two versions, compared unsigned. */
  static long higher(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }
}
