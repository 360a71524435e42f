package dev.flightcache.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's one read of every get: read and tryRead, decided by flame's table. */
class ObjectReadTest {
  private static final ObjectKey KEY = new ObjectKey("app", "s", "o");

  @TempDir Path dir;
  private FileObjectStore store;

  /** KEY: base 1 (3 bytes), patches 2 and 3. */
  @BeforeEach
  void open() throws IOException {
    store = StoreFixtures.open(dir, new StoreLimits(1L << 30, 1L << 20, 10));
    try (PendingWrite write = store.beginPut(KEY)) {
      write.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      store.commitPut(KEY, ObjectFormat.OPAQUE, write);
    }
    for (int i = 0; i < 2; i++) {
      try (PendingWrite write = store.beginPatch(KEY)) {
        write.write(ByteBuffer.wrap(new byte[] {9}));
        store.commitPatch(KEY, write);
      }
    }
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  @Test
  void read_heldBetweenBaseAndCurrent_patchesAfterHeldOpen() throws IOException {
    try (ObjectRead read = store.read(KEY, Version.of(2))) {
      GetAnswer.Patches<FileChannel> patches = (GetAnswer.Patches<FileChannel>) read.answer();
      assertThat(patches.patches()).extracting(p -> p.version().bits()).containsExactly(3L);
      assertThat(patches.patches().get(0).data().size()).isEqualTo(1);
    }
  }

  @Test
  void read_none_fullWithEveryFileOpen() throws IOException {
    try (ObjectRead read = store.read(KEY, Version.NONE)) {
      GetAnswer.Full<FileChannel> full = (GetAnswer.Full<FileChannel>) read.answer();
      assertThat(full.base().data().size()).isEqualTo(3);
      assertThat(full.patches()).allSatisfy(p -> assertThat(p.data()).isNotNull());
      assertThat(full.version()).isEqualTo(Version.of(3));
    }
  }

  @Test
  void tryRead_current_notModifiedEvenWhileAWriterHoldsTheKey() throws Exception {
    try (StoreFixtures.HeldLock writer = StoreFixtures.holdWriteLock(store, KEY)) {
      Optional<ObjectRead> read = store.tryRead(KEY, Version.of(3));
      assertThat(read).isPresent();
      assertThat(read.get().answer()).isEqualTo(new GetAnswer.NotModified<FileChannel>(Version.of(3)));
      assertThat(store.tryRead(KEY, Version.NONE)).as("opening files needs the lock").isEmpty();
    }
  }

  @Test
  void tryRead_damagedFile_emptyAndNothingChanged_thenReadSetsItAside() throws IOException {
    try (FileChannel base = FileChannel.open(dir.resolve("objects/app/s/o/1.base"), StandardOpenOption.WRITE)) {
      base.truncate(1);
    }

    // On the event loop: no write lock, no journal; the call moves to the pool.
    assertThat(store.tryRead(KEY, Version.NONE)).isEmpty();
    assertThat(store.entry(KEY)).isPresent();

    assertThatThrownBy(() -> store.read(KEY, Version.NONE)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.entry(KEY)).isEmpty();
    assertThat(Files.exists(dir.resolve("objects/app/s/o"))).isFalse();
    try (var quarantined = Files.list(dir.resolve("quarantine"))) {
      assertThat(quarantined.toList()).hasSize(1);
    }
  }
}
