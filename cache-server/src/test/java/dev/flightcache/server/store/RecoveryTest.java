package dev.flightcache.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up recovery of {@link FileObjectStore}: on-disk states built by hand, as a crash or an
 * operator would leave them, then opened.
 */
class RecoveryTest {
  private static final StoreLimits LIMITS = new StoreLimits(1 << 20, 1 << 16, 3);
  private static final ObjectKey KEY = new ObjectKey("app", "s", "o");

  @TempDir Path root;
  private final List<FileObjectStore> opened = new ArrayList<>();

  /**
   * A store reopened over a journal that was not closed repairs files on a background thread.
   * Close every store, newest first, so none still writes into the temp directory while JUnit
   * deletes it. A test may have damaged the directory on purpose, so closing may fail; all that
   * matters here is that no background work outlives the test.
   */
  @AfterEach
  void closeStores() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (IOException | RuntimeException ignored) {
        // see above
      }
    }
  }

  // ---- recovery of interrupted writes ----

  @Test
  void open_leftoverTempFiles_deleted() throws IOException {
    write(root.resolve("tmp/1234.put"), "half an upload");
    write(root.resolve("tmp/5678.patch"), "half a patch");
    write(root.resolve("tmp/abcd.deleted/1.base"), "an object being deleted");

    FileObjectStore store = open();

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(store.objectCount()).isZero();
    assertThat(quarantined()).isEmpty();
  }

  @Test
  void open_interruptedReplace_keepsNewestBaseAndItsPatches() throws IOException {
    Path dir = objectDir(KEY);
    write(dir.resolve("3.base"), "old base");
    write(dir.resolve("4.patch"), "old patch");
    write(dir.resolve("5.base"), "new base");
    write(dir.resolve("6.patch"), "+p6");

    FileObjectStore store = open();

    ObjectEntry entry = store.entry(KEY).orElseThrow();
    assertThat(entry.version()).isEqualTo(6);
    assertThat(entry.base()).isEqualTo(new StoredPart(5, 8));
    assertThat(entry.patches()).containsExactly(new StoredPart(6, 3));
    assertThat(read(store, KEY)).containsExactly("new base", "+p6");
    assertThat(list(dir)).containsExactlyInAnyOrder("5.base", "6.patch");
    assertThat(quarantined()).isEmpty();
  }

  @Test
  void open_replaceOfTableByBytes_keepsNewestBaseWhateverItsFormat() throws IOException {
    Path dir = objectDir(KEY);
    write(dir.resolve("2.table"), "old table");
    write(dir.resolve("3.base"), "new bytes");

    FileObjectStore store = open();

    ObjectEntry entry = store.entry(KEY).orElseThrow();
    assertThat(entry.format()).isEqualTo(ObjectFormat.OPAQUE);
    assertThat(entry.version()).isEqualTo(3);
    assertThat(list(dir)).containsExactly("3.base");
  }

  @Test
  void open_patchesWithoutBase_removedAndObjectAbsent() throws IOException {
    // An interrupted delete raised the floor first, then lost the base.
    write(root.resolve("version-floor"), "5\n");
    Path dir = objectDir(KEY);
    write(dir.resolve("4.patch"), "p4");
    write(dir.resolve("5.patch"), "p5");

    FileObjectStore store = open();

    assertThat(store.entry(KEY)).isEmpty();
    assertThat(store.objectCount()).isZero();
    assertThat(dir).doesNotExist();
    assertThat(quarantined()).isEmpty();
    assertThatThrownBy(() -> store.open(KEY, 0)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(put(store, KEY, "again").version()).isEqualTo(6);
  }

  @Test
  void open_emptyObjectDirectory_removed() throws IOException {
    Path dir = objectDir(KEY);

    FileObjectStore store = open();

    assertThat(store.entry(KEY)).isEmpty();
    assertThat(dir).doesNotExist();
    assertThat(quarantined()).isEmpty();
  }

  @Test
  void open_gapInPatchVersions_setsTheObjectAsideAndNeverReusesItsVersions() throws IOException {
    Path dir = objectDir(KEY);
    write(dir.resolve("5.base"), "base");
    write(dir.resolve("6.patch"), "p6");
    write(dir.resolve("8.patch"), "p8");

    FileObjectStore store = open();

    // Serving 5 and 6 would let the next patches take versions 7 and 8 again.
    assertThat(store.entry(KEY)).isEmpty();
    assertThat(dir).doesNotExist();
    assertThat(quarantined()).singleElement().asString().endsWith("objects_app_s_o");
    try (PendingWrite write = store.beginPut(KEY)) {
      write.write(java.nio.ByteBuffer.wrap("new".getBytes(UTF_8)));
      assertThat(store.commitPut(KEY, ObjectFormat.OPAQUE, write).version()).isEqualTo(9);
    }
  }

  // ---- files and directories recovery cannot use ----

  @Test
  void open_unknownFileNames_setAsideAndGoodObjectsIntact() throws IOException {
    Path dir = objectDir(KEY);
    write(dir.resolve("1.base"), "good");
    write(dir.resolve("2.patch"), "+2");
    write(dir.resolve("foo"), "junk");
    write(dir.resolve("x.base"), "junk");
    write(dir.resolve("0.base"), "junk");
    write(dir.resolve(".base"), "junk");
    write(dir.resolve("3.weird"), "junk");
    write(dir.resolve("-4.patch"), "junk");
    Files.createDirectories(dir.resolve("3.patch"));
    Files.createDirectories(dir.resolve("9.base"));
    ObjectKey other = new ObjectKey("app", "s", "other");
    write(objectDir(other).resolve("7.table"), "a table");

    FileObjectStore store = open();

    assertThat(store.objectCount()).isEqualTo(2);
    assertThat(store.entry(KEY).orElseThrow().version()).isEqualTo(2);
    assertThat(read(store, KEY)).containsExactly("good", "+2");
    assertThat(store.entry(other).orElseThrow().format()).isEqualTo(ObjectFormat.TABLE);
    assertThat(list(dir)).containsExactlyInAnyOrder("1.base", "2.patch");
    assertThat(quarantined())
        .hasSize(8)
        .allSatisfy(name -> assertThat(name).contains("objects_app_s_o_"))
        .anySatisfy(name -> assertThat(name).endsWith("_foo"))
        .anySatisfy(name -> assertThat(name).endsWith("_x.base"))
        .anySatisfy(name -> assertThat(name).endsWith("_0.base"))
        .anySatisfy(name -> assertThat(name).endsWith("_3.patch"))
        .anySatisfy(name -> assertThat(name).endsWith("_9.base"));
  }

  @Test
  void open_versionWithLeadingZeros_objectReadableOrSetAside() throws IOException {
    // "01.base" parses as version 1, but the store names version 1's file "1.base".
    Path dir = objectDir(KEY);
    write(dir.resolve("01.base"), "zero-padded");

    FileObjectStore store = open();

    if (store.entry(KEY).isPresent()) {
      assertThatCode(() -> read(store, KEY))
          .as("an object recovery indexed must be readable")
          .doesNotThrowAnyException();
      assertThat(read(store, KEY)).containsExactly("zero-padded");
    } else {
      assertThat(quarantined()).singleElement().asString().endsWith("_01.base");
    }
  }

  @Test
  void open_invalidKeyComponentDirectories_setAside() throws IOException {
    write(root.resolve("objects/app/s/a:b/1.base"), "colon");
    write(root.resolve("objects/app/s/x..y/1.base"), "dots");
    write(root.resolve("objects/app/s/back\\slash/1.base"), "backslash");
    write(root.resolve("objects/bad:app/s/o/1.base"), "bad app");
    write(root.resolve("objects/app/bad:session/o/1.base"), "bad session");
    write(objectDir(KEY).resolve("1.base"), "good");

    FileObjectStore store = open();

    assertThat(store.objectCount()).isEqualTo(1);
    assertThat(read(store, KEY)).containsExactly("good");
    assertThat(quarantined())
        .hasSize(5)
        .anySatisfy(name -> assertThat(name).endsWith("objects_app_s_a:b"))
        .anySatisfy(name -> assertThat(name).endsWith("objects_app_s_x..y"))
        .anySatisfy(name -> assertThat(name).endsWith("objects_bad:app_s_o"))
        .anySatisfy(name -> assertThat(name).endsWith("objects_app_bad:session_o"));
    assertThat(root.resolve("objects/app/s/a:b")).doesNotExist();
    Path colon = root.resolve("quarantine").resolve(quarantined().stream().filter(n -> n.endsWith("a:b")).findFirst().orElseThrow());
    assertThat(Files.readString(colon.resolve("1.base"), UTF_8)).isEqualTo("colon");
  }

  @Test
  void open_regularFilesWhereDirectoriesBelong_setAside() throws IOException {
    write(root.resolve("objects/stray"), "x");
    write(root.resolve("objects/app/stray-session"), "x");
    write(root.resolve("objects/app/s/stray-object"), "x");
    write(objectDir(KEY).resolve("1.base"), "good");

    FileObjectStore store = open();

    assertThat(store.objectCount()).isEqualTo(1);
    assertThat(read(store, KEY)).containsExactly("good");
    assertThat(quarantined())
        .hasSize(3)
        .anySatisfy(name -> assertThat(name).endsWith("-objects_stray"))
        .anySatisfy(name -> assertThat(name).endsWith("-objects_app_stray-session"))
        .anySatisfy(name -> assertThat(name).endsWith("-objects_app_s_stray-object"));
  }

  @Test
  void open_quarantinedFilesFromEarlierStarts_leftAlone() throws IOException {
    write(root.resolve("objects/app/s/o/foo"), "junk");
    open();
    List<String> first = quarantined();

    open();

    assertThat(first).hasSize(1);
    assertThat(quarantined()).isEqualTo(first);
  }

  // ---- the version floor: history of removed keys ----

  @Test
  void open_corruptVersionFloor_setAsideAndFloorAtLeastHighestStoredVersion() throws IOException {
    write(root.resolve("version-floor"), "garbage");
    write(objectDir(new ObjectKey("app", "s", "a")).resolve("4.base"), "a");
    write(objectDir(new ObjectKey("app", "s", "b")).resolve("9.base"), "b");
    write(objectDir(new ObjectKey("app", "s", "b")).resolve("10.patch"), "b10");

    FileObjectStore store = open();

    assertThat(quarantined()).singleElement().asString().endsWith("-version-floor");
    assertThat(Files.readString(onlyQuarantined(), UTF_8)).isEqualTo("garbage");
    ObjectEntry fresh = put(store, new ObjectKey("app", "s", "new"), "new");
    assertThat(fresh.version()).isGreaterThan(10);
    // The reset floor is durable: reopening still puts new keys above it.
    FileObjectStore reopened = open();
    assertThat(quarantined()).hasSize(1);
    assertThat(put(reopened, new ObjectKey("app", "s", "newer"), "newer").version()).isGreaterThan(10);
  }

  @Test
  void open_emptyVersionFloor_setAsideAndStartSucceeds() throws IOException {
    write(root.resolve("version-floor"), "");
    write(objectDir(KEY).resolve("3.base"), "x");

    FileObjectStore store = open();

    assertThat(quarantined()).singleElement().asString().endsWith("-version-floor");
    assertThat(put(store, new ObjectKey("app", "s", "new"), "new").version()).isGreaterThan(3);
  }

  @Test
  void delete_historySurvivesReopen_putOfSameKeyContinuesItsOwnVersions() throws IOException {
    FileObjectStore store = open();
    put(store, KEY, "v1");
    for (int i = 2; i <= 4; i++) {
      patch(store, KEY, "p" + i);
    }
    put(store, KEY, "v5");
    patch(store, KEY, "p6");
    patch(store, KEY, "p7");
    assertThat(store.entry(KEY).orElseThrow().version()).isEqualTo(7);
    assertThat(store.delete(KeyPath.parse("app/s/o"))).isEqualTo(1);
    assertThat(root.resolve("objects/app")).doesNotExist();

    FileObjectStore reopened = open();

    assertThat(reopened.entry(KEY)).isEmpty();
    assertThat(put(reopened, KEY, "again").version()).isEqualTo(8);
    assertThat(put(reopened, new ObjectKey("app", "s", "never"), "new").version()).isEqualTo(1);
    // The delete created no file: the history is in the journal.
    assertThat(root.resolve("version-floor")).doesNotExist();
  }

  @Test
  void delete_sessionWildcard_eachKeyContinuesItsOwnVersions() throws IOException {
    FileObjectStore store = open();
    put(store, new ObjectKey("app", "s1", "a"), "a");
    ObjectKey b = new ObjectKey("app", "s2", "b");
    put(store, b, "b1");
    put(store, b, "b2");
    put(store, b, "b3");
    assertThat(store.delete(KeyPath.parse("app/*"))).isEqualTo(2);

    FileObjectStore reopened = open();

    assertThat(reopened.objectCount()).isZero();
    assertThat(put(reopened, new ObjectKey("app", "s1", "a"), "a again").version()).isEqualTo(2);
    assertThat(put(reopened, b, "b again").version()).isEqualTo(4);
    assertThat(put(reopened, new ObjectKey("app", "s1", "never"), "new").version()).isEqualTo(1);
  }

  // ---- writes ----

  @Test
  void pendingWrite_closedWithoutCommit_leavesTmpEmpty() throws IOException {
    FileObjectStore store = open();
    try (PendingWrite write = store.beginPut(KEY)) {
      write.write(ByteBuffer.wrap("abandoned".getBytes(UTF_8)));
      assertThat(list(root.resolve("tmp"))).hasSize(1);
    }
    try (PendingWrite write = store.beginPatch(KEY)) {
      write.write(ByteBuffer.wrap("abandoned".getBytes(UTF_8)));
    }

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(store.entry(KEY)).isEmpty();
    assertThat(root.resolve("objects/app")).doesNotExist();
  }

  @Test
  void commitPut_thenReopen_readsTheBytes() throws IOException {
    FileObjectStore store = open();
    ObjectEntry first = put(store, KEY, "hello");
    ObjectEntry patched = patch(store, KEY, ", world");
    assertThat(first.version()).isEqualTo(1);
    assertThat(patched.version()).isEqualTo(2);

    FileObjectStore reopened = open();

    assertThat(reopened.entry(KEY)).contains(patched);
    assertThat(read(reopened, KEY)).containsExactly("hello", ", world");
    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(quarantined()).isEmpty();
  }

  @Test
  void commitPut_replace_removesOldFilesAndContinuesVersions() throws IOException {
    FileObjectStore store = open();
    put(store, KEY, "one");
    patch(store, KEY, "+2");

    ObjectEntry replaced = put(store, KEY, "three");

    assertThat(replaced.version()).isEqualTo(3);
    assertThat(list(objectDir(KEY))).containsExactly("3.base");
    assertThat(read(open(), KEY)).containsExactly("three");
  }

  @Test
  void write_pastObjectLimit_throwsAndLeavesNothing() throws IOException {
    FileObjectStore store = open();
    PendingWrite write = store.beginPut(KEY);
    write.write(ByteBuffer.allocate((1 << 20) - 1));

    assertThatThrownBy(() -> write.write(ByteBuffer.allocate(2)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("app/s/o")
        .hasMessageContaining(String.valueOf(1 << 20));
    write.close();

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(store.entry(KEY)).isEmpty();
    assertThat(root.resolve("objects/app")).doesNotExist();
    assertThat(open().objectCount()).isZero();
  }

  @Test
  void write_pastPatchLimit_throwsAndLeavesObjectUnchanged() throws IOException {
    FileObjectStore store = open();
    put(store, KEY, "base");
    PendingWrite write = store.beginPatch(KEY);

    assertThatThrownBy(() -> write.write(ByteBuffer.allocate((1 << 16) + 1)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("patch");
    write.close();

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(store.entry(KEY).orElseThrow().version()).isEqualTo(1);
    assertThat(list(objectDir(KEY))).containsExactly("1.base");
  }

  @Test
  void commitPatch_pastPatchCount_throwsAndLeavesNothing() throws IOException {
    FileObjectStore store = open();
    put(store, KEY, "base");
    for (int i = 0; i < 3; i++) {
      patch(store, KEY, "p");
    }

    try (PendingWrite write = store.beginPatch(KEY)) {
      write.write(ByteBuffer.wrap("one too many".getBytes(UTF_8)));
      assertThatThrownBy(() -> store.commitPatch(KEY, write))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("maximum delta count (3)");
    }

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(store.entry(KEY).orElseThrow().version()).isEqualTo(4);
    assertThat(list(objectDir(KEY))).hasSize(4);
  }

  @Test
  void commitPatch_missingObject_throwsNotFoundAndLeavesNothing() throws IOException {
    FileObjectStore store = open();

    try (PendingWrite write = store.beginPatch(KEY)) {
      write.write(ByteBuffer.wrap("orphan".getBytes(UTF_8)));
      assertThatThrownBy(() -> store.commitPatch(KEY, write)).isInstanceOf(ObjectNotFoundException.class);
    }

    assertThat(list(root.resolve("tmp"))).isEmpty();
    assertThat(root.resolve("objects/app")).doesNotExist();
  }

  @Test
  void commitPut_concurrentFirstPutsInOneNewSession_allSucceed() throws Exception {
    FileObjectStore store = open();
    int threads = 8;
    for (int round = 0; round < 20; round++) {
      String app = "race" + round;
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        List<java.util.concurrent.Future<ObjectEntry>> puts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          ObjectKey key = new ObjectKey(app, "s", "o" + t);
          puts.add(pool.submit(() -> {
            try (PendingWrite write = store.beginPut(key)) {
              write.write(ByteBuffer.wrap(key.toString().getBytes(UTF_8)));
              start.await();
              return store.commitPut(key, ObjectFormat.OPAQUE, write);
            }
          }));
        }
        for (java.util.concurrent.Future<ObjectEntry> put : puts) {
          assertThat(put.get().version()).isEqualTo(1);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(store.objectCount()).isEqualTo(20 * threads);
    assertThat(list(root.resolve("tmp"))).isEmpty();
  }

  // ---- helpers ----

  private FileObjectStore open() throws IOException {
    FileObjectStore store = StoreFixtures.open(root, LIMITS);
    opened.add(store);
    return store;
  }

  private Path objectDir(ObjectKey key) throws IOException {
    return Files.createDirectories(root.resolve("objects").resolve(key.app()).resolve(key.session()).resolve(key.object()));
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, UTF_8);
  }

  private static ObjectEntry put(FileObjectStore store, ObjectKey key, String content) throws IOException {
    try (PendingWrite write = store.beginPut(key)) {
      write.write(ByteBuffer.wrap(content.getBytes(UTF_8)));
      return store.commitPut(key, ObjectFormat.OPAQUE, write);
    }
  }

  private static ObjectEntry patch(FileObjectStore store, ObjectKey key, String content) throws IOException {
    try (PendingWrite write = store.beginPatch(key)) {
      write.write(ByteBuffer.wrap(content.getBytes(UTF_8)));
      return store.commitPatch(key, write);
    }
  }

  /** The base and each patch of the current version, as text. */
  private static List<String> read(FileObjectStore store, ObjectKey key) throws IOException {
    List<String> parts = new ArrayList<>();
    try (ObjectSnapshot snapshot = store.open(key, 0)) {
      parts.add(readAll(snapshot.base()));
      for (int i = 0; i < snapshot.entry().patches().size(); i++) {
        parts.add(readAll(snapshot.patch(i)));
      }
    }
    return parts;
  }

  private static String readAll(FileChannel channel) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(8192);
    long position = 0;
    int read;
    while ((read = channel.read(buffer, position)) > 0) {
      out.write(buffer.array(), 0, read);
      position += read;
      buffer.clear();
    }
    return out.toString(UTF_8);
  }

  private List<String> quarantined() throws IOException {
    return list(root.resolve("quarantine"));
  }

  private Path onlyQuarantined() throws IOException {
    return root.resolve("quarantine").resolve(quarantined().get(0));
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
