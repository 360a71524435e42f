package dev.flightcache.server.store;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Version;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

/**
 * The store's reads, and the one read every get goes through ({@link #read}): peek at the index,
 * decide by flame's table ({@link GetAnswer#decide}), open the files the answer sends, and open
 * again when a new base arrived in between. Files are opened under the key's read lock, which is
 * released before anything is read from them; the access is recorded with the policy after
 * releasing it (the policy may take a key lock while evicting). A file found damaged sets the
 * object aside ({@link DamagedObjects}). Thread-safe.
 */
final class SnapshotOpener {
  private final StoreParts parts;
  private final DamagedObjects damaged;

  SnapshotOpener(StoreParts parts, DamagedObjects damaged) {
    this.parts = parts;
    this.damaged = damaged;
  }

  /**
   * See {@link FileObjectStore#read} ({@code mayWait}) and {@link FileObjectStore#tryRead}: null
   * when not {@code mayWait} and the read would wait, for a key's lock or to set a damaged object
   * aside.
   */
  ObjectRead read(ObjectKey key, Version held, boolean mayWait) throws IOException {
    while (true) {
      ObjectEntry peek = parts.index().get(key);
      if (peek == null) {
        throw notFound(key);
      }
      GetAnswer<Void> peeked = decide(peek, held, null);
      if (peeked instanceof GetAnswer.NotModified<Void> notModified) {
        // From the index alone: nothing is opened, no lock is taken.
        return new ObjectRead(new GetAnswer.NotModified<>(notModified.version()), null);
      }
      try {
        return readOpened(key, held, peeked instanceof GetAnswer.Patches ? held : Version.NONE, mayWait);
      } catch (DamagedObjectException e) {
        if (!mayWait) {
          return null;
        }
        // Set aside, or replaced meanwhile by a write: either way, read again what the index holds.
        damaged.setAside(e.entry(), e.getMessage());
      }
    }
  }

  /** Opens the patches above {@code patchesAbove}, and all of them if a new base needs them all. */
  private ObjectRead readOpened(ObjectKey key, Version held, Version patchesAbove, boolean mayWait) throws IOException {
    ObjectSnapshot snapshot = mayWait ? open(key, patchesAbove) : tryOpen(key, patchesAbove).orElse(null);
    if (snapshot == null) {
      return null;
    }
    GetAnswer<FileChannel> answer = decide(snapshot.entry(), held, snapshot);
    if (answer instanceof GetAnswer.Full && !patchesAbove.isNone()) {
      // A new base arrived since the peek: the patches opened are not enough. Open again, all of
      // it, the same way (this ends: the second open takes every patch).
      snapshot.close();
      return readOpened(key, held, Version.NONE, mayWait);
    }
    return new ObjectRead(answer, snapshot);
  }

  /** flame's table on an entry; the parts' data are the snapshot's files, or null without one. */
  @SuppressWarnings("unchecked")
  private static <D> GetAnswer<D> decide(ObjectEntry entry, Version held, ObjectSnapshot snapshot) {
    StoredPart base = entry.base();
    List<GetAnswer.Part<D>> patches = new ArrayList<>(entry.patches().size());
    for (int i = 0; i < entry.patches().size(); i++) {
      StoredPart patch = entry.patches().get(i);
      patches.add(new GetAnswer.Part<>(Version.of(patch.version()), patch.sizeBytes(),
          snapshot == null ? null : (D) snapshot.patch(i)));
    }
    GetAnswer.Part<D> basePart =
        new GetAnswer.Part<>(Version.of(base.version()), base.sizeBytes(), snapshot == null ? null : (D) snapshot.base());
    return GetAnswer.decide(held, entry.format() == ObjectFormat.TABLE, basePart, patches);
  }

  /** See {@link FileObjectStore#open(ObjectKey, long)}. */
  ObjectSnapshot open(ObjectKey key, Version patchesAbove) throws IOException {
    Lock lock = parts.index().lockFor(key).readLock();
    lock.lock();
    return openLocked(key, patchesAbove, lock);
  }

  /** See {@link FileObjectStore#tryOpen}. */
  Optional<ObjectSnapshot> tryOpen(ObjectKey key, Version patchesAbove) throws IOException {
    Lock lock = parts.index().lockFor(key).readLock();
    return lock.tryLock() ? Optional.of(openLocked(key, patchesAbove, lock)) : Optional.empty();
  }

  /**
   * Opens the files of {@code key} under {@code lock}, which it releases.
   *
   * @throws DamagedObjectException if a file is missing, unreadable or shorter than its entry says
   */
  private ObjectSnapshot openLocked(ObjectKey key, Version patchesAbove, Lock lock) throws IOException {
    ObjectSnapshot snapshot;
    try {
      ObjectEntry entry = parts.index().get(key);
      if (entry == null) {
        throw notFound(key);
      }
      Path dir = parts.layout().objectDir(key);
      List<FileChannel> patches = new ArrayList<>();
      FileChannel base = null;
      try {
        base = openPart(entry, dir, StoreLayout.fileName(entry.base().version(), entry.format().suffix), entry.base());
        for (StoredPart patch : entry.patches()) {
          patches.add(
              Version.of(patch.version()).isAfter(patchesAbove)
                  ? openPart(entry, dir, StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX), patch)
                  : null);
        }
        snapshot = new ObjectSnapshot(entry, base, patches);
      } catch (IOException | RuntimeException e) {
        closeQuietly(base);
        patches.forEach(SnapshotOpener::closeQuietly);
        throw e;
      }
    } finally {
      lock.unlock();
    }
    parts.policy().read(key.toString());
    return snapshot;
  }

  /** Opens one stored file, checked against its entry: there, readable, and not cut short. */
  private static FileChannel openPart(ObjectEntry entry, Path dir, String name, StoredPart part) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw new DamagedObjectException(entry, name + " is " + (e instanceof NoSuchFileException ? "missing" : "unreadable"), e);
    }
    long sizeBytes;
    try {
      sizeBytes = channel.size();
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
    if (sizeBytes < part.sizeBytes()) {
      closeQuietly(channel);
      throw new DamagedObjectException(
          entry, name + " holds " + sizeBytes + " bytes where the index records " + part.sizeBytes(), null);
    }
    return channel;
  }

  private static ObjectNotFoundException notFound(ObjectKey key) {
    return new ObjectNotFoundException("object " + key + " not found");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a read-only channel; nothing to recover
      }
    }
  }
}
