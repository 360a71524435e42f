package dev.flightcache.server.store;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Lock;

/**
 * The store's writes: a {@link PendingWrite} into a temp file, then a commit by an atomic rename
 * under the key's write lock, logged to the journal before anything it replaces is deleted.
 *
 * <p>Lock order: the policy (Caffeine) may take a key lock while evicting, so this never calls the
 * policy while it holds a key lock. Thread-safe.
 */
final class CommitProtocol {
  private final StoreParts parts;
  private final StoreLimits limits;
  /** Syncs large writes ahead of their commit (PendingWrite.SYNC_AHEAD_BYTES), off the uploads' threads. */
  private final ExecutorService syncer = Executors.newFixedThreadPool(2, r -> {
    Thread thread = new Thread(r, "flight-cache-sync");
    thread.setDaemon(true);
    return thread;
  });

  CommitProtocol(StoreParts parts, StoreLimits limits) {
    this.parts = parts;
    this.limits = limits;
  }

  /** See {@link FileObjectStore#beginPut}. */
  PendingWrite beginPut(ObjectKey key) throws IOException {
    long largest = Math.min(limits.maxObjectBytes(), parts.budget().largestObjectBytes());
    ObjectEntry current = parts.index().get(key);
    QuotaCharge quota = current == null
        ? QuotaCharge.open(parts.quotas(), key.app(), 0, 1)
        : QuotaCharge.open(parts.quotas(), key.app(), current.diskBytes(parts.budget().settings()), 0);
    return new PendingWrite(
        parts.layout().newTempPath("put"),
        largest,
        "object " + key + " is larger than the limit of " + largest + " bytes",
        parts.budget(),
        parts.budget().settings().blockBytes(),
        quota,
        syncer);
  }

  /**
   * See {@link FileObjectStore#beginPatch}. The patch may be no larger than leaves the object, as
   * it is now, within {@code max-object-bytes} and under the hard limit: a patch that could never
   * be committed is refused as its bytes pass that size, before it makes the budget evict.
   */
  PendingWrite beginPatch(ObjectKey key) throws IOException {
    long largest = Math.min(limits.maxPatchBytes(), parts.budget().largestObjectBytes());
    String limitMessage = "patch of " + key + " is larger than the limit of " + largest + " bytes";
    ObjectEntry current = parts.index().get(key);
    if (current != null) {
      BudgetSettings settings = parts.budget().settings();
      long diskRoom = (settings.hardLimitBytes() - current.diskBytes(settings)) / settings.blockBytes() * settings.blockBytes();
      long room = Math.max(0, Math.min(limits.maxObjectBytes() - current.sizeBytes(), diskRoom));
      if (room < largest) {
        largest = room;
        limitMessage = "object " + key + " would grow past the limit of " + (current.sizeBytes() + room) + " bytes";
      }
    }
    return new PendingWrite(
        parts.layout().newTempPath("patch"),
        largest,
        limitMessage,
        parts.budget(),
        0,
        QuotaCharge.open(parts.quotas(), key.app(), 0, 0),
        syncer);
  }

  /** See {@link FileObjectStore#commitPut}. */
  ObjectEntry commitPut(ObjectKey key, ObjectFormat format, PendingWrite write) throws IOException {
    return commit(key, write, (temp, previous) -> {
      // A key not held continues its own history: 1 if it has none, else its last version + 1.
      long version = (previous != null ? previous.version() : parts.removed().lastVersion(key)) + 1;
      // The quota is settled against the object as it is now: a refusal leaves nothing behind.
      write.settleQuota(
          write.diskBytes() - (previous == null ? 0 : previous.diskBytes(parts.budget().settings())), previous == null ? 1 : 0);
      Path dir = parts.layout().objectDir(key);
      parts.files().moveIntoPlace(temp, dir, StoreLayout.fileName(version, format.suffix));
      write.markCommitted();
      ObjectEntry entry = new ObjectEntry(key, format, new StoredPart(version, write.sizeBytes()), List.of());
      parts.index().put(key, entry);
      // Logged before the replaced files go: after a crash the files always cover the journal.
      parts.journal().recordPut(entry);
      if (previous != null) {
        parts.budget().adjustStored(-previous.diskBytes(parts.budget().settings()));
        parts.files().deleteParts(dir, previous);
      }
      return entry;
    });
  }

  /** See {@link FileObjectStore#commitPatch}. */
  ObjectEntry commitPatch(ObjectKey key, PendingWrite write) throws IOException {
    return commit(key, write, (temp, previous) -> {
      if (previous == null) {
        throw new ObjectNotFoundException("object " + key + " not found for patch");
      }
      if (previous.format() == ObjectFormat.TABLE) {
        throw new InvalidWriteException(
            "object " + key + " is an Arrow table; only byte objects can be patched, replace it instead");
      }
      if (previous.patches().size() >= limits.maxPatches()) {
        throw new LimitExceededException(
            "object " + key + " has reached maximum delta count (" + limits.maxPatches() + ")");
      }
      if (previous.sizeBytes() + write.sizeBytes() > limits.maxObjectBytes()) {
        throw new LimitExceededException(
            "object " + key + " would grow past the limit of " + limits.maxObjectBytes() + " bytes");
      }
      write.settleQuota(write.diskBytes(), 0);
      long version = previous.version() + 1;
      parts.files().moveIntoPlace(temp, parts.layout().objectDir(key), StoreLayout.fileName(version, StoreLayout.PATCH_SUFFIX));
      write.markCommitted();
      StoredPart patch = new StoredPart(version, write.sizeBytes());
      ObjectEntry entry = previous.withPatch(patch);
      parts.index().put(key, entry);
      parts.journal().recordPatch(key, patch);
      return entry;
    });
  }

  /** One commit's change to the files and the index, given the sealed temp file and the entry now. */
  private interface Change {
    ObjectEntry apply(Path temp, ObjectEntry previous) throws IOException;
  }

  /**
   * Applies {@code change} under the key's write lock, then, once the lock is released, tells the
   * policy of the new entry (see the lock order above) and compacts the journal if it is due.
   */
  private ObjectEntry commit(ObjectKey key, PendingWrite write, Change change) throws IOException {
    Path temp = write.seal();
    ObjectEntry entry;
    Lock lock = parts.index().lockFor(key).writeLock();
    lock.lock();
    try {
      entry = change.apply(temp, parts.index().get(key));
    } finally {
      lock.unlock();
    }
    parts.policy().written(key.toString(), entry.version(), entry.diskBytes(parts.budget().settings()));
    parts.lifecycle().compactIfNeeded();
    return entry;
  }

  /** Stops taking new syncs ahead; those already started finish. */
  void close() {
    syncer.shutdown();
  }
}
