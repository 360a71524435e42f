package dev.flightcache.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.eviction.StorageFullException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store under a small budget: eviction, reservations, idle expiry, with a fake clock. */
class EvictionTest {
  private static final long KIB = 1024;
  private static final StoreLimits LIMITS = new StoreLimits(1L << 30, 1L << 20, 1000);

  @TempDir Path root;
  private final AtomicLong nanos = new AtomicLong();
  private final List<FileObjectStore> opened = new ArrayList<>();

  /**
   * A store reopened over a journal that was not closed repairs files on a background thread.
   * Close every store, newest first, so none still writes into the temp directory while JUnit
   * deletes it. A test may have damaged the directory on purpose, so closing may fail; all that
   * matters here is that no background work outlives the test.
   */
  @AfterEach
  void closeStores() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (IOException | RuntimeException ignored) {
        // see above
      }
    }
  }

  /** 4 KiB blocks; each 8 KiB object takes 12 KiB with its directory. */
  private FileObjectStore open(long budgetKib, long hardLimitKib, Duration idleTtl) throws IOException {
    BudgetSettings settings = new BudgetSettings(budgetKib * KIB, 0.9, 0.5, hardLimitKib * KIB, 0, idleTtl, 4 * KIB);
    FileObjectStore store = FileObjectStore.open(root, LIMITS, settings, () -> Long.MAX_VALUE, nanos::get, Runnable::run);
    opened.add(store);
    return store;
  }

  private static ObjectKey key(int i) {
    return new ObjectKey("app", "s", "o" + i);
  }

  private static ObjectEntry put(FileObjectStore store, ObjectKey key, int bytes) throws IOException {
    try (PendingWrite write = store.beginPut(key)) {
      write.write(ByteBuffer.wrap(new byte[bytes]));
      return store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
  }

  private static byte[] read(FileObjectStore store, ObjectKey key) throws IOException {
    try (ObjectSnapshot snapshot = store.open(key, 0)) {
      ByteBuffer bytes = ByteBuffer.allocate((int) snapshot.entry().base().sizeBytes());
      snapshot.base().read(bytes, 0);
      return bytes.array();
    }
  }

  @Test
  void put_pastHighWatermark_evictsDownToLowWatermark() throws IOException {
    FileObjectStore store = open(120, 240, null);
    for (int i = 0; i < 10; i++) {
      put(store, key(i), 8 * 1024);
    }
    // 10 objects x 12 KiB = 120 KiB passed 108 KiB (90%), so eviction went down to 60 KiB (50%).
    assertThat(store.budget().storedBytes()).isLessThanOrEqualTo(60 * KIB);
    assertThat(store.objectCount()).isEqualTo((int) (store.budget().storedBytes() / (12 * KIB)));
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isEqualTo(10 - store.objectCount());
    try (Stream<Path> dirs = Files.list(root.resolve("objects/app/s"))) {
      assertThat(dirs.count()).as("evicted files are gone").isEqualTo(store.objectCount());
    }
  }

  @Test
  void eviction_keepsTheFrequentlyReadObject() throws IOException {
    FileObjectStore store = open(120, 240, null);
    ObjectKey hot = key(0);
    put(store, hot, 8 * 1024);
    for (int i = 1; i < 40; i++) {
      for (int reads = 0; reads < 3; reads++) {
        read(store, hot);
      }
      put(store, key(i), 8 * 1024);
    }
    assertThat(store.entry(hot)).as("read 117 times; the one-off puts went first").isPresent();
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isGreaterThan(20);
  }

  @Test
  void evicted_answersNotFoundAndItsVersionIsNeverReused() throws IOException {
    FileObjectStore store = open(120, 240, null);
    ObjectKey victim = key(0);
    put(store, victim, 8 * 1024);
    long evictedVersion = put(store, victim, 8 * 1024).version();
    store.policy().evictDownTo(0);
    assertThat(store.entry(victim)).isEmpty();
    assertThatThrownBy(() -> store.open(victim, 0)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(put(store, victim, 16).version()).isGreaterThan(evictedVersion);
  }

  @Test
  void readerOfAnObjectBeingEvicted_stillReadsItWhole() throws IOException {
    FileObjectStore store = open(120, 240, null);
    ObjectKey key = key(0);
    byte[] bytes = "read me whole, even while I am evicted".getBytes(UTF_8);
    try (PendingWrite write = store.beginPut(key)) {
      write.write(ByteBuffer.wrap(bytes));
      store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
    try (ObjectSnapshot snapshot = store.open(key, 0)) {
      store.policy().evictDownTo(0);
      assertThat(store.entry(key)).isEmpty();
      ByteBuffer read = ByteBuffer.allocate(bytes.length);
      snapshot.base().read(read, 0);
      assertThat(read.array()).isEqualTo(bytes);
    }
  }

  @Test
  void put_neverFitsUnderTheHardLimit_limitExceededAndNothingLeft() throws IOException {
    FileObjectStore store = open(64, 64, null);
    assertThatThrownBy(() -> put(store, key(0), 61 * 1024)).isInstanceOf(LimitExceededException.class);
    assertThat(store.budget().rejectedTooLarge()).isEqualTo(1);
    assertThat(store.budget().reservedBytes()).isZero();
    try (Stream<Path> tmp = Files.list(root.resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }

  @Test
  void put_whileOtherWritesHoldTheSpace_storageFullAndNothingLeftOrEvicted() throws IOException {
    FileObjectStore store = open(64, 64, null);
    put(store, key(0), 8 * 1024);
    try (PendingWrite holding = store.beginPut(key(1))) {
      holding.write(ByteBuffer.wrap(new byte[40 * 1024]));
      assertThatThrownBy(() -> put(store, key(2), 20 * 1024))
          .isInstanceOf(StorageFullException.class)
          .hasMessageContaining("reserved by writes in progress");
      // Even with everything stored evicted, the reservation in progress leaves too little: so
      // nothing was evicted.
      assertThat(store.entry(key(0))).isPresent();
      assertThat(store.policy().evictions(EvictionReason.SIZE)).isZero();
      assertThat(store.budget().rejectedFull()).isEqualTo(1);
      store.commitPut(key(1), ObjectFormat.OPAQUE, holding);
    }
    assertThat(store.entry(key(1))).isPresent();
    assertThat(store.entry(key(2))).isEmpty();
    assertThat(store.budget().reservedBytes()).isZero();
    assertThat(store.budget().storedBytes()).isEqualTo(56 * KIB);
  }

  @Test
  void idleTtl_expiresUnreadObjectsAndReadsRenewThem() throws IOException {
    FileObjectStore store = open(1024, 1024, Duration.ofMinutes(10));
    put(store, key(0), 100);
    put(store, key(1), 100);
    nanos.addAndGet(Duration.ofMinutes(9).toNanos());
    read(store, key(0));
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    store.policy().cleanUp();
    assertThat(store.entry(key(0))).as("read a minute ago").isPresent();
    assertThat(store.entry(key(1))).as("idle for 11 minutes").isEmpty();
    assertThat(store.policy().evictions(EvictionReason.IDLE)).isEqualTo(1);
  }

  @Test
  void deleteAndReplace_freeTheirBytesAndReopenCountsTheSame() throws IOException {
    FileObjectStore store = open(1024, 1024, null);
    put(store, key(0), 10_000);
    put(store, key(0), 5_000);
    try (PendingWrite patch = store.beginPatch(key(0))) {
      patch.write(ByteBuffer.wrap(new byte[100]));
      store.commitPatch(key(0), patch);
    }
    put(store, key(1), 1);
    // key 0: 8 KiB base + 4 KiB patch + 4 KiB directory; key 1: 4 KiB + 4 KiB directory.
    assertThat(store.budget().storedBytes()).isEqualTo(24 * KIB);
    store.delete(KeyPath.parse("app/s/o1"));
    assertThat(store.budget().storedBytes()).isEqualTo(16 * KIB);
    FileObjectStore reopened = open(1024, 1024, null);
    assertThat(reopened.budget().storedBytes()).isEqualTo(16 * KIB);
  }

  @Test
  void reopen_withASmallerBudget_evictsAtStart() throws IOException {
    FileObjectStore store = open(1024, 1024, null);
    for (int i = 0; i < 10; i++) {
      put(store, key(i), 8 * 1024);
    }
    FileObjectStore smaller = open(60, 120, null);
    assertThat(smaller.budget().storedBytes()).isLessThanOrEqualTo(30 * KIB);
    assertThat(smaller.objectCount()).isLessThan(10);
  }
}
