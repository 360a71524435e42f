package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.quota.AppLimit;
import dev.flightcache.server.quota.AppQuotaUsage;
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

/** Quota usage counted as the budget counts it, through every kind of write, delete, eviction and restart. */
class QuotaAccountingTest {
  private static final long KIB = 1024;
  private static final StoreLimits LIMITS = new StoreLimits(1L << 30, 1L << 20, 1000);
  /** 4 KiB blocks; budget 1 MiB, so eviction can be provoked. */
  private static final BudgetSettings SETTINGS = new BudgetSettings(1024 * KIB, 0.9, 0.5, 1024 * KIB, 0, null, 4 * KIB);

  @TempDir Path root;
  private final List<FileObjectStore> opened = new ArrayList<>();

  @AfterEach
  void closeStores() throws IOException {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private FileObjectStore open(AppQuotas quotas) throws IOException {
    FileObjectStore store = FileObjectStore.open(root, LIMITS, SETTINGS, () -> Long.MAX_VALUE, Ticker.systemTicker(), Runnable::run, quotas);
    opened.add(store);
    return store;
  }

  private static AppQuotas limited(String app, long maxBytes, long maxObjects) {
    AppQuotas quotas = new AppQuotas();
    quotas.table(new QuotaTable(Map.of(app, new AppLimit(maxBytes, maxObjects)), AppLimit.NONE));
    return quotas;
  }

  private static ObjectKey key(String app, String object) {
    return new ObjectKey(app, "s", object);
  }

  private static void put(FileObjectStore store, ObjectKey key, int bytes) throws IOException {
    try (PendingWrite write = store.beginPut(key)) {
      write.write(ByteBuffer.wrap(new byte[bytes]));
      store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
  }

  private static void patch(FileObjectStore store, ObjectKey key, int bytes) throws IOException {
    try (PendingWrite write = store.beginPatch(key)) {
      write.write(ByteBuffer.wrap(new byte[bytes]));
      store.commitPatch(key, write);
    }
  }

  private static void assertMatchesBudget(FileObjectStore store, String app) {
    AppQuotaUsage usage = store.quotas().usage(app);
    assertThat(usage.storedBytes()).isEqualTo(store.budget().storedBytes());
    assertThat(usage.storedObjects()).isEqualTo(store.objectCount());
    assertThat(usage.reservedBytes()).isZero();
    assertThat(usage.reservedObjects()).isZero();
  }

  private long tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
      return files.count();
    }
  }

  @Test
  void usage_putReplacePatchDelete_countedExactlyAsTheBudget() throws IOException {
    FileObjectStore store = open(new AppQuotas());
    ObjectKey a = key("app", "a");

    put(store, a, 10_000);
    assertMatchesBudget(store, "app");
    assertThat(store.quotas().usage("app").storedBytes()).isEqualTo(12 * KIB + 4 * KIB);
    put(store, key("app", "b"), 0);
    assertMatchesBudget(store, "app");
    put(store, a, 5_000);
    assertMatchesBudget(store, "app");
    patch(store, a, 100);
    assertMatchesBudget(store, "app");
    store.delete(KeyPath.parse("app/s/b"));
    assertMatchesBudget(store, "app");
    store.delete(KeyPath.parse("app/*"));
    assertThat(store.quotas().snapshot()).isEmpty();
  }

  @Test
  void usage_evictedObjects_released() throws IOException {
    FileObjectStore store = open(new AppQuotas());
    for (int i = 0; i < 40; i++) {
      put(store, key("app", "o" + i), 60_000);
    }

    assertThat(store.policy().evictions(dev.flightcache.server.eviction.EvictionReason.SIZE)).isPositive();
    assertMatchesBudget(store, "app");
  }

  @Test
  void open_afterRestart_usageRebuiltFromTheIndex() throws IOException {
    FileObjectStore store = open(new AppQuotas());
    put(store, key("a", "1"), 9_000);
    put(store, key("a", "2"), 1);
    patch(store, key("a", "2"), 5_000);
    put(store, key("b", "1"), 100);
    AppQuotaUsage a = store.quotas().usage("a");
    AppQuotaUsage b = store.quotas().usage("b");
    store.close();

    FileObjectStore reopened = open(new AppQuotas());

    assertThat(reopened.quotas().usage("a")).isEqualTo(a);
    assertThat(reopened.quotas().usage("b")).isEqualTo(b);
    assertThat(a.storedBytes() + b.storedBytes()).isEqualTo(reopened.budget().storedBytes());
  }

  @Test
  void write_pastTheBytesQuota_refusedWithNothingLeftBehind() throws IOException {
    FileObjectStore store = open(limited("app", 32 * KIB, 10));
    ObjectKey a = key("app", "a");
    put(store, a, 10_000);
    AppQuotaUsage before = store.quotas().usage("app");

    // 20 KiB of blocks plus the directory's block, minus the 16 KiB it replaces, leaves no room for 20 more.
    assertThatThrownBy(() -> put(store, a, 36 * 1024))
        .isInstanceOf(QuotaExceededException.class).hasMessageContaining("app 'app' is over its quota of 32768 bytes");
    assertThatThrownBy(() -> patch(store, a, 20 * 1024)).isInstanceOf(QuotaExceededException.class);

    assertThat(store.quotas().usage("app")).isEqualTo(before);
    assertThat(store.budget().reservedBytes()).isZero();
    assertThat(store.entry(a).orElseThrow().version()).isEqualTo(1);
    assertThat(tempFiles()).isZero();
    // Replacing by something as large as the quota minus the rest counts only the difference.
    put(store, a, 28 * 1024);
    assertMatchesBudget(store, "app");
  }

  @Test
  void beginPut_atTheObjectsQuota_refusedBeforeAnyFileWhileReplacesStillWork() throws IOException {
    FileObjectStore store = open(limited("app", AppLimit.UNLIMITED, 1));
    put(store, key("app", "a"), 10);

    assertThatThrownBy(() -> store.beginPut(key("app", "b")))
        .isInstanceOf(QuotaExceededException.class).hasMessage("app 'app' is at its quota of 1 objects: it stores 1 and writes in progress are creating 0");
    assertThat(tempFiles()).isZero();
    put(store, key("app", "a"), 20);
    put(store, key("other", "b"), 20);
    assertThat(store.objectCount()).isEqualTo(2);
  }

  @Test
  void commitPut_replacedObjectDeletedMeanwhile_settlesAsANewObjectAndIsRefusedWhenFull() throws IOException {
    FileObjectStore store = open(limited("app", AppLimit.UNLIMITED, 1));
    ObjectKey a = key("app", "a");
    put(store, a, 10);
    try (PendingWrite replace = store.beginPut(a)) {
      replace.write(ByteBuffer.wrap(new byte[10]));
      store.delete(KeyPath.parse("app/s/a"));
      put(store, key("app", "b"), 10);

      assertThatThrownBy(() -> store.commitPut(a, ObjectFormat.OPAQUE, replace)).isInstanceOf(QuotaExceededException.class);
    }
    assertThat(store.entry(a)).isEmpty();
    assertMatchesBudget(store, "app");
    assertThat(tempFiles()).isZero();
  }
}
