package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index on disk, so a restart need not read every object directory: a log of index changes
 * plus periodic snapshots. Replay is idempotent (see {@link JournalRecord}). It also keeps the
 * {@link RemovedVersions} durable: each remove record is a tombstone, replayed into them, and
 * each snapshot holds them whole. Thread-safe.
 *
 * <pre>
 * &lt;dir&gt;/journal-&lt;generation&gt;.log    records ({@link JournalCodec}), appended with group commit
 *        snapshot-&lt;generation&gt;.bin  the whole index ({@link IndexSnapshot})
 * </pre>
 *
 * Generations are 20-digit zero-padded, so names sort. {@link #compact} starts journal G, then
 * writes snapshot G, which holds everything in journals before G and perhaps some of G; the
 * index is snapshot G plus journals G, G+1, ... replayed in order.
 *
 * <p><b>The index exists only once a snapshot does.</b> A journal without one is never trusted:
 * the store may hold objects the journal never saw (a store from before the journal, or an index
 * rebuilt by a scan after {@link #load} found none). So {@link #load} comes first; if it returns
 * empty, the caller scans the files and calls {@link #compact} with the result before recording.
 *
 * <p><b>Compaction while writing.</b> {@link #compact} calls {@code entries.iterator()} once,
 * after later records go to the new journal. The iteration must then show every change logged in
 * the older journals, which are deleted. A store that logs each change and updates its index
 * under the key's write lock gets this by taking and releasing every key lock in {@code
 * iterator()} before iterating its index: each change logged before the switch is then applied.
 * Reading each entry under its lock is not enough: a key added behind the iteration would be lost.
 */
final class IndexJournal implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(IndexJournal.class);
  private static final Pattern JOURNAL = Pattern.compile("journal-(\\d{20})\\.log");
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})\\.bin");
  private static final int READ_BUFFER_BYTES = 1 << 20;

  private final Path dir;
  private final JournalWriter writer;
  private final RemovedVersions removed;
  /** Serializes load and compact, and guards the fields below. */
  private final Object lifecycle = new Object();
  private final ByteBuffer fileBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
  private boolean started;
  private volatile boolean closed;
  // Written under lifecycle, read without: journalBytes() is a hint.
  private volatile long bytesBeforeWriter;
  private volatile long writerBytesCovered;

  private IndexJournal(Path dir, JournalWriter writer, RemovedVersions removed) {
    this.dir = dir;
    this.writer = writer;
    this.removed = removed;
  }

  /** As {@link #open(Path, RemovedVersions)}, with removed versions of the production capacity. */
  static IndexJournal open(Path dir) throws IOException {
    return open(dir, new RemovedVersions(RemovedVersions.DEFAULT_CAPACITY));
  }

  /**
   * Opens the journal directory, e.g. {@code <storage-dir>/index}, creating it if needed.
   *
   * @param removed empty; {@link #load} fills it, {@link #compact} snapshots it
   */
  static IndexJournal open(Path dir, RemovedVersions removed) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      StoreLayout.fsyncDirectory(dir.getParent());
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path leftover : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
        // A snapshot a crash interrupted; only a renamed snapshot counts.
        Files.deleteIfExists(leftover);
      }
    }
    return new IndexJournal(dir, JournalWriter.start("index-journal-writer"), removed);
  }

  /** The removed versions this journal keeps durable. */
  RemovedVersions removed() {
    return removed;
  }

  /**
   * Loads the newest usable snapshot and replays the journals after it, and the removed versions
   * with them. Call it once, before anything else. A cut-short or damaged record at the end of
   * the last journal is where a crash interrupted a write: it is dropped, logged at WARN, and cut
   * off so appends continue there. Damage anywhere else is logged at ERROR.
   *
   * @return the index keyed by {@link ObjectKey#toString()}, or empty when there is none to
   *     trust: then scan the files and {@link #compact} the result before recording. The map is
   *     a {@link java.util.concurrent.ConcurrentSkipListMap} the store may adopt as its index;
   *     copying it costs little too, since it iterates in key order.
   * @throws IllegalStateException if called twice or after {@link #compact}
   */
  Optional<Map<String, ObjectEntry>> load() throws IOException {
    synchronized (lifecycle) {
      if (started) {
        throw new IllegalStateException("load() comes once, before any compact()");
      }
      started = true;
      long began = System.nanoTime();
      TreeMap<Long, Path> journals = list(JOURNAL);
      TreeMap<Long, Path> snapshots = list(SNAPSHOT);
      if (journals.isEmpty() && snapshots.isEmpty()) {
        logger.info("No index in {} yet", dir);
        return Optional.empty();
      }
      if (snapshots.isEmpty()) {
        // The first snapshot was being written, after a scan, when the server stopped.
        logger.warn("Index journal in {} has no snapshot yet; the index is rebuilt from the object files", dir);
        return Optional.empty();
      }
      IndexSnapshot.Contents contents = null;
      long generation = 0;
      for (long candidate : snapshots.descendingKeySet()) {
        if (!journals.containsKey(candidate) || journals.lastKey() - candidate + 1 != journals.tailMap(candidate).size()) {
          logger.error("Index snapshot {} cannot be used: journal files from its generation on are missing", snapshots.get(candidate));
          continue;
        }
        try {
          contents = IndexSnapshot.read(snapshots.get(candidate), candidate, fileBuffer);
          generation = candidate;
          break;
        } catch (IndexSnapshot.CorruptSnapshotException e) {
          logger.error("Index snapshot {} is damaged and is ignored: {}", snapshots.get(candidate), e.getMessage());
        }
      }
      if (contents == null) {
        logger.error("No usable index in {}; the index is rebuilt from the object files", dir);
        return Optional.empty();
      }
      ConcurrentSkipListMap<String, ObjectEntry> index = contents.index();
      removed.restore(contents.removed());
      if (!replay(journals.tailMap(generation), index)) {
        logger.error("No usable index in {}; the index is rebuilt from the object files", dir);
        return Optional.empty();
      }
      Path last = journals.lastEntry().getValue();
      writer.switchTo(FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
      logger.info("Loaded the index of {} objects from {} in {} ms", index.size(), dir, (System.nanoTime() - began) / 1_000_000);
      return Optional.of(index);
    }
  }

  /** Applies the journals in order; false, after logging at ERROR, if one is damaged. */
  private boolean replay(SortedMap<Long, Path> journals, Map<String, ObjectEntry> index) throws IOException {
    long bytes = 0;
    Path last = journals.get(journals.lastKey());
    for (Path journal : journals.values()) {
      try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long size = channel.size();
        RecordReader reader = new RecordReader(channel, 0, size, fileBuffer, null);
        for (RecordReader.Status status = reader.next(); status != RecordReader.Status.END; status = reader.next()) {
          if (status == RecordReader.Status.RECORD) {
            JournalRecord record = reader.record();
            record.applyTo(index);
            if (record instanceof JournalRecord.Remove remove) {
              removed.record(remove.key(), remove.version());
            }
            continue;
          }
          long at = reader.position();
          if (!journal.equals(last)) {
            logger.error("Index journal {} is damaged at offset {} ({}) and newer journals follow", journal, at, reader.problem());
            return false;
          }
          if (RecordReader.anyRecordAfter(channel, at, size, fileBuffer)) {
            logger.error("Index journal {} is damaged at offset {} ({}) and valid records follow", journal, at, reader.problem());
            return false;
          }
          logger.warn("Dropping the torn end of index journal {}: {} bytes from offset {} ({})", journal, size - at, at, reader.problem());
          channel.truncate(at);
          channel.force(true);
          size = at;
          break;
        }
        bytes += size;
      }
    }
    bytesBeforeWriter = bytes;
    writerBytesCovered = 0;
    return true;
  }

  /** Logs a new base (an entry without patches); durable on return. */
  void recordPut(ObjectEntry entry) throws IOException {
    writer.append(JournalRecord.Put.of(entry));
  }

  /** Logs one more patch of {@code key}; durable on return. */
  void recordPatch(ObjectKey key, StoredPart patch) throws IOException {
    writer.append(new JournalRecord.Patch(key, patch));
  }

  /**
   * Logs the delete or eviction of {@code key} at {@code version}, durable on return, and then
   * remembers it in the removed versions. Creates no file. Call it under the key's write lock, so
   * a snapshot's pass through the locks sees it in both.
   */
  void recordRemove(ObjectKey key, long version) throws IOException {
    writer.append(new JournalRecord.Remove(key, version));
    removed.record(key, version);
  }

  /**
   * Starts a new journal file, writes a snapshot of {@code entries} (a weakly consistent view of
   * the live index; see the class comment for what it must show) and of the removed versions as
   * they are once {@code entries} has been iterated, and then deletes the older
   * journals and snapshots. Records continue meanwhile; a concurrent compact waits. If it fails,
   * the previous snapshot and journals stay in use.
   */
  void compact(Iterable<ObjectEntry> entries) throws IOException {
    synchronized (lifecycle) {
      started = true;
      long began = System.nanoTime();
      long generation = Math.max(newest(list(JOURNAL)), newest(list(SNAPSHOT))) + 1;
      Path journal = dir.resolve(name("journal-", generation, ".log"));
      FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      try {
        StoreLayout.fsyncDirectory(dir);
      } catch (IOException e) {
        channel.close();
        throw e;
      }
      long switchedAt = writer.switchTo(channel);
      long objects = IndexSnapshot.write(
          dir.resolve(name("snapshot-", generation, ".bin")), generation, entries, removed::freeze, fileBuffer);
      bytesBeforeWriter = 0;
      writerBytesCovered = switchedAt;
      deleteOlderThan(generation);
      logger.info("Wrote index snapshot {} of {} objects in {} ms", generation, objects, (System.nanoTime() - began) / 1_000_000);
    }
  }

  /**
   * Bytes in the journal files since the newest snapshot; compact when this passes a threshold.
   * Approximate while a compaction finishes.
   */
  long journalBytes() {
    return bytesBeforeWriter + writer.appendedBytes() - writerBytesCovered;
  }

  /**
   * The highest version in anything still readable in the index directory: every intact record
   * of every journal and snapshot, damaged files included, and the highest removed version in the
   * header of every snapshot. For a start whose {@link #load} found no usable index: what the
   * removed versions held is lost, and this bounds it as well as the files still can. Slow: it
   * probes every byte offset. Call it before {@link #compact}, which deletes older files.
   */
  long highestVersionReadable() throws IOException {
    synchronized (lifecycle) {
      long highest = 0;
      for (Path snapshot : list(SNAPSHOT).values()) {
        highest = RemovedVersions.higher(highest, IndexSnapshot.highestRemoved(snapshot));
      }
      for (Path file : list(JOURNAL).values()) {
        highest = RemovedVersions.higher(highest, highestIn(file));
      }
      for (Path file : list(SNAPSHOT).values()) {
        highest = RemovedVersions.higher(highest, highestIn(file));
      }
      return highest;
    }
  }

  private long highestIn(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return RecordReader.highestVersionAnywhere(channel, channel.size(), fileBuffer);
    }
  }

  /** Waits for the records in flight, then closes the file. Later records fail. Idempotent. */
  @Override
  public void close() throws IOException {
    closed = true;
    writer.close();
  }

  /** Whether {@link #close} has not been called. */
  boolean isOpen() {
    return !closed;
  }

  private void deleteOlderThan(long generation) {
    // Snapshots first: an older snapshot left by a crash here still has all its journals.
    try {
      for (Path old : list(SNAPSHOT).headMap(generation).values()) {
        Files.deleteIfExists(old);
      }
      for (Path old : list(JOURNAL).headMap(generation).values()) {
        Files.deleteIfExists(old);
      }
    } catch (IOException e) {
      // Harmless: load() ignores files older than the newest usable snapshot.
      logger.warn("Could not remove old index files from {}: {}", dir, e.toString());
    }
  }

  private TreeMap<Long, Path> list(Pattern pattern) throws IOException {
    TreeMap<Long, Path> found = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher match = pattern.matcher(file.getFileName().toString());
        // Twenty digits may pass Long.MAX_VALUE; no generation of ours does.
        if (match.matches() && match.group(1).compareTo("09223372036854775807") <= 0) {
          found.put(Long.parseLong(match.group(1)), file);
        }
      }
    }
    return found;
  }

  private static long newest(TreeMap<Long, Path> files) {
    return files.isEmpty() ? 0 : files.lastKey();
  }

  static String name(String prefix, long generation, String suffix) {
    return prefix + String.format("%020d", generation) + suffix;
  }
}
