package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.quota.AppLimit;
import dev.flightcache.server.quota.AppQuotas;
import dev.flightcache.server.quota.QuotaExceededException;
import dev.flightcache.server.quota.QuotaTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a write reserves its space: it never fails for its reservation steps, is refused before
 * evicting when it can never fit, evicts only for the bytes it received, and what a write that
 * does not commit evicted is counted. The high watermark is the whole budget, so no background
 * eviction takes part: every eviction here is one a write asked for.
 */
class WriteReservationTest {
  private static final long KIB = 1024;
  private static final int LIMIT_KIB = 400;
  private static final StoreLimits LIMITS = new StoreLimits(1L << 30, 1L << 20, 1000);

  @TempDir Path root;
  private final List<FileObjectStore> opened = new ArrayList<>();

  @AfterEach
  void closeStores() throws IOException {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  /** 4 KiB blocks; budget and hard limit 400 KiB; eviction in the background only past all of it. */
  private FileObjectStore open(AppQuotas quotas) throws IOException {
    BudgetSettings settings = new BudgetSettings(LIMIT_KIB * KIB, 1.0, 0.5, LIMIT_KIB * KIB, 0, null, 4 * KIB);
    FileObjectStore store = FileObjectStore.open(
        root, LIMITS, settings, () -> Long.MAX_VALUE, () -> 0L, Runnable::run, quotas);
    opened.add(store);
    return store;
  }

  private FileObjectStore open() throws IOException {
    return open(new AppQuotas());
  }

  private static ObjectKey key(String app, int i) {
    return new ObjectKey(app, "s", "o" + i);
  }

  /** Puts {@code count} objects of {@code bytes} each under {@code app}. */
  private static List<ObjectKey> fill(FileObjectStore store, String app, int count, int bytes) throws IOException {
    List<ObjectKey> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectKey key = key(app, i);
      try (PendingWrite write = store.beginPut(key)) {
        write.write(ByteBuffer.wrap(new byte[bytes]));
        store.commitPut(key, ObjectFormat.OPAQUE, write);
      }
      keys.add(key);
    }
    return keys;
  }

  private static void writeChunks(PendingWrite write, int chunks, int chunkBytes) throws IOException {
    for (int i = 0; i < chunks; i++) {
      write.write(ByteBuffer.wrap(new byte[chunkBytes]));
    }
  }

  private long tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
      return files.count();
    }
  }

  @Test
  void write_asLargeAsTheHardLimitInSmallChunks_storedOnAnEmptyStore() throws IOException {
    FileObjectStore store = open();
    ObjectKey key = key("app", 0);
    // 396 KiB in 4 KiB chunks: with its directory's block, exactly the hard limit.
    try (PendingWrite write = store.beginPut(key)) {
      writeChunks(write, 99, 4 * 1024);
      assertThat(store.budget().reservedBytes()).isLessThanOrEqualTo(LIMIT_KIB * KIB);
      store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
    assertThat(store.entry(key).orElseThrow().sizeBytes()).isEqualTo(396 * KIB);
    assertThat(store.budget().storedBytes()).isEqualTo(LIMIT_KIB * KIB);
    assertThat(store.budget().reservedBytes()).isZero();
  }

  /** Bytes the files under the store's root take, in whole 4 KiB blocks. */
  private long filesOnDisk() {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return (Files.size(file) + 4 * KIB - 1) / (4 * KIB) * (4 * KIB);
        } catch (IOException e) {
          return 0; // removed meanwhile
        }
      }).sum();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void write_nearTheFreeSpaceFloor_itsOwnBytesOnDiskAreNotCountedTwice() throws IOException {
    // A volume with 500 KiB free before the store writes, of which 100 KiB are kept free; the
    // budget is far larger, so the floor decides. As the write's bytes reach the disk, the volume's
    // free space drops: they must not count again as reserved.
    BudgetSettings settings = new BudgetSettings(1L << 30, 0.95, 0.85, 1L << 30, 100 * KIB, null, 4 * KIB);
    FileObjectStore store = FileObjectStore.open(
        root, LIMITS, settings, () -> 500 * KIB - filesOnDisk(), () -> 0L, Runnable::run, new AppQuotas());
    opened.add(store);
    ObjectKey key = key("app", 0);
    long journal = filesOnDisk();
    try (PendingWrite write = store.beginPut(key)) {
      writeChunks(write, 12, 32 * 1024);
      store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
    assertThat(store.entry(key).orElseThrow().sizeBytes()).isEqualTo(384 * KIB);
    assertThat(journal).as("the store's own files leave room for it").isLessThanOrEqualTo(8 * KIB);
  }

  @Test
  void write_thatCanNeverFit_refusedBeforeEvictingAnything() throws IOException {
    FileObjectStore store = open();
    List<ObjectKey> stored = fill(store, "app", 6, 4 * 1024);
    ObjectKey big = key("big", 0);
    // 48 KiB stored; 300 KiB received fit beside it, the fourth 100 KiB chunk passes 396 KiB.
    try (PendingWrite write = store.beginPut(big)) {
      writeChunks(write, 3, 100 * 1024);
      assertThatThrownBy(() -> write.write(ByteBuffer.wrap(new byte[100 * 1024])))
          .isInstanceOf(LimitExceededException.class)
          .hasMessage("object big/s/o0 is larger than the limit of " + 396 * KIB + " bytes");
    }
    assertThat(stored).allSatisfy(key -> assertThat(store.entry(key)).isPresent());
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isZero();
    assertThat(store.budget().evictedForRefusedWrites()).isZero();
    assertThat(store.budget().rejectedTooLarge()).isEqualTo(1);
    assertThat(store.budget().rejectedFull()).isZero();
    assertThat(store.budget().reservedBytes()).isZero();
    assertThat(tempFiles()).isZero();
  }

  @Test
  void write_abortedAfterEvicting_evictedOnlyWhatItsBytesNeededAndCounted() throws IOException {
    FileObjectStore store = open();
    // 12 objects of 32 KiB on disk: 384 KiB stored, 16 KiB free.
    fill(store, "app", 12, 28 * 1024);
    try (PendingWrite write = store.beginPut(key("new", 0))) {
      writeChunks(write, 3, 32 * 1024);
      // 96 KiB and a directory block need 100 KiB, 84 more than was free: three 32 KiB objects.
      assertThat(store.policy().evictions(EvictionReason.SIZE)).isEqualTo(3);
      assertThat(write.evictedBytes()).isEqualTo(96 * KIB);
      assertThat(store.budget().evictedForRefusedWrites()).as("not refused yet").isZero();
    }
    assertThat(store.objectCount()).isEqualTo(9);
    assertThat(store.budget().evictedForRefusedWrites()).isEqualTo(96 * KIB);
    assertThat(store.budget().reservedBytes()).isZero();
    assertThat(tempFiles()).isZero();
  }

  @Test
  void write_committedAfterEvicting_notCountedAsEvictedForARefusedWrite() throws IOException {
    FileObjectStore store = open();
    fill(store, "app", 12, 28 * 1024);
    ObjectKey key = key("new", 0);
    try (PendingWrite write = store.beginPut(key)) {
      writeChunks(write, 3, 32 * 1024);
      store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isEqualTo(3);
    assertThat(store.budget().evictedForRefusedWrites()).isZero();
  }

  @Test
  void patch_thatWouldTakeItsObjectPastTheHardLimit_refusedBeforeEvicting() throws IOException {
    FileObjectStore store = open();
    List<ObjectKey> small = fill(store, "app", 4, 4 * 1024);
    ObjectKey base = key("base", 0);
    try (PendingWrite write = store.beginPut(base)) {
      write.write(ByteBuffer.wrap(new byte[200 * 1024]));
      store.commitPut(base, ObjectFormat.OPAQUE, write);
    }
    // The base takes 204 KiB, so a patch may be at most 196 KiB; 150 KiB fit in the free 164 KiB.
    try (PendingWrite patch = store.beginPatch(base)) {
      writeChunks(patch, 3, 50 * 1024);
      assertThatThrownBy(() -> patch.write(ByteBuffer.wrap(new byte[50 * 1024])))
          .isInstanceOf(LimitExceededException.class)
          .hasMessage("object base/s/o0 would grow past the limit of " + 396 * KIB + " bytes");
    }
    assertThat(small).allSatisfy(key -> assertThat(store.entry(key)).isPresent());
    assertThat(store.entry(base).orElseThrow().patches()).isEmpty();
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isZero();
  }

  @Test
  void write_refusedByItsQuota_evictsNothing() throws IOException {
    AppQuotas quotas = new AppQuotas();
    quotas.table(new QuotaTable(Map.of("q", new AppLimit(40 * KIB, AppLimit.UNLIMITED)), AppLimit.NONE));
    FileObjectStore store = open(quotas);
    // 11 objects of 32 KiB and one of 8 KiB: 360 KiB stored, 40 KiB free, as much as app q may take.
    List<ObjectKey> others = new ArrayList<>(fill(store, "other", 11, 28 * 1024));
    others.addAll(fill(store, "small", 1, 4 * 1024));
    try (PendingWrite write = store.beginPut(key("q", 0))) {
      // 32 KiB and the directory's block fit in both; the fifth 8 KiB chunk passes the quota.
      writeChunks(write, 4, 8 * 1024);
      assertThatThrownBy(() -> write.write(ByteBuffer.wrap(new byte[8 * 1024])))
          .isInstanceOf(QuotaExceededException.class)
          .hasMessageContaining("app 'q' is over its quota of " + 40 * KIB + " bytes");
    }
    assertThat(others).allSatisfy(key -> assertThat(store.entry(key)).isPresent());
    assertThat(store.policy().evictions(EvictionReason.SIZE)).isZero();
    assertThat(store.budget().evictedForRefusedWrites()).isZero();
    assertThat(store.budget().reservedBytes()).isZero();
    assertThat(quotas.usage("q").reservedBytes()).isZero();
  }
}
