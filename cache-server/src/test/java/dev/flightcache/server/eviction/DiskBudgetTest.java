package dev.flightcache.server.eviction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiskBudgetTest {
  private static final long KIB = 1024;
  /** Budget 100 KiB (evict from 90 down to 50), hard limit 120 KiB, keep 10 KiB free, 4 KiB blocks. */
  private static final BudgetSettings SETTINGS = new BudgetSettings(100 * KIB, 0.9, 0.5, 120 * KIB, 10 * KIB, null, 4 * KIB);

  private final AtomicLong free = new AtomicLong(1L << 30);
  private final DiskBudget budget = new DiskBudget(SETTINGS, free::get);
  private final List<Long> roomRequests = new ArrayList<>();

  @Test
  void allocated_roundsUpToWholeBlocks() {
    assertThat(SETTINGS.allocated(0)).isZero();
    assertThat(SETTINGS.allocated(1)).isEqualTo(4 * KIB);
    assertThat(SETTINGS.allocated(4 * KIB)).isEqualTo(4 * KIB);
    assertThat(SETTINGS.allocated(4 * KIB + 1)).isEqualTo(8 * KIB);
  }

  @Test
  void reserveCommitRelease_accountStoredAndReserved() {
    budget.reserve(40 * KIB);
    assertThat(budget.reservedBytes()).isEqualTo(40 * KIB);
    budget.commit(40 * KIB, 36 * KIB);
    assertThat(budget.reservedBytes()).isZero();
    assertThat(budget.storedBytes()).isEqualTo(36 * KIB);
    budget.reserve(8 * KIB);
    budget.release(8 * KIB);
    assertThat(budget.reservedBytes()).isZero();
    budget.adjustStored(-36 * KIB);
    assertThat(budget.storedBytes()).isZero();
  }

  @Test
  void reserve_pastHardLimit_asksForRoomThenSucceedsWhenRoomIsMade() {
    budget.adjustStored(100 * KIB);
    budget.roomMaker(target -> {
      roomRequests.add(target);
      budget.adjustStored(-(budget.storedBytes() - target));
    });
    budget.reserve(30 * KIB);
    // Room for 30 KiB under 120 KiB with nothing reserved, and not above the low watermark (50 KiB).
    assertThat(roomRequests).containsExactly(50 * KIB);
    assertThat(budget.storedBytes() + budget.reservedBytes()).isLessThanOrEqualTo(SETTINGS.hardLimitBytes());
  }

  @Test
  void reserve_noRoomCanBeMade_storageFullAndCounted() {
    budget.reserve(100 * KIB);
    budget.roomMaker(roomRequests::add);
    assertThatThrownBy(() -> budget.reserve(30 * KIB))
        .isInstanceOf(StorageFullException.class)
        .hasMessageContaining("reserved by writes in progress");
    assertThat(budget.rejectedFull()).isEqualTo(1);
    assertThat(budget.reservedBytes()).as("a refused reservation takes nothing").isEqualTo(100 * KIB);
    assertThat(roomRequests).containsExactly(0L);
  }

  @Test
  void reserve_wouldCrossFreeSpaceFloor_evictsTheShortfall() {
    budget.adjustStored(40 * KIB);
    free.set(20 * KIB);
    budget.roomMaker(target -> {
      roomRequests.add(target);
      long freed = budget.storedBytes() - target;
      budget.adjustStored(-freed);
      free.addAndGet(freed);
    });
    budget.reserve(16 * KIB);
    // 20 KiB free, 16 KiB wanted, 10 KiB kept: 6 KiB short, so evict from 40 to 34 KiB.
    assertThat(roomRequests).containsExactly(34 * KIB);
    assertThat(free.get() - budget.reservedBytes()).isGreaterThanOrEqualTo(SETTINGS.minFreeBytes());
  }

  @Test
  void reserve_volumeFullOfOtherData_refusedWithTheFloorInTheMessage() {
    free.set(12 * KIB);
    assertThatThrownBy(() -> budget.reserve(4 * KIB))
        .isInstanceOf(StorageFullException.class)
        .hasMessageContaining("keeps at least " + 10 * KIB);
  }

  @Test
  void aboveHighWatermark_onlyPastNinetyPercentOfTheBudget() {
    budget.adjustStored(90 * KIB);
    assertThat(budget.aboveHighWatermark()).isFalse();
    budget.adjustStored(1);
    assertThat(budget.aboveHighWatermark()).isTrue();
    assertThat(budget.lowWatermarkBytes()).isEqualTo(50 * KIB);
  }

  @Test
  void largestObject_isTheHardLimitLessItsDirectoryBlock() {
    assertThat(budget.largestObjectBytes()).isEqualTo(116 * KIB);
  }

  @Test
  void settings_invalid_rejected() {
    assertThatThrownBy(() -> new BudgetSettings(100, 0.5, 0.9, 100, 0, null, 4096)).hasMessageContaining("watermarks");
    assertThatThrownBy(() -> new BudgetSettings(100, 0.9, 0.5, 50, 0, null, 4096)).hasMessageContaining("hard limit");
  }
}
