package dev.flightcache.server.store;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an unclean stop, makes the object files agree with the index the journal recovered,
 * while the server already serves. The journal is the truth, because every change is logged
 * before it is acknowledged:
 *
 * <ul>
 *   <li>A directory without an index entry holds a write that was never acknowledged, or a
 *       delete that was: it is removed.
 *   <li>Files beside an entry's own (a replace or patch not yet logged, or replaced files not yet
 *       deleted) are removed.
 *   <li>An entry whose files are gone is dropped, as if evicted.
 * </ul>
 *
 * Each object is repaired under its key's write lock, so live writes never race it.
 */
final class Reconciler implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(Reconciler.class);

  private final ObjectIndex index;
  private final ObjectRepair repair;
  private final Recovery recovery;

  Reconciler(ObjectIndex index, ObjectRepair repair, Recovery recovery) {
    this.index = index;
    this.repair = repair;
    this.recovery = recovery;
  }

  @Override
  public void run() {
    long started = System.nanoTime();
    Set<String> seen = new HashSet<>();
    int[] repaired = {0};
    try {
      recovery.forEachObjectDirectory((key, dir) -> {
        if (Thread.currentThread().isInterrupted()) {
          throw new IOException("interrupted by shutdown");
        }
        seen.add(key.toString());
        if (repair.repair(key, dir)) {
          repaired[0]++;
        }
      });
      for (ObjectEntry entry : index.list("")) {
        if (!seen.contains(entry.key().toString()) && repair.repairMissing(entry.key())) {
          repaired[0]++;
        }
      }
      logger.info("Checked {} object directories against the index after an unclean stop in {} ms; repaired {}",
          seen.size(), (System.nanoTime() - started) / 1_000_000, repaired[0]);
    } catch (IOException | RuntimeException e) {
      logger.error("Checking the object files against the index stopped: {}", e.toString());
    }
  }
}
