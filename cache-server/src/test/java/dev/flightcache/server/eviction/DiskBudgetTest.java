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
    budget.commit(40 * KIB, 0, 36 * KIB);
    assertThat(budget.reservedBytes()).isZero();
    assertThat(budget.storedBytes()).isEqualTo(36 * KIB);
    budget.reserve(8 * KIB);
    budget.release(8 * KIB, 0);
    assertThat(budget.reservedBytes()).isZero();
    budget.adjustStored(-36 * KIB);
    assertThat(budget.storedBytes()).isZero();
  }

  /** A room maker that evicts exactly down to what it is asked, freeing those bytes. */
  private long evictExactly(long target) {
    roomRequests.add(target);
    long freed = budget.storedBytes() - target;
    budget.adjustStored(-freed);
    return freed;
  }

  @Test
  void reserve_pastHardLimit_evictsOnlyTheShortfallAndReturnsIt() {
    budget.adjustStored(100 * KIB);
    budget.roomMaker(this::evictExactly);
    assertThat(budget.reserve(30 * KIB)).isEqualTo(10 * KIB);
    // Room for 30 KiB under 120 KiB: down to 90 KiB, not to the low watermark (50 KiB).
    assertThat(roomRequests).containsExactly(90 * KIB);
    assertThat(budget.storedBytes() + budget.reservedBytes()).isEqualTo(SETTINGS.hardLimitBytes());
    assertThat(budget.reserve(0)).as("fits: nothing evicted").isZero();
    assertThat(budget.evictedForRefusedWrites()).isZero();
  }

  @Test
  void reserve_noRoomCanBeMade_storageFullAndCounted() {
    budget.reserve(100 * KIB);
    budget.roomMaker(this::evictExactly);
    assertThatThrownBy(() -> budget.reserve(30 * KIB))
        .isInstanceOf(StorageFullException.class)
        .hasMessageContaining("reserved by writes in progress");
    assertThat(budget.rejectedFull()).isEqualTo(1);
    assertThat(budget.reservedBytes()).as("a refused reservation takes nothing").isEqualTo(100 * KIB);
    assertThat(roomRequests).as("evicting could not help, so nothing was asked").isEmpty();
  }

  @Test
  void reserve_otherWritesHoldTheRoom_refusedWithoutEvictingWhatIsStored() {
    budget.reserve(80 * KIB);
    budget.adjustStored(30 * KIB);
    budget.roomMaker(this::evictExactly);
    // Even with the 30 KiB stored evicted, 80 + 50 > 120.
    assertThatThrownBy(() -> budget.reserve(50 * KIB)).isInstanceOf(StorageFullException.class);
    assertThat(roomRequests).isEmpty();
    assertThat(budget.storedBytes()).isEqualTo(30 * KIB);
    assertThat(budget.evictedForRefusedWrites()).isZero();
  }

  @Test
  void reserve_evictionFreesTooLittle_refusedAndWhatItEvictedCounted() {
    budget.adjustStored(100 * KIB);
    // The policy evicts one 8 KiB object, then finds the others changed meanwhile.
    budget.roomMaker(target -> {
      roomRequests.add(target);
      budget.adjustStored(-8 * KIB);
      return 8 * KIB;
    });
    assertThatThrownBy(() -> budget.reserve(30 * KIB)).isInstanceOf(StorageFullException.class);
    assertThat(budget.evictedForRefusedWrites()).isEqualTo(8 * KIB);
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void reserveFree_takesOnlyTheFreeRoomAndNeverEvicts() {
    budget.adjustStored(100 * KIB);
    budget.roomMaker(this::evictExactly);
    assertThat(budget.reserveFree(50 * KIB)).isEqualTo(20 * KIB);
    assertThat(budget.reserveFree(4 * KIB)).isZero();
    assertThat(budget.reservedBytes()).isEqualTo(20 * KIB);
    budget.release(20 * KIB, 0);
    // The free-space floor bounds it too: 16 KiB free, 10 KiB kept.
    free.set(16 * KIB);
    assertThat(budget.reserveFree(50 * KIB)).isEqualTo(6 * KIB);
    assertThat(roomRequests).isEmpty();
    assertThat(budget.storedBytes()).isEqualTo(100 * KIB);
  }

  @Test
  void countEvictedForRefusedWrite_addsUp() {
    budget.countEvictedForRefusedWrite(0);
    budget.countEvictedForRefusedWrite(12 * KIB);
    budget.countEvictedForRefusedWrite(4 * KIB);
    assertThat(budget.evictedForRefusedWrites()).isEqualTo(16 * KIB);
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
      return freed;
    });
    budget.reserve(16 * KIB);
    // 20 KiB free, 16 KiB wanted, 10 KiB kept: 6 KiB short, so evict from 40 to 34 KiB.
    assertThat(roomRequests).containsExactly(34 * KIB);
    assertThat(free.get() - budget.reservedBytes()).isGreaterThanOrEqualTo(SETTINGS.minFreeBytes());
  }

  @Test
  void reserve_nearTheFloor_bytesAlreadyWrittenCountOnceNotTwice() {
    // 100 KiB free, 10 KiB kept: a write may take 90 KiB of the volume.
    free.set(100 * KIB);
    budget.reserve(40 * KIB);
    // Its 40 KiB reach the disk: the volume's free space drops, the reservation stays.
    free.addAndGet(-40 * KIB);
    budget.wrote(40 * KIB);
    budget.reserve(40 * KIB);
    free.addAndGet(-40 * KIB);
    budget.wrote(40 * KIB);
    assertThat(budget.reserveFree(50 * KIB)).as("10 KiB left above the floor").isEqualTo(10 * KIB);
    assertThatThrownBy(() -> budget.reserve(4 * KIB)).isInstanceOf(StorageFullException.class);
    budget.commit(90 * KIB, 80 * KIB, 80 * KIB);
    assertThat(budget.reservedBytes()).isZero();
    // Committed, the 80 KiB count as stored; the volume's 20 KiB free leave 10 KiB to reserve.
    assertThat(budget.reserveFree(50 * KIB)).isEqualTo(10 * KIB);
  }

  @Test
  void reserve_volumeFullOfOtherData_refusedWithTheFloorInTheMessageAndNothingEvicted() {
    budget.adjustStored(1 * KIB);
    budget.roomMaker(this::evictExactly);
    free.set(12 * KIB);
    assertThatThrownBy(() -> budget.reserve(6 * KIB))
        .isInstanceOf(StorageFullException.class)
        .hasMessageContaining("keeps at least " + 10 * KIB);
    assertThat(roomRequests).as("evicting the 1 KiB stored would not make 6 KiB fit").isEmpty();
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
