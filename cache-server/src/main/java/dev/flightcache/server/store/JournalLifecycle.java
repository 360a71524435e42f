package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of the store's {@link IndexJournal}: recovering the index at open, snapshotting
 * it when the journal grows and at close, and the clean-stop marker that tells the next start to
 * trust the journal without repairing files. Compaction and the repair pass run on its one
 * maintenance thread, {@code flight-cache-index}. Thread-safe.
 */
final class JournalLifecycle {
  // Logs under the store's name, as the store did before these files were split out of it.
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);
  /** Journal bytes after which the index is snapshotted again. */
  private static final long COMPACT_AFTER_BYTES = 64L << 20;

  /**
   * What {@link #recover} found.
   *
   * @param journaled whether the entries came from the journal (else from the object directories)
   * @param clean whether the last stop left the clean-stop marker
   */
  record Recovered(
      IndexJournal journal, Recovery recovery, Map<String, ObjectEntry> entries, boolean journaled, boolean clean) {}

  private final StoreLayout layout;
  private final IndexJournal journal;
  private final ObjectIndex index;
  /** Compacts the journal and repairs files after an unclean stop, off the callers' threads. */
  private final ExecutorService maintenance = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "flight-cache-index");
    thread.setDaemon(true);
    return thread;
  });
  private final AtomicBoolean compacting = new AtomicBoolean();

  JournalLifecycle(StoreLayout layout, IndexJournal journal, ObjectIndex index) {
    this.layout = layout;
    this.journal = journal;
    this.index = index;
  }

  /**
   * Prepares the layout, removes the clean-stop marker, and loads the index from the journal, or,
   * without a usable one, from the object directories, then snapshots it. The removed versions
   * come from the journal too; without it, the legacy floor is raised instead (see {@link
   * Recovery#finish}).
   *
   * @param tombstones how many removed keys to remember exactly ({@link RemovedVersions})
   */
  static Recovered recover(StoreLayout layout, int tombstones) throws IOException {
    long started = System.nanoTime();
    Recovery recovery = new Recovery(layout);
    recovery.prepare();
    boolean clean = Files.deleteIfExists(layout.cleanMarker);
    IndexJournal journal = IndexJournal.open(layout.index, new RemovedVersions(tombstones));
    Map<String, ObjectEntry> entries;
    boolean journaled;
    try {
      Optional<Map<String, ObjectEntry>> loaded = journal.load();
      journaled = loaded.isPresent();
      if (journaled) {
        entries = loaded.get();
        recovery.finish(entries.values(), journal, false);
        logger.info("Recovered {} objects from the index journal in {} ms ({} stop)",
            entries.size(), (System.nanoTime() - started) / 1_000_000, clean ? "after a clean" : "after an unclean");
      } else {
        entries = recovery.scan();
        recovery.finish(entries.values(), journal, true);
        journal.compact(entries.values());
      }
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
    return new Recovered(journal, recovery, entries, journaled, clean);
  }

  /** Runs {@code task} on the maintenance thread. */
  void runInBackground(Runnable task) {
    maintenance.execute(task);
  }

  /** Snapshots the index and starts a new journal. */
  void compact() throws IOException {
    journal.compact(index::settledEntries);
  }

  /**
   * Snapshots the index on the maintenance thread if the journal has grown past its limit. A
   * snapshot that fails (a full disk: it needs new files) is logged and tried again after the
   * next change; the change that asked for it has succeeded already.
   */
  void compactIfNeeded() {
    if (journal.journalBytes() > COMPACT_AFTER_BYTES && compacting.compareAndSet(false, true)) {
      maintenance.execute(() -> {
        try {
          compact();
        } catch (IOException e) {
          logger.error("Could not snapshot the index; the journal keeps growing until it can: {}", e.toString());
        } finally {
          compacting.set(false);
        }
      });
    }
  }

  /** Stops the maintenance thread, snapshots the index and marks the stop as clean. Idempotent. */
  void close() throws IOException {
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (journal.isOpen()) {
      compact();
      journal.close();
      Files.writeString(layout.cleanMarker, "clean\n");
      StoreLayout.fsyncDirectory(layout.index);
    }
  }
}
