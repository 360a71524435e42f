package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.quota.AppQuotas;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Syncs ahead of the commit: started every SYNC_AHEAD_BYTES, and a failed one fails the write. */
class PendingWriteSyncTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  private final DiskBudget budget = new DiskBudget(StoreFixtures.ROOMY, () -> Long.MAX_VALUE);

  private PendingWrite open(Executor syncer) throws IOException {
    return new PendingWrite(
        dir.resolve("w.tmp"), Long.MAX_VALUE, "too large", budget, 0, QuotaCharge.open(new AppQuotas(), "app", 0, 0), syncer);
  }

  @Test
  void write_everySyncAheadBytes_startsOneSync() throws IOException {
    List<Runnable> started = new ArrayList<>();
    try (PendingWrite write = open(task -> {
      started.add(task);
      task.run();
    })) {
      int rows = (int) (PendingWrite.SYNC_AHEAD_BYTES * 3 / MIB) + 1;
      for (int i = 0; i < rows; i++) {
        write.write(ByteBuffer.allocate(MIB));
      }
      assertThat(started).hasSize(3);
      assertThat(Files.size(write.seal())).isEqualTo((long) rows * MIB);
    }
  }

  @Test
  void seal_afterASyncAheadFailed_failsTheWrite() throws IOException {
    // A sync interrupted mid-way fails as a dying disk's would: with an IOException.
    Executor interrupted = task -> {
      Thread.currentThread().interrupt();
      try {
        task.run();
      } finally {
        Thread.interrupted();
      }
    };
    try (PendingWrite write = open(interrupted)) {
      write.write(ByteBuffer.allocate((int) PendingWrite.SYNC_AHEAD_BYTES));

      assertThatThrownBy(write::seal)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("syncing")
          .hasCauseInstanceOf(ClosedByInterruptException.class);
    }
    assertThat(dir.resolve("w.tmp")).as("the aborted write leaves nothing").doesNotExist();
  }
}
