package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounded memory of removed keys: exact for the newest, never lower for the rest. */
class RemovedVersionsTest {

  @Test
  void lastVersion_neverRemoved_zero() {
    RemovedVersions removed = new RemovedVersions(4);
    assertThat(removed.lastVersion(key(1))).isZero();
  }

  @Test
  void record_sameKeyTwice_keepsTheHigherVersion() {
    RemovedVersions removed = new RemovedVersions(4);
    removed.record(key(1), 7);
    removed.record(key(1), 3);
    assertThat(removed.lastVersion(key(1))).isEqualTo(7);
    removed.record(key(1), 9);
    assertThat(removed.lastVersion(key(1))).isEqualTo(9);
    assertThat(removed.size()).isEqualTo(1);
    assertThat(removed.lastVersion(key(2))).isZero();
  }

  @Test
  void record_pastCapacity_oldestFoldIntoBucketsAndNoKeyGoesLower() {
    RemovedVersions removed = new RemovedVersions(4);
    for (int i = 0; i < 100; i++) {
      removed.record(key(i), 1000 + i);
    }
    assertThat(removed.size()).isEqualTo(4);
    for (int i = 96; i < 100; i++) {
      assertThat(removed.lastVersion(key(i))).as("newest key %d is exact", i).isEqualTo(1000 + i);
    }
    Set<Integer> raisedBuckets = new HashSet<>();
    for (int i = 0; i < 96; i++) {
      assertThat(removed.lastVersion(key(i))).as("folded key %d", i).isGreaterThanOrEqualTo(1000 + i);
      raisedBuckets.add(RemovedVersions.Fingerprint.of(key(i)).bucket());
    }
    int fresh = 0;
    for (int i = 1000; i < 2000; i++) {
      if (!raisedBuckets.contains(RemovedVersions.Fingerprint.of(key(i)).bucket())) {
        assertThat(removed.lastVersion(key(i))).as("never removed key %d in a bucket with no floor", i).isZero();
        fresh++;
      }
    }
    assertThat(fresh).isGreaterThan(900);
  }

  @Test
  void lastVersion_tombstoneInABucketWithAHigherFloor_exactOwnVersion() {
    RemovedVersions removed = new RemovedVersions(2);
    ObjectKey old = key(1);
    ObjectKey recent = key(2);
    removed.raiseBucketFloor(RemovedVersions.Fingerprint.of(recent).bucket(), 500);
    removed.record(old, 40);
    removed.record(recent, 3);
    assertThat(removed.lastVersion(recent)).isEqualTo(3);
    assertThat(removed.lastVersion(key(3))).as("never removed, in its own bucket").isZero();
  }

  @Test
  void fingerprint_sha256OfTheKey_stableAcrossReleases() {
    // Stored in snapshots: a change here would forget every tombstone on upgrade.
    RemovedVersions.Fingerprint fingerprint = RemovedVersions.Fingerprint.of(new ObjectKey("app", "s", "o"));
    // The first 128 bits of SHA-256("app/s/o").
    assertThat(fingerprint.hash()).isEqualTo(0xe711c6f61ec5af2aL);
    assertThat(fingerprint.check()).isEqualTo(0x909090f8ff6d031fL);
  }

  @Test
  void record_removedAgain_becomesNewestAndOutlivesOlderOnes() {
    RemovedVersions removed = new RemovedVersions(3);
    removed.record(key(1), 5);
    removed.record(key(2), 5);
    removed.record(key(3), 5);
    removed.record(key(1), 8);
    removed.record(key(4), 5);
    removed.record(key(5), 5);

    // 2 and 3 were the oldest; 1 moved to the back when it was removed again.
    assertThat(removed.freeze().hashes()).containsExactly(
        RemovedVersions.Fingerprint.of(key(1)).hash(), RemovedVersions.Fingerprint.of(key(4)).hash(), RemovedVersions.Fingerprint.of(key(5)).hash());
    assertThat(removed.lastVersion(key(1))).isEqualTo(8);
  }

  @Test
  void legacyFloor_appliesToEveryKeyBelowIt() {
    RemovedVersions removed = new RemovedVersions(4);
    removed.record(key(1), 30);
    removed.raiseLegacyFloor(20);
    assertThat(removed.lastVersion(key(1))).isEqualTo(30);
    assertThat(removed.lastVersion(key(2))).isEqualTo(20);
    removed.raiseLegacyFloor(10);
    assertThat(removed.legacyFloor()).isEqualTo(20);
  }

  @Test
  void versions_compareUnsigned() {
    RemovedVersions removed = new RemovedVersions(4);
    removed.record(key(1), -1L);
    removed.record(key(1), 5);
    assertThat(removed.lastVersion(key(1))).isEqualTo(-1L);
  }

  @Test
  void freezeThenRestore_sameOrderAndBucketsEvenIntoASmallerCapacity() {
    RemovedVersions removed = new RemovedVersions(8);
    for (int i = 0; i < 20; i++) {
      removed.record(key(i), 100 + i);
    }
    RemovedVersions.Frozen frozen = removed.freeze();

    RemovedVersions same = new RemovedVersions(8);
    same.restore(frozen);
    assertThat(same.freeze().hashes()).containsExactly(frozen.hashes());
    assertThat(same.freeze().bucketFloors()).containsExactly(frozen.bucketFloors());
    RemovedVersions smaller = new RemovedVersions(2);
    smaller.restore(frozen);
    for (int i = 0; i < 20; i++) {
      assertThat(same.lastVersion(key(i))).isEqualTo(removed.lastVersion(key(i)));
      assertThat(smaller.lastVersion(key(i))).isGreaterThanOrEqualTo(100 + i);
    }
    assertThat(smaller.lastVersion(key(19))).isEqualTo(119);
    assertThat(frozen.highest()).isEqualTo(119);
  }

  /** Random removes against an exact model: the newest {@code capacity} exact, none ever lower. */
  @Test
  void record_randomAgainstAModel_newestExactAndNoneLower() {
    int capacity = 64;
    RemovedVersions removed = new RemovedVersions(capacity);
    Map<Integer, Long> model = new HashMap<>();
    List<Integer> order = new ArrayList<>();
    Random random = new Random(42);
    for (int op = 0; op < 20_000; op++) {
      int k = random.nextInt(500);
      long version = model.getOrDefault(k, 0L) + 1 + random.nextInt(3);
      removed.record(key(k), version);
      model.put(k, version);
      order.remove(Integer.valueOf(k));
      order.add(k);
      if (op % 97 == 0) {
        int from = Math.max(0, order.size() - capacity);
        for (int i = 0; i < order.size(); i++) {
          int id = order.get(i);
          long actual = removed.lastVersion(key(id));
          if (i >= from) {
            assertThat(actual).as("newest key %d at op %d", id, op).isEqualTo(model.get(id));
          } else {
            assertThat(actual).as("older key %d at op %d", id, op).isGreaterThanOrEqualTo(model.get(id));
          }
        }
      }
    }
  }

  /** Grows from its first arrays to a capacity past them, keeping every tombstone exact. */
  @Test
  void record_growsPastItsFirstArrays_allExact() {
    RemovedVersions removed = new RemovedVersions(5000);
    for (int i = 0; i < 5000; i++) {
      removed.record(key(i), i + 1);
    }
    assertThat(removed.size()).isEqualTo(5000);
    for (int i = 0; i < 5000; i++) {
      assertThat(removed.lastVersion(key(i))).isEqualTo(i + 1);
    }
  }

  private static ObjectKey key(int i) {
    return new ObjectKey("app" + (i % 7), "s", "o" + i);
  }
}
