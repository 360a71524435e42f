package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcache.proto.ObjectKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The index journal on real files: what a restart loads after writes, crashes and damage. */
class IndexJournalTest {
  private static final ObjectKey A = new ObjectKey("app", "s", "a");
  private static final ObjectKey B = new ObjectKey("app", "s", "b");
  private static final ObjectKey C = new ObjectKey("app", "t", "c");

  @TempDir Path root;
  private Path dir;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    dir = root.resolve("index");
    logs.start();
    journalLogger().addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    journalLogger().detachAppender(logs);
  }

  // ---- round trip ----

  @Test
  void load_afterPutsPatchesAndRemoves_returnsTheIndex() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 10));
      journal.recordPatch(A, new StoredPart(2, 3));
      journal.recordPatch(A, new StoredPart(3, 4));
      journal.recordPut(entry(B, ObjectFormat.TABLE, 1, 500));
      journal.recordPut(entry(C, ObjectFormat.OPAQUE, 1, 7));
      journal.recordRemove(C, 1);
      journal.recordPut(entry(B, ObjectFormat.OPAQUE, 2, 20));
      journal.recordPut(entry(C, ObjectFormat.TABLE, 5, 70));
    }

    Map<String, ObjectEntry> loaded = reload();

    assertThat(loaded).containsOnly(
        Map.entry("app/s/a", entry(A, ObjectFormat.OPAQUE, 1, 10, new StoredPart(2, 3), new StoredPart(3, 4))),
        Map.entry("app/s/b", entry(B, ObjectFormat.OPAQUE, 2, 20)),
        Map.entry("app/t/c", entry(C, ObjectFormat.TABLE, 5, 70)));
  }

  @Test
  void load_snapshotWithPatchesAndJournal_returnsBoth() throws IOException {
    ObjectEntry patched = entry(A, ObjectFormat.OPAQUE, 4, 10, new StoredPart(5, 1), new StoredPart(6, 2));
    ObjectEntry table = entry(B, ObjectFormat.TABLE, 9, 900);
    try (IndexJournal journal = fresh()) {
      journal.compact(List.of(patched, table));
      journal.recordPatch(A, new StoredPart(7, 3));
    }

    assertThat(reload()).containsOnly(
        Map.entry("app/s/a", patched.withPatch(new StoredPart(7, 3))),
        Map.entry("app/s/b", table));
  }

  @Test
  void load_emptyDirectory_empty() throws IOException {
    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
    }
  }

  @Test
  void load_snapshotOfNothing_emptyIndex() throws IOException {
    fresh().close();

    assertThat(reload()).isEmpty();
  }

  @Test
  void load_journalWithoutSnapshot_empty() throws IOException {
    // The store may hold objects this journal never saw, e.g. from before the journal existed.
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
    }
    Files.delete(only("snapshot-"));

    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
    }
  }

  @Test
  void record_beforeLoadOrCompact_throwsIllegalState() throws IOException {
    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();

      assertThatThrownBy(() -> journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void load_calledTwice_throwsIllegalState() throws IOException {
    try (IndexJournal journal = IndexJournal.open(dir)) {
      journal.load();

      assertThatThrownBy(journal::load).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void recordPut_entryWithPatches_throwsIllegalArgument() throws IOException {
    try (IndexJournal journal = fresh()) {
      assertThatThrownBy(() -> journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1, new StoredPart(2, 1))))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void record_afterClose_throwsIOException() throws IOException {
    IndexJournal journal = fresh();
    journal.close();

    assertThatThrownBy(() -> journal.recordRemove(A, 1)).isInstanceOf(IOException.class);
  }

  @Test
  void record_callerInterrupted_stillDurable() throws IOException {
    // An interrupted thread inside FileChannel I/O would close the channel; the writer thread does it.
    try (IndexJournal journal = fresh()) {
      Thread.currentThread().interrupt();
      try {
        journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      journal.recordPut(entry(B, ObjectFormat.OPAQUE, 1, 1));
    }

    assertThat(reload()).containsOnlyKeys("app/s/a", "app/s/b");
  }

  @Test
  void journalBytes_recordsThenCompact_growsThenResets() throws IOException {
    try (IndexJournal journal = fresh()) {
      assertThat(journal.journalBytes()).isZero();
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
      journal.recordRemove(A, 1);
      long written = journal.journalBytes();
      assertThat(written).isEqualTo(Files.size(only("journal-")));

      journal.compact(List.of());

      assertThat(journal.journalBytes()).isZero();
    }
  }

  @Test
  void journalBytes_afterReload_countsTheJournal() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
    }
    try (IndexJournal journal = IndexJournal.open(dir)) {
      journal.load();
      journal.recordPut(entry(B, ObjectFormat.OPAQUE, 1, 1));

      assertThat(journal.journalBytes()).isEqualTo(Files.size(only("journal-"))).isPositive();
    }
  }

  @Test
  void load_afterRemovesAndCompaction_restoresTheRemovedVersionsInOrder() throws IOException {
    // More tombstones than the read buffer holds, so the section is read in several chunks.
    int count = 70_000;
    RemovedVersions.Frozen written;
    try (IndexJournal journal = IndexJournal.open(dir, new RemovedVersions(100_000))) {
      assertThat(journal.load()).isEmpty();
      journal.compact(List.of());
      for (int i = 0; i < count; i++) {
        journal.removed().record(new ObjectKey("app", "s", "k" + i), i + 1);
      }
      journal.removed().raiseBucketFloor(7, 99);
      journal.compact(List.of());
      journal.recordRemove(A, 5);
      written = journal.removed().freeze();
    }

    try (IndexJournal journal = IndexJournal.open(dir, new RemovedVersions(100_000))) {
      journal.load().orElseThrow();
      RemovedVersions.Frozen loaded = journal.removed().freeze();
      assertThat(loaded.hashes()).containsExactly(written.hashes());
      assertThat(loaded.checks()).containsExactly(written.checks());
      assertThat(loaded.versions()).containsExactly(written.versions());
      assertThat(loaded.bucketFloors()).containsExactly(written.bucketFloors());
      assertThat(journal.removed().lastVersion(A)).isEqualTo(5);
      assertThat(journal.highestVersionReadable()).isEqualTo(count);
    }
  }

  @Test
  void load_snapshotDamagedInItsRemovedVersions_notUsed() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.removed().record(A, 3);
      journal.removed().record(B, 4);
      journal.compact(List.of(entry(C, ObjectFormat.OPAQUE, 1, 3)));
    }
    Path snapshot = only("snapshot-");
    // The last tombstone's version, just before the 24-byte footer.
    flipByte(snapshot, Files.size(snapshot) - 24 - 2);

    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
      // The header still tells the highest removed version.
      assertThat(journal.highestVersionReadable()).isEqualTo(4);
    }
  }

  // ---- crashes and damage ----

  @Test
  void load_lastRecordCutShort_dropsItAndAppendsContinue() throws IOException {
    recordThreePuts();
    Path journal = only("journal-");
    List<Long> offsets = recordOffsets(journal);
    truncate(journal, Files.size(journal) - 5);

    assertThat(reload()).containsOnlyKeys("app/s/a", "app/s/b");
    assertThat(Files.size(journal)).isEqualTo(offsets.get(2));
    assertThat(logged(Level.WARN)).anyMatch(m -> m.contains("torn end"));

    try (IndexJournal reopened = IndexJournal.open(dir)) {
      reopened.load();
      reopened.recordPatch(B, new StoredPart(2, 5));
    }
    Map<String, ObjectEntry> after = reload();
    assertThat(after).containsOnlyKeys("app/s/a", "app/s/b");
    assertThat(after.get("app/s/b").version()).isEqualTo(2);
  }

  @Test
  void load_lastRecordChecksumBad_dropsIt() throws IOException {
    recordThreePuts();
    Path journal = only("journal-");
    flipByte(journal, Files.size(journal) - 3);

    assertThat(reload()).containsOnlyKeys("app/s/a", "app/s/b");
  }

  @Test
  void load_zerosAfterLastRecord_dropsThem() throws IOException {
    // A crash in a batch write can leave the file longer, filled with zeros or stale bytes.
    recordThreePuts();
    Path journal = only("journal-");
    long size = Files.size(journal);
    Files.write(journal, new byte[300], StandardOpenOption.APPEND);

    assertThat(reload()).containsOnlyKeys("app/s/a", "app/s/b", "app/t/c");
    assertThat(Files.size(journal)).isEqualTo(size);
  }

  @Test
  void load_damageInTheMiddleOfTheJournal_emptyAndLogsError() throws IOException {
    recordThreePuts();
    Path journal = only("journal-");
    long size = Files.size(journal);
    flipByte(journal, recordOffsets(journal).get(1) + 12);

    try (IndexJournal reopened = IndexJournal.open(dir)) {
      assertThat(reopened.load()).isEmpty();
    }
    assertThat(logged(Level.ERROR)).anyMatch(m -> m.contains("damaged at offset"));
    assertThat(Files.size(journal)).as("nothing cut off").isEqualTo(size);
  }

  @Test
  void compact_afterEmptyLoad_replacesTheDamagedFiles() throws IOException {
    recordThreePuts();
    Path damaged = only("journal-");
    flipByte(damaged, recordOffsets(damaged).get(0) + 12);
    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
      // The store now scans its files and hands over the result.
      journal.compact(List.of(entry(C, ObjectFormat.OPAQUE, 1, 3)));
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 9, 1));
    }

    assertThat(damaged).doesNotExist();
    assertThat(reload()).containsOnlyKeys("app/t/c", "app/s/a");
  }

  @Test
  void load_newestSnapshotWithoutFooter_fallsBackToThePreviousOne() throws IOException {
    Map<String, ObjectEntry> expected = crashBetweenSnapshotAndCleanup();
    Path newest = dir.resolve(IndexJournal.name("snapshot-", 3, ".bin"));
    truncate(newest, Files.size(newest) - 16);

    assertThat(reload()).isEqualTo(expected);
    assertThat(logged(Level.ERROR)).anyMatch(m -> m.contains("no footer"));
  }

  @Test
  void load_crashBetweenSnapshotAndCleanup_usesTheNewestSnapshot() throws IOException {
    Map<String, ObjectEntry> expected = crashBetweenSnapshotAndCleanup();
    // Would the loader use the old snapshot, this damage would make the load fail.
    flipByte(dir.resolve(IndexJournal.name("journal-", 2, ".log")), 20);

    assertThat(reload()).isEqualTo(expected);
  }

  @Test
  void load_fallbackJournalDamaged_empty() throws IOException {
    crashBetweenSnapshotAndCleanup();
    Path newest = dir.resolve(IndexJournal.name("snapshot-", 3, ".bin"));
    truncate(newest, Files.size(newest) - 16);
    Path older = dir.resolve(IndexJournal.name("journal-", 2, ".log"));
    truncate(older, Files.size(older) - 4);

    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
    }
  }

  @Test
  void load_snapshotDamagedAndNoOlderOne_emptyAndLogsError() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.compact(List.of(entry(A, ObjectFormat.OPAQUE, 1, 1), entry(B, ObjectFormat.OPAQUE, 1, 1)));
    }
    flipByte(only("snapshot-"), 30);

    try (IndexJournal journal = IndexJournal.open(dir)) {
      assertThat(journal.load()).isEmpty();
    }
    assertThat(logged(Level.ERROR)).anyMatch(m -> m.contains("damaged"));
  }

  @Test
  void open_leftoverTempSnapshot_deletedAndIgnored() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
    }
    Path temp = dir.resolve(IndexJournal.name("snapshot-", 7, ".bin.tmp"));
    Files.write(temp, new byte[100]);

    assertThat(reload()).containsOnlyKeys("app/s/a");
    assertThat(temp).doesNotExist();
  }

  // ---- compaction ----

  @Test
  void compact_whileFourThreadsRecord_reloadEqualsReference() throws Exception {
    ObjectKey[] keys = IntStream.range(0, 64).mapToObj(i -> new ObjectKey("app", "s" + i % 3, "o" + i)).toArray(ObjectKey[]::new);
    ReentrantLock[] locks = Stream.generate(ReentrantLock::new).limit(keys.length).toArray(ReentrantLock[]::new);
    long[] highest = new long[keys.length];
    Map<String, ObjectEntry> reference = new ConcurrentHashMap<>();
    // What the store must do: every change logged before the switch is visible once iteration starts.
    Iterable<ObjectEntry> live = () -> {
      for (ReentrantLock lock : locks) {
        lock.lock();
        lock.unlock();
      }
      return reference.values().iterator();
    };
    AtomicBoolean writing = new AtomicBoolean(true);
    int compactions = 0;
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try (IndexJournal journal = fresh()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(writers.submit(() -> {
          for (int op = 0; op < 300; op++) {
            int k = ThreadLocalRandom.current().nextInt(keys.length);
            locks[k].lock();
            try {
              highest[k] = randomChange(journal, keys[k], highest[k], reference);
            } finally {
              locks[k].unlock();
            }
          }
          return null;
        }));
      }
      writers.submit(() -> {
        for (Future<?> writer : done) {
          writer.get();
        }
        writing.set(false);
        return null;
      });
      do {
        journal.compact(live);
        compactions++;
      } while (writing.get());
      for (Future<?> writer : done) {
        writer.get();
      }
    } finally {
      writers.shutdownNow();
    }

    System.out.printf("compact_whileFourThreadsRecord: %d compactions during 1200 changes%n", compactions);
    assertThat(reload()).isEqualTo(reference);
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
      assertThat(names).hasSize(2);
      assertThat(names.get(0).substring(8, 28)).isEqualTo(names.get(1).substring(9, 29));
    }
  }

  @Test
  void compact_changeLoggedWhileIterating_survives() throws IOException {
    // compact() iterates only after the switch, so a change logged meanwhile is in the new journal.
    try (IndexJournal journal = fresh()) {
      journal.compact(() -> {
        try {
          journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return List.<ObjectEntry>of().iterator();
      });
    }

    assertThat(reload()).containsOnlyKeys("app/s/a");
  }

  /** One random put, patch or remove of {@code key}, logged then applied to {@code reference}. */
  private static long randomChange(IndexJournal journal, ObjectKey key, long highest, Map<String, ObjectEntry> reference)
      throws IOException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ObjectEntry current = reference.get(key.toString());
    int choice = random.nextInt(10);
    if (current == null || choice < 3) {
      long version = highest + 1 + random.nextInt(3);
      ObjectEntry next = entry(key, random.nextBoolean() ? ObjectFormat.OPAQUE : ObjectFormat.TABLE, version, random.nextInt(1000));
      journal.recordPut(next);
      reference.put(key.toString(), next);
      return version;
    }
    if (choice < 8) {
      StoredPart patch = new StoredPart(current.version() + 1, random.nextInt(100));
      journal.recordPatch(key, patch);
      reference.put(key.toString(), current.withPatch(patch));
      return patch.version();
    }
    journal.recordRemove(key, current.version());
    reference.remove(key.toString());
    return highest;
  }

  @Test
  void compact_journalRepeatsWhatTheSnapshotHolds_changesNothing() throws IOException {
    ObjectEntry a = entry(A, ObjectFormat.OPAQUE, 4, 10, new StoredPart(5, 1), new StoredPart(6, 2));
    ObjectEntry b = entry(B, ObjectFormat.TABLE, 9, 90);
    try (IndexJournal journal = fresh()) {
      journal.compact(List.of(a, b));
      // A snapshot taken while writes go on can hold changes the new journal also has.
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 4, 10));
      journal.recordPatch(A, new StoredPart(5, 1));
      journal.recordPatch(A, new StoredPart(6, 2));
      journal.recordPut(entry(C, ObjectFormat.OPAQUE, 2, 1));
      journal.recordRemove(C, 2);
      journal.recordRemove(B, 8);
      journal.recordPut(entry(B, ObjectFormat.OPAQUE, 7, 70));
    }

    assertThat(reload()).containsOnly(Map.entry("app/s/a", a), Map.entry("app/s/b", b));
  }

  @Test
  void compact_oldFiles_deleted() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
      journal.compact(List.of(entry(A, ObjectFormat.OPAQUE, 1, 1)));
      journal.compact(List.of(entry(A, ObjectFormat.OPAQUE, 1, 1)));
    }

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder(IndexJournal.name("journal-", 3, ".log"), IndexJournal.name("snapshot-", 3, ".bin"));
    }
    assertThat(reload()).containsOnlyKeys("app/s/a");
  }

  // ---- replay rules ----

  @Test
  void put_absentOrOlder_applies_sameOrNewer_ignored() {
    Map<String, ObjectEntry> index = new HashMap<>();
    assertThat(new JournalRecord.Put(A, ObjectFormat.OPAQUE, new StoredPart(5, 1)).applyTo(index)).isTrue();
    index.put("app/s/a", entry(A, ObjectFormat.OPAQUE, 5, 1, new StoredPart(6, 1)));

    assertThat(new JournalRecord.Put(A, ObjectFormat.TABLE, new StoredPart(6, 2)).applyTo(index)).isFalse();
    assertThat(new JournalRecord.Put(A, ObjectFormat.TABLE, new StoredPart(5, 2)).applyTo(index)).isFalse();
    assertThat(new JournalRecord.Put(A, ObjectFormat.TABLE, new StoredPart(7, 2)).applyTo(index)).isTrue();
    assertThat(index.get("app/s/a")).isEqualTo(entry(A, ObjectFormat.TABLE, 7, 2));
  }

  @Test
  void patch_nextVersion_applies_otherwiseIgnored() {
    Map<String, ObjectEntry> index = new HashMap<>();
    assertThat(new JournalRecord.Patch(A, new StoredPart(2, 1)).applyTo(index)).isFalse();
    index.put("app/s/a", entry(A, ObjectFormat.OPAQUE, 1, 1));

    assertThat(new JournalRecord.Patch(A, new StoredPart(3, 1)).applyTo(index)).isFalse();
    assertThat(new JournalRecord.Patch(A, new StoredPart(1, 1)).applyTo(index)).isFalse();
    assertThat(new JournalRecord.Patch(A, new StoredPart(2, 9)).applyTo(index)).isTrue();
    assertThat(new JournalRecord.Patch(A, new StoredPart(2, 9)).applyTo(index)).isFalse();
    assertThat(index.get("app/s/a")).isEqualTo(entry(A, ObjectFormat.OPAQUE, 1, 1, new StoredPart(2, 9)));
  }

  @Test
  void remove_sameOrNewerVersion_applies_olderIgnored() {
    Map<String, ObjectEntry> index = new HashMap<>();
    index.put("app/s/a", entry(A, ObjectFormat.OPAQUE, 5, 1));

    assertThat(new JournalRecord.Remove(A, 4).applyTo(index)).isFalse();
    assertThat(index).containsKey("app/s/a");
    assertThat(new JournalRecord.Remove(A, 5).applyTo(index)).isTrue();
    assertThat(new JournalRecord.Remove(A, 5).applyTo(index)).isFalse();
    index.put("app/s/a", entry(A, ObjectFormat.OPAQUE, 5, 1));
    assertThat(new JournalRecord.Remove(A, 9).applyTo(index)).isTrue();
    assertThat(index).isEmpty();
  }

  @Test
  void put_versionsAboveTwoToThe63_compareUnsigned() {
    Map<String, ObjectEntry> index = new HashMap<>();
    index.put("app/s/a", entry(A, ObjectFormat.OPAQUE, Long.MAX_VALUE, 1));

    assertThat(new JournalRecord.Put(A, ObjectFormat.OPAQUE, new StoredPart(Long.MIN_VALUE, 2)).applyTo(index)).isTrue();
    assertThat(new JournalRecord.Remove(A, Long.MAX_VALUE).applyTo(index)).isFalse();
  }

  // ---- group commit ----

  @Test
  void recordPut_eightThreads_allDurable() throws Exception {
    int threads = 8;
    int perThread = 500;
    long single;
    long grouped;
    try (IndexJournal journal = fresh()) {
      long start = System.nanoTime();
      for (int i = 0; i < perThread; i++) {
        journal.recordPut(entry(new ObjectKey("single", "s", "o" + i), ObjectFormat.OPAQUE, 1, i));
      }
      single = System.nanoTime() - start;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          String session = "t" + t;
          done.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              journal.recordPut(entry(new ObjectKey("group", session, "o" + i), ObjectFormat.OPAQUE, 1, i));
            }
            return null;
          }));
        }
        for (Future<?> thread : done) {
          thread.get();
        }
        grouped = System.nanoTime() - start;
      } finally {
        pool.shutdownNow();
      }
    }

    assertThat(reload()).hasSize(perThread + threads * perThread);
    System.out.printf(
        "recordPut: 1 thread %.0f records/s, %d threads %.0f records/s%n",
        perThread / (single / 1e9), threads, threads * perThread / (grouped / 1e9));
  }

  @Test
  void append_forceFails_failsThatCallAndEveryLaterOne() throws IOException {
    JournalWriter writer = JournalWriter.start("test-journal-writer");
    FileChannel file = FileChannel.open(root.resolve("journal.log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    writer.switchTo(new ForceFailingChannel(file));
    JournalRecord remove = new JournalRecord.Remove(A, 1);

    assertThatThrownBy(() -> writer.append(remove)).isInstanceOf(IOException.class).hasRootCauseMessage("disk on fire");
    assertThatThrownBy(() -> writer.append(remove)).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
    writer.close();
    assertThat(file.isOpen()).isFalse();
  }

  // ---- scale ----

  @Test
  @Tag("stress")
  void load_oneMillionObjects_reportsTime() throws IOException {
    int count = 1_000_000;
    // 10 apps x 1000 sessions x 100 random object ids, in key order as the store's index iterates.
    Iterable<ObjectEntry> generated = () -> IntStream.range(0, count / 100).boxed().flatMap(session -> {
      Random random = new Random(session);
      return Stream.generate(() -> new UUID(random.nextLong(), random.nextLong()).toString()).limit(100).sorted().map(id -> {
        ObjectKey key = new ObjectKey("app" + session / 1000, String.format("session-%03d", session % 1000), id);
        ObjectEntry base = entry(key, id.charAt(0) < '2' ? ObjectFormat.TABLE : ObjectFormat.OPAQUE, 1 + random.nextInt(100), 100 + random.nextInt(4096));
        return id.charAt(1) < '2' ? base.withPatch(new StoredPart(base.version() + 1, 10)) : base;
      });
    }).iterator();
    long start = System.nanoTime();
    try (IndexJournal journal = fresh()) {
      journal.compact(generated);
    }
    long written = System.nanoTime() - start;

    start = System.nanoTime();
    Map<String, ObjectEntry> loaded;
    try (IndexJournal journal = IndexJournal.open(dir)) {
      loaded = journal.load().orElseThrow();
    }
    long loadedIn = System.nanoTime() - start;

    assertThat(loaded).hasSize(count);
    System.out.printf("1M objects: snapshot %d bytes written in %d ms, open + load in %d ms%n",
        Files.size(only("snapshot-")), written / 1_000_000, loadedIn / 1_000_000);
  }

  // ---- helpers ----

  /** A journal over a new, empty index, ready for records. */
  private IndexJournal fresh() throws IOException {
    IndexJournal journal = IndexJournal.open(dir);
    assertThat(journal.load()).isEmpty();
    journal.compact(List.of());
    return journal;
  }

  private Map<String, ObjectEntry> reload() throws IOException {
    try (IndexJournal journal = IndexJournal.open(dir)) {
      return journal.load().orElseThrow();
    }
  }

  private void recordThreePuts() throws IOException {
    try (IndexJournal journal = fresh()) {
      journal.recordPut(entry(A, ObjectFormat.OPAQUE, 1, 1));
      journal.recordPut(entry(B, ObjectFormat.OPAQUE, 1, 1));
      journal.recordPut(entry(C, ObjectFormat.OPAQUE, 1, 1));
    }
  }

  /**
   * Leaves snapshot 2 with journal 2 and snapshot 3 with journal 3, as a crash after snapshot 3
   * was renamed into place and before the old files were deleted would.
   *
   * @return the index they hold
   */
  private Map<String, ObjectEntry> crashBetweenSnapshotAndCleanup() throws IOException {
    Path saved = Files.createDirectory(root.resolve("saved"));
    ObjectEntry a = entry(A, ObjectFormat.OPAQUE, 1, 10);
    ObjectEntry b = entry(B, ObjectFormat.TABLE, 3, 30);
    try (IndexJournal journal = fresh()) {
      journal.recordPut(a);
      journal.compact(List.of(a));
      journal.recordPut(b);
      for (Path file : List.of(only("snapshot-"), only("journal-"))) {
        Files.copy(file, saved.resolve(file.getFileName()));
      }
      journal.compact(List.of(a, b));
      journal.recordPatch(A, new StoredPart(2, 5));
      journal.recordPut(entry(C, ObjectFormat.OPAQUE, 1, 1));
    }
    try (Stream<Path> files = Files.list(saved)) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    return Map.of(
        "app/s/a", a.withPatch(new StoredPart(2, 5)),
        "app/s/b", b,
        "app/t/c", entry(C, ObjectFormat.OPAQUE, 1, 1));
  }

  private static ObjectEntry entry(ObjectKey key, ObjectFormat format, long version, long sizeBytes, StoredPart... patches) {
    return new ObjectEntry(key, format, new StoredPart(version, sizeBytes), List.of(patches));
  }

  /** The one file whose name starts with {@code prefix} and does not end in .tmp. */
  private Path only(String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files.filter(f -> f.getFileName().toString().startsWith(prefix) && !f.toString().endsWith(".tmp")).toList();
      assertThat(found).hasSize(1);
      return found.get(0);
    }
  }

  /** Where each record of a journal file starts, read from the length fields. */
  private static List<Long> recordOffsets(Path journal) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(journal));
    List<Long> offsets = new ArrayList<>();
    for (int at = 0; at < bytes.limit(); at += 8 + bytes.getInt(at)) {
      offsets.add((long) at);
    }
    return offsets;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      channel.write(one.put(0, (byte) (one.get(0) ^ 0x5A)).clear(), offset);
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  private List<String> logged(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static Logger journalLogger() {
    return (Logger) LoggerFactory.getLogger(IndexJournal.class);
  }
}
