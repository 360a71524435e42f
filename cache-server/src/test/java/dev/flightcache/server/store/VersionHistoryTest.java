package dev.flightcache.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.quota.AppQuotas;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versions of keys the store does not hold: a key never held starts at 1, a removed one
 * continues its own history, across reopens, past the bound of remembered keys, after an upgrade
 * from a store with only a global version floor, and after recovery lost the journal.
 */
class VersionHistoryTest {
  private static final StoreLimits LIMITS = new StoreLimits(1 << 20, 1 << 16, 10);

  @TempDir Path root;
  private final List<FileObjectStore> opened = new ArrayList<>();

  @AfterEach
  void closeStores() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (IOException | RuntimeException ignored) {
        // a store reopened beside it may have taken its files already
      }
    }
  }

  @Test
  void put_afterManyDeletesElsewhere_newKeyStartsAtOne() throws IOException {
    FileObjectStore store = open(RemovedVersions.DEFAULT_CAPACITY);
    for (int i = 0; i < 20; i++) {
      ObjectKey key = key("gone", i);
      put(store, key);
      patch(store, key);
      store.delete(KeyPath.parse(key.toString()));
    }
    assertThat(put(store, key("fresh", 0)).version()).isEqualTo(1);
    assertThat(put(store, key("gone", 3)).version()).isEqualTo(3);
  }

  @Test
  void reopen_cleanAndUnclean_removedKeysContinueTheirOwnVersions() throws IOException {
    FileObjectStore store = open(RemovedVersions.DEFAULT_CAPACITY);
    Map<ObjectKey, Long> last = removeWithVersions(store, "a", 10);
    store.close();

    FileObjectStore clean = open(RemovedVersions.DEFAULT_CAPACITY);
    Map<ObjectKey, Long> more = removeWithVersions(clean, "b", 10);
    // Not closed: the next open replays the journal.
    FileObjectStore unclean = open(RemovedVersions.DEFAULT_CAPACITY);

    for (Map<ObjectKey, Long> removed : List.of(last, more)) {
      removed.forEach((key, version) -> assertThat(put(unclean, key).version()).as(key.toString()).isEqualTo(version + 1));
    }
    assertThat(put(unclean, key("never", 0)).version()).isEqualTo(1);
    assertThat(root.resolve("version-floor")).doesNotExist();
  }

  @Test
  void remove_pastTheBound_versionsNeverRepeatAndKeysInBucketsWithoutFloorStartAtOne() throws IOException {
    int capacity = 4;
    FileObjectStore store = open(capacity);
    Map<ObjectKey, Long> removed = removeWithVersions(store, "bound", 40);
    List<ObjectKey> order = new ArrayList<>(removed.keySet());
    // Every bucket a removed key may have been folded into.
    Set<Integer> buckets = new HashSet<>();
    order.forEach(key -> buckets.add(RemovedVersions.Fingerprint.of(key).bucket()));
    store.close();

    FileObjectStore clean = open(capacity);
    for (ObjectKey key : order.subList(order.size() - capacity, order.size())) {
      assertThat(put(clean, key).version()).as("newest removed %s", key).isEqualTo(removed.get(key) + 1);
    }
    for (ObjectKey key : order.subList(0, order.size() - capacity)) {
      assertThat(put(clean, key).version()).as("folded %s", key).isGreaterThan(removed.get(key));
    }
    assertThat(startsAtOne(clean, "clean", buckets)).isGreaterThan(150);
    for (ObjectKey key : order) {
      removed.put(key, clean.entry(key).orElseThrow().version());
      clean.delete(KeyPath.parse(key.toString()));
    }
    // Not closed: the next open replays the journal into the small bound again.
    FileObjectStore unclean = open(capacity);
    for (ObjectKey key : order) {
      assertThat(put(unclean, key).version()).as("after an unclean stop %s", key).isGreaterThan(removed.get(key));
    }
    assertThat(startsAtOne(unclean, "unclean", buckets)).isGreaterThan(150);
  }

  /** Puts 200 never held keys; those outside {@code raised} must start at 1. Returns how many. */
  private static int startsAtOne(FileObjectStore store, String session, Set<Integer> raised) {
    int fresh = 0;
    for (int i = 0; i < 200; i++) {
      ObjectKey never = key(session, i);
      if (!raised.contains(RemovedVersions.Fingerprint.of(never).bucket())) {
        assertThat(put(store, never).version()).as(never.toString()).isEqualTo(1);
        fresh++;
      }
    }
    return fresh;
  }

  @Test
  void open_storeWrittenBeforeTombstones_noRemovedKeyGetsAVersionAtOrBelowTheOldFloor() throws IOException {
    // As the server before tombstones left it: a global floor of 20, a format 1 snapshot with one
    // object, a journal that removed another at 15, and a clean stop.
    ObjectKey live = new ObjectKey("app", "s", "live");
    ObjectKey gone = new ObjectKey("app", "s", "gone");
    Files.writeString(root.resolve("version-floor"), "20\n", UTF_8);
    Path liveDir = Files.createDirectories(root.resolve("objects/app/s/live"));
    Files.writeString(liveDir.resolve("12.base"), "live", UTF_8);
    Path index = Files.createDirectories(root.resolve("index"));
    writeFormat1Snapshot(index.resolve(IndexJournal.name("snapshot-", 1, ".bin")), 1,
        List.of(new JournalRecord.Put(live, ObjectFormat.OPAQUE, new StoredPart(12, 4))));
    writeRecords(index.resolve(IndexJournal.name("journal-", 1, ".log")), List.of(new JournalRecord.Remove(gone, 15)));
    Files.writeString(index.resolve("clean-stop"), "clean\n", UTF_8);

    FileObjectStore store = open(RemovedVersions.DEFAULT_CAPACITY);

    assertThat(store.entry(live).orElseThrow().version()).isEqualTo(12);
    assertThat(put(store, live).version()).isEqualTo(13);
    assertThat(put(store, gone).version()).isEqualTo(21);
    // What an upgrade costs: the old server did not remember which keys it removed.
    assertThat(put(store, new ObjectKey("app", "s", "new")).version()).isEqualTo(21);
    store.delete(KeyPath.parse(live.toString()));
    store.close();

    FileObjectStore reopened = open(RemovedVersions.DEFAULT_CAPACITY);
    assertThat(put(reopened, live).version()).isEqualTo(21);
    assertThat(put(reopened, new ObjectKey("app", "s", "newer")).version()).isEqualTo(21);
    assertThat(Files.readString(root.resolve("version-floor"), UTF_8).trim()).isEqualTo("20");
  }

  @Test
  void open_damagedSnapshot_floorRaisedToTheHighestVersionStillReadable() throws IOException {
    FileObjectStore store = open(RemovedVersions.DEFAULT_CAPACITY);
    ObjectKey gone = key("gone", 0);
    put(store, gone);
    for (int i = 0; i < 6; i++) {
      patch(store, gone);
    }
    store.delete(KeyPath.parse(gone.toString()));
    put(store, key("kept", 0));
    store.close();
    Path snapshot = onlySnapshot();
    flipByte(snapshot, Files.size(snapshot) / 2);

    FileObjectStore reopened = open(RemovedVersions.DEFAULT_CAPACITY);

    // The tombstone of gone/7 was in the damaged snapshot; its header still told the highest.
    assertThat(put(reopened, gone).version()).isEqualTo(8);
    assertThat(put(reopened, key("never", 0)).version()).isEqualTo(8);
    assertThat(Files.readString(root.resolve("version-floor"), UTF_8).trim()).isEqualTo("7");
  }

  @Test
  void open_journalDamagedInTheMiddle_floorRaisedToRemovesAfterTheDamage() throws IOException {
    FileObjectStore store = open(RemovedVersions.DEFAULT_CAPACITY);
    put(store, key("first", 0));
    ObjectKey gone = key("gone", 0);
    put(store, gone);
    for (int i = 0; i < 8; i++) {
      patch(store, gone);
    }
    store.delete(KeyPath.parse(gone.toString()));
    // Not closed: the remove of gone/9 is in the journal only. Damage the first record.
    Path journal;
    try (var files = Files.list(root.resolve("index"))) {
      journal = files.filter(f -> f.getFileName().toString().startsWith("journal-")).max(Path::compareTo).orElseThrow();
    }
    flipByte(journal, 12);

    FileObjectStore reopened = open(RemovedVersions.DEFAULT_CAPACITY);

    assertThat(put(reopened, gone).version()).isEqualTo(10);
    assertThat(Files.readString(root.resolve("version-floor"), UTF_8).trim()).isEqualTo("9");
  }

  // ---- helpers ----

  /** Puts each key, patches it a few times (a different count per key), and deletes it. */
  private Map<ObjectKey, Long> removeWithVersions(FileObjectStore store, String session, int keys) throws IOException {
    Map<ObjectKey, Long> last = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      ObjectKey key = key(session, i);
      long version = put(store, key).version();
      for (int p = 0; p < i % 4; p++) {
        version = patch(store, key).version();
      }
      assertThat(store.delete(KeyPath.parse(key.toString()))).isEqualTo(1);
      last.put(key, version);
    }
    return last;
  }

  private FileObjectStore open(int tombstones) throws IOException {
    FileObjectStore store = FileObjectStore.open(
        root, LIMITS, StoreFixtures.ROOMY, () -> Long.MAX_VALUE, Ticker.systemTicker(), Runnable::run, new AppQuotas(), tombstones);
    opened.add(store);
    return store;
  }

  private static ObjectKey key(String session, int i) {
    return new ObjectKey("app", session, "o" + i);
  }

  private static ObjectEntry put(FileObjectStore store, ObjectKey key) {
    try (PendingWrite write = store.beginPut(key)) {
      write.write(ByteBuffer.wrap(key.toString().getBytes(UTF_8)));
      return store.commitPut(key, ObjectFormat.OPAQUE, write);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ObjectEntry patch(FileObjectStore store, ObjectKey key) throws IOException {
    try (PendingWrite write = store.beginPatch(key)) {
      write.write(ByteBuffer.wrap("+".getBytes(UTF_8)));
      return store.commitPatch(key, write);
    }
  }

  private Path onlySnapshot() throws IOException {
    try (var files = Files.list(root.resolve("index"))) {
      List<Path> snapshots = files.filter(f -> f.getFileName().toString().startsWith("snapshot-")).toList();
      assertThat(snapshots).hasSize(1);
      return snapshots.get(0);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
      channel.write(one, offset);
    }
  }

  /** A snapshot as the server before tombstones wrote it: format 1, 16-byte header and footer. */
  private static void writeFormat1Snapshot(Path file, long generation, List<JournalRecord> records) throws IOException {
    ByteBuffer body = ByteBuffer.allocate(64 * 1024);
    for (JournalRecord record : records) {
      JournalCodec.encode(record, body);
    }
    body.flip();
    CRC32C crc = new CRC32C();
    crc.update(body.duplicate());
    ByteBuffer file1 = ByteBuffer.allocate(16 + body.remaining() + 16);
    file1.putInt(0x46434953).putInt(1).putLong(generation).put(body);
    file1.putInt(0x46434945).putLong(records.size()).putInt((int) crc.getValue()).flip();
    Files.write(file, java.util.Arrays.copyOf(file1.array(), file1.limit()));
  }

  private static void writeRecords(Path file, List<JournalRecord> records) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    for (JournalRecord record : records) {
      JournalCodec.encode(record, out);
    }
    Files.write(file, java.util.Arrays.copyOf(out.array(), out.position()));
  }
}
