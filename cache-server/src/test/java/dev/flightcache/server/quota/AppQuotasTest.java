package dev.flightcache.server.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AppQuotasTest {
  private final AppQuotas quotas = new AppQuotas();

  private void limit(String app, long maxBytes, long maxObjects) {
    quotas.table(new QuotaTable(Map.of(app, new AppLimit(maxBytes, maxObjects)), AppLimit.NONE));
  }

  @Test
  void reserve_upToTheLimit_allowedThenRefusedNamingAppAndLimit() {
    limit("a", 1000, 10);
    quotas.adjustStored("a", 600, 1);
    quotas.reserve("a", 400, 1);

    assertThatThrownBy(() -> quotas.reserve("a", 1, 0))
        .isInstanceOf(QuotaExceededException.class)
        .hasMessage("app 'a' is over its quota of 1000 bytes: it stores 600, writes in progress hold 400, and this write needs 1 more");
    assertThat(quotas.usage("a")).isEqualTo(new AppQuotaUsage("a", 600, 1, 400, 1, new AppLimit(1000, 10)));
    assertThat(quotas.rejectedWrites()).isEqualTo(1);
  }

  @Test
  void reserve_objectsAtTheLimit_refusedNamingAppAndLimit() {
    limit("a", AppLimit.UNLIMITED, 2);
    quotas.adjustStored("a", 0, 1);
    quotas.reserve("a", 0, 1);

    assertThatThrownBy(() -> quotas.reserve("a", 0, 1))
        .isInstanceOf(QuotaExceededException.class)
        .hasMessage("app 'a' is at its quota of 2 objects: it stores 1 and writes in progress are creating 1");
  }

  @Test
  void reserve_otherAppsAndUnlimitedDimensions_neverRefused() {
    limit("a", 10, 1);
    quotas.reserve("b", Long.MAX_VALUE / 2, 1000);
    quotas.table(new QuotaTable(Map.of(), new AppLimit(AppLimit.UNLIMITED, 5)));
    quotas.reserve("a", 1L << 50, 5);

    assertThatThrownBy(() -> quotas.reserve("a", 0, 1)).isInstanceOf(QuotaExceededException.class);
  }

  @Test
  void reserve_nothing_allowedEvenOverQuota() {
    limit("a", 10, 1);
    quotas.adjustStored("a", 100, 5);

    quotas.reserve("a", 0, 0);

    assertThat(quotas.usage("a").reservedBytes()).isZero();
  }

  @Test
  void commit_replaceSmaller_storedShrinksAndReservationGoes() {
    limit("a", 1000, 1);
    quotas.adjustStored("a", 800, 1);
    quotas.reserve("a", 100, 0);

    quotas.commit("a", 100, 0, -300, 0);

    assertThat(quotas.usage("a")).isEqualTo(new AppQuotaUsage("a", 500, 1, 0, 0, new AppLimit(1000, 1)));
  }

  @Test
  void releaseAndDelete_backToZero_appForgottenUnlessListed() {
    quotas.reserve("gone", 10, 1);
    quotas.release("gone", 10, 1);
    quotas.adjustStored("gone", 40, 1);
    quotas.adjustStored("gone", -40, -1);
    limit("listed", 1, 1);

    assertThat(quotas.snapshot()).extracting(AppQuotaUsage::app).containsExactly("listed");
  }

  @Test
  void table_lowered_usageKeptAndNewWritesRefused() {
    limit("a", 1000, 10);
    quotas.adjustStored("a", 900, 9);

    limit("a", 500, 5);

    assertThat(quotas.usage("a").storedBytes()).isEqualTo(900);
    assertThatThrownBy(() -> quotas.reserve("a", 1, 0)).isInstanceOf(QuotaExceededException.class);
  }

  @Test
  void reserve_concurrentWriters_neverJointlyPassTheLimit() throws Exception {
    limit("a", 100 * 1000, 50);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger granted = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < 8; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 100; i++) {
            try {
              quotas.reserve("a", 1000, 1);
              granted.incrementAndGet();
            } catch (QuotaExceededException e) {
              // expected once the app is full
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(granted.get()).isEqualTo(50);
    assertThat(quotas.usage("a").reservedBytes()).isEqualTo(50_000);
    assertThat(quotas.usage("a").reservedObjects()).isEqualTo(50);
    assertThat(quotas.rejectedWrites()).isEqualTo(800 - 50);
  }
}
