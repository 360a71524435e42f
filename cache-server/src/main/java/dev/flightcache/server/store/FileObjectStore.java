package dev.flightcache.server.store;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionPolicy;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.quota.AppQuotas;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Objects in files under one directory, with the index of them in memory.
 *
 * <p>Every write streams into a temp file, is synced, and is committed by an atomic rename under
 * the key's write lock, so a crash leaves the previous state or the new one. A reader opens its
 * files under the key's read lock and reads them after releasing it. Writes to one key are
 * serialized; different keys proceed in parallel. Every write reserves its disk space in the
 * {@link DiskBudget} first, and the {@link EvictionPolicy} evicts to keep the budget. Every write is
 * also charged to its app's quota in {@link AppQuotas}, counted the same way, and a write over
 * quota is refused before it commits anything.
 *
 * <p>Lock order: the policy (Caffeine) may take a key lock while evicting, so the store never
 * calls the policy while it holds a key lock. Thread-safe.
 */
public final class FileObjectStore {
  private static final Logger logger = LoggerFactory.getLogger(FileObjectStore.class);
  private static final int LOCK_STRIPES = 4096;
  /** Journal bytes after which the index is snapshotted again. */
  private static final long COMPACT_AFTER_BYTES = 64L << 20;

  private final StoreLayout layout;
  private final StoreLimits limits;
  private final DiskBudget budget;
  private final AppQuotas quotas;
  private final EvictionPolicy policy;
  private final VersionFloor floor;
  private final IndexJournal journal;
  /** Compacts the journal and repairs files after an unclean stop, off the callers' threads. */
  private final java.util.concurrent.ExecutorService maintenance = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "flight-cache-index");
    thread.setDaemon(true);
    return thread;
  });
  /** Syncs large writes ahead of their commit (PendingWrite.SYNC_AHEAD_BYTES), off the uploads' threads. */
  private final java.util.concurrent.ExecutorService syncer = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
    Thread thread = new Thread(r, "flight-cache-sync");
    thread.setDaemon(true);
    return thread;
  });
  private final java.util.concurrent.atomic.AtomicBoolean compacting = new java.util.concurrent.atomic.AtomicBoolean();
  private final ConcurrentSkipListMap<String, ObjectEntry> index;
  private final ReadWriteLock[] keyLocks = new ReadWriteLock[LOCK_STRIPES];
  /** Held shared while creating object directories, exclusively while pruning empty ones. */
  private final ReadWriteLock layoutLock = new ReentrantReadWriteLock();

  private FileObjectStore(
      StoreLayout layout, StoreLimits limits, BudgetSettings budgetSettings, LongSupplier usableSpace, Ticker ticker,
      Executor background, VersionFloor floor, IndexJournal journal, Map<String, ObjectEntry> recovered, AppQuotas quotas) {
    this.layout = layout;
    this.quotas = quotas;
    this.limits = limits;
    this.floor = floor;
    this.journal = journal;
    this.index = recovered instanceof ConcurrentSkipListMap<String, ObjectEntry> adopted
        ? adopted : new ConcurrentSkipListMap<>(recovered);
    for (int i = 0; i < LOCK_STRIPES; i++) {
      keyLocks[i] = new ReentrantReadWriteLock();
    }
    this.budget = new DiskBudget(budgetSettings, usableSpace);
    this.policy = new EvictionPolicy(budget, this::evict, ticker, background);
  }

  /**
   * Opens the store in {@code root}, creating it if needed, and recovers the index from the files.
   * Files that cannot be used are moved to {@code quarantine/} and logged at ERROR; they never
   * stop the store from opening. If the recovered objects exceed the budget, eviction starts.
   *
   * @param usableSpace free bytes on the storage volume now
   * @param ticker the clock of the idle time-to-live
   * @param background runs eviction and expiry off the callers' threads
   */
  public static FileObjectStore open(
      Path root, StoreLimits limits, BudgetSettings budgetSettings, LongSupplier usableSpace, Ticker ticker, Executor background)
      throws IOException {
    return open(root, limits, budgetSettings, usableSpace, ticker, background, new AppQuotas());
  }

  /**
   * As {@link #open(Path, StoreLimits, BudgetSettings, LongSupplier, Ticker, Executor)}, charging
   * writes to the apps' quotas in {@code quotas}, whose usage it fills from the recovered objects.
   *
   * @param quotas holds no usage yet; its limits may change at any time
   */
  public static FileObjectStore open(
      Path root, StoreLimits limits, BudgetSettings budgetSettings, LongSupplier usableSpace, Ticker ticker, Executor background,
      AppQuotas quotas) throws IOException {
    long started = System.nanoTime();
    StoreLayout layout = new StoreLayout(root);
    Recovery recovery = new Recovery(layout);
    recovery.prepare();
    boolean clean = Files.deleteIfExists(layout.cleanMarker);
    IndexJournal journal = IndexJournal.open(layout.index);
    Map<String, ObjectEntry> entries;
    boolean journaled;
    try {
      java.util.Optional<Map<String, ObjectEntry>> loaded = journal.load();
      journaled = loaded.isPresent();
      if (journaled) {
        entries = loaded.get();
        recovery.finish(entries.values());
        logger.info("Recovered {} objects from the index journal in {} ms ({} stop)",
            entries.size(), (System.nanoTime() - started) / 1_000_000, clean ? "after a clean" : "after an unclean");
      } else {
        entries = recovery.scan();
        journal.compact(entries.values());
      }
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
    FileObjectStore store = new FileObjectStore(
        layout, limits, budgetSettings, usableSpace, ticker, background, recovery.floor(), journal, entries, quotas);
    long storedBytes = 0;
    for (ObjectEntry entry : entries.values()) {
      long diskBytes = entry.diskBytes(budgetSettings);
      storedBytes += diskBytes;
      quotas.adjustStored(entry.key().app(), diskBytes, 1);
    }
    store.budget.adjustStored(storedBytes);
    store.policy.fill(() -> entries.values().forEach(
        entry -> store.policy.track(entry.key().toString(), entry.version(), entry.diskBytes(budgetSettings))));
    if (journaled && !clean) {
      store.maintenance.execute(() -> new Reconciler(store, recovery).run());
    }
    return store;
  }

  /**
   * Snapshots the index and marks the stop as clean, so the next start trusts the journal
   * without repairing files. Idempotent; the store must not be used afterwards.
   */
  public void close() throws IOException {
    syncer.shutdown();
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
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

  /** Snapshots the index and starts a new journal. */
  void compact() throws IOException {
    journal.compact(() -> {
      // Every change logged before the journal switch is also applied to the index once its key
      // lock is released: pass through every lock, then read the index.
      for (ReadWriteLock stripe : keyLocks) {
        stripe.writeLock().lock();
        stripe.writeLock().unlock();
      }
      return index.values().iterator();
    });
  }

  private void compactIfNeeded() {
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

  /**
   * Starts a write of a whole object; commit it with {@link #commitPut}.
   *
   * @throws dev.flightcache.server.quota.QuotaExceededException if the key holds no object and its
   *     app is at its quota of objects
   */
  public PendingWrite beginPut(ObjectKey key) throws IOException {
    long largest = Math.min(limits.maxObjectBytes(), budget.largestObjectBytes());
    ObjectEntry current = index.get(key.toString());
    QuotaCharge quota = current == null
        ? QuotaCharge.open(quotas, key.app(), 0, 1)
        : QuotaCharge.open(quotas, key.app(), current.diskBytes(budget.settings()), 0);
    return new PendingWrite(
        layout.newTempPath("put"),
        largest,
        "object " + key + " is larger than the limit of " + largest + " bytes",
        budget,
        budget.settings().blockBytes(),
        quota,
        syncer);
  }

  /** Starts a write of one patch; commit it with {@link #commitPatch}. */
  public PendingWrite beginPatch(ObjectKey key) throws IOException {
    long largest = Math.min(limits.maxPatchBytes(), budget.largestObjectBytes());
    return new PendingWrite(
        layout.newTempPath("patch"),
        largest,
        "patch of " + key + " is larger than the limit of " + largest + " bytes",
        budget,
        0,
        QuotaCharge.open(quotas, key.app(), 0, 0),
        syncer);
  }

  /**
   * Makes the written bytes the object's new base at the next version, and drops its patches.
   *
   * @return the entry now stored
   */
  public ObjectEntry commitPut(ObjectKey key, ObjectFormat format, PendingWrite write) throws IOException {
    Path temp = write.seal();
    ObjectEntry entry;
    Lock lock = lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry previous = index.get(key.toString());
      long version = (previous != null ? previous.version() : floor.get()) + 1;
      // The quota is settled against the object as it is now: a refusal leaves nothing behind.
      write.settleQuota(
          write.diskBytes() - (previous == null ? 0 : previous.diskBytes(budget.settings())), previous == null ? 1 : 0);
      Path dir = layout.objectDir(key);
      moveIntoPlace(temp, dir, StoreLayout.fileName(version, format.suffix));
      write.markCommitted();
      entry = new ObjectEntry(key, format, new StoredPart(version, write.sizeBytes()), List.of());
      index.put(key.toString(), entry);
      // Logged before the replaced files go: after a crash the files always cover the journal.
      journal.recordPut(entry);
      if (previous != null) {
        budget.adjustStored(-previous.diskBytes(budget.settings()));
        deleteParts(dir, previous);
      }
    } finally {
      lock.unlock();
    }
    policy.written(key.toString(), entry.version(), entry.diskBytes(budget.settings()));
    compactIfNeeded();
    return entry;
  }

  /**
   * Appends the written bytes as a patch at the next version.
   *
   * @throws ObjectNotFoundException if the key holds no object
   * @throws InvalidWriteException if the object is a native table
   * @throws LimitExceededException if the object has the most patches allowed, or would grow past
   *     the object size limit
   */
  public ObjectEntry commitPatch(ObjectKey key, PendingWrite write) throws IOException {
    Path temp = write.seal();
    ObjectEntry entry;
    Lock lock = lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry previous = index.get(key.toString());
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
      moveIntoPlace(temp, layout.objectDir(key), StoreLayout.fileName(version, StoreLayout.PATCH_SUFFIX));
      write.markCommitted();
      StoredPart patch = new StoredPart(version, write.sizeBytes());
      entry = previous.withPatch(patch);
      index.put(key.toString(), entry);
      journal.recordPatch(key, patch);
    } finally {
      lock.unlock();
    }
    policy.written(key.toString(), entry.version(), entry.diskBytes(budget.settings()));
    compactIfNeeded();
    return entry;
  }

  /**
   * Opens the current version of an object for reading.
   *
   * @param patchesAbove open only the patches with a version above this (0 for all)
   * @throws ObjectNotFoundException if the key holds no object
   */
  public ObjectSnapshot open(ObjectKey key, long patchesAbove) throws IOException {
    Lock lock = lockFor(key).readLock();
    lock.lock();
    return openLocked(key, patchesAbove, lock);
  }

  /**
   * Like {@link #open} if the key's lock is free now, or empty without waiting if a writer holds
   * it (a commit may hold it across a journal sync). For threads that must not block.
   */
  public Optional<ObjectSnapshot> tryOpen(ObjectKey key, long patchesAbove) throws IOException {
    Lock lock = lockFor(key).readLock();
    return lock.tryLock() ? Optional.of(openLocked(key, patchesAbove, lock)) : Optional.empty();
  }

  /** Opens the files of {@code key} under {@code lock}, which it releases. */
  private ObjectSnapshot openLocked(ObjectKey key, long patchesAbove, Lock lock) throws IOException {
    ObjectSnapshot snapshot;
    try {
      ObjectEntry entry = index.get(key.toString());
      if (entry == null) {
        throw new ObjectNotFoundException("object " + key + " not found");
      }
      Path dir = layout.objectDir(key);
      List<FileChannel> patches = new ArrayList<>();
      FileChannel base = null;
      try {
        base = FileChannel.open(dir.resolve(StoreLayout.fileName(entry.base().version(), entry.format().suffix)), StandardOpenOption.READ);
        for (StoredPart patch : entry.patches()) {
          patches.add(
              Long.compareUnsigned(patch.version(), patchesAbove) > 0
                  ? FileChannel.open(dir.resolve(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX)), StandardOpenOption.READ)
                  : null);
        }
        snapshot = new ObjectSnapshot(entry, base, patches);
      } catch (IOException | RuntimeException e) {
        closeQuietly(base);
        patches.forEach(FileObjectStore::closeQuietly);
        throw e;
      }
    } finally {
      lock.unlock();
    }
    policy.read(key.toString());
    return snapshot;
  }

  /** The index entry of a key, if it holds an object. */
  public Optional<ObjectEntry> entry(ObjectKey key) {
    return Optional.ofNullable(index.get(key.toString()));
  }

  /** Entries whose key starts with {@code keyPrefix}, in key order; a weakly consistent view. */
  public Iterable<ObjectEntry> list(String keyPrefix) {
    return () ->
        index.tailMap(keyPrefix, true).entrySet().stream()
            .takeWhile(e -> e.getKey().startsWith(keyPrefix))
            .map(Map.Entry::getValue)
            .iterator();
  }

  /** How many objects are stored. */
  public int objectCount() {
    return index.size();
  }

  /** Each app's quota usage and limits, for stats. */
  public AppQuotas quotas() {
    return quotas;
  }

  /** The budget's accounting, for stats. */
  public DiskBudget budget() {
    return budget;
  }

  /** The eviction policy, for stats and its periodic clean-up. */
  public EvictionPolicy policy() {
    return policy;
  }

  /** The directory writes in progress go to; a probe file there shows the storage is writable. */
  public Path tempDir() {
    return layout.tmp;
  }

  /**
   * Removes every object the path matches. Each removal is ordered with the writes of its key,
   * and the version floor is raised first, so a later put of a removed key gets a higher version.
   *
   * @return how many objects were removed
   */
  public int delete(KeyPath path) throws IOException {
    List<ObjectEntry> victims = new ArrayList<>();
    if (path.isFullKey()) {
      entry(path.toKey()).ifPresent(victims::add);
    } else {
      list(path.keyPrefix()).forEach(victims::add);
    }
    long highest = 0;
    for (ObjectEntry victim : victims) {
      highest = Math.max(highest, victim.version());
    }
    floor.raise(highest);
    int removed = 0;
    Set<Path> parents = new LinkedHashSet<>();
    for (ObjectEntry victim : victims) {
      if (remove(victim.key())) {
        removed++;
        parents.add(layout.objectDir(victim.key()).getParent());
      }
    }
    pruneEmpty(parents);
    return removed;
  }

  private boolean remove(ObjectKey key) throws IOException {
    ObjectEntry removed = removeIf(key, current -> true);
    if (removed == null) {
      return false;
    }
    policy.removed(key.toString(), removed.version());
    return true;
  }

  /**
   * Evicts the object if the store still holds {@code version} of it; called by the policy.
   *
   * @return the disk bytes freed, 0 if the object changed or went meanwhile
   */
  private long evict(String key, long version, EvictionReason reason) {
    ObjectKey objectKey = ObjectKey.parse(key);
    try {
      ObjectEntry evicted = removeIf(objectKey, current -> current.version() == version);
      if (evicted == null) {
        return 0;
      }
      logger.debug("Evicted {} v{} ({})", key, version, reason);
      pruneEmpty(Set.of(layout.objectDir(objectKey).getParent()));
      return evicted.diskBytes(budget.settings());
    } catch (IOException e) {
      logger.warn("Could not evict {}: {}", key, e.toString());
      return 0;
    }
  }

  /** Removes the object under its write lock if {@code condition} holds; returns what it removed. */
  private ObjectEntry removeIf(ObjectKey key, java.util.function.Predicate<ObjectEntry> condition) throws IOException {
    Path doomed;
    ObjectEntry current;
    Lock lock = lockFor(key).writeLock();
    lock.lock();
    try {
      current = index.get(key.toString());
      if (current == null || !condition.test(current)) {
        return null;
      }
      floor.raise(current.version());
      // Logged before the files go: a crash in between leaves files the repair pass removes.
      journal.recordRemove(key, current.version());
      doomed = layout.newTempPath("deleted");
      // Shared layout lock: no concurrent prune may remove the session directory meanwhile.
      Lock shared = layoutLock.readLock();
      shared.lock();
      try {
        Files.move(layout.objectDir(key), doomed, StandardCopyOption.ATOMIC_MOVE);
        StoreLayout.fsyncDirectory(layout.objectDir(key).getParent());
      } finally {
        shared.unlock();
      }
      index.remove(key.toString());
      unaccount(current);
    } finally {
      lock.unlock();
    }
    deleteTree(doomed);
    compactIfNeeded();
    return current;
  }

  /**
   * Brings one object directory in line with the index (see {@link Reconciler}).
   *
   * @return whether anything had to change
   */
  boolean repair(ObjectKey key, Path dir) throws IOException {
    ObjectEntry dropped = null;
    boolean changed = false;
    Lock lock = lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry entry = index.get(key.toString());
      if (entry == null) {
        logger.warn("Removing {}: its files were never acknowledged as a write, or were deleted", key);
        Path doomed = layout.newTempPath("deleted");
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
        return true;
      }
      Set<String> wanted = new java.util.HashSet<>();
      wanted.add(StoreLayout.fileName(entry.base().version(), entry.format().suffix));
      for (StoredPart patch : entry.patches()) {
        wanted.add(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX));
      }
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (!wanted.remove(file.getFileName().toString())) {
            logger.warn("Removing {} of {}: the index does not list it", file.getFileName(), key);
            deleteTree(file);
            changed = true;
          }
        }
      }
      if (!wanted.isEmpty()) {
        logger.error("Dropping {} from the index: its files {} are gone", key, wanted);
        dropped = dropEntry(entry);
        deleteTree(dir);
      }
    } finally {
      lock.unlock();
    }
    if (dropped != null) {
      policy.removed(key.toString(), dropped.version());
    }
    return changed || dropped != null;
  }

  /** Drops an indexed object whose directory the repair pass did not find, if it is truly gone. */
  boolean repairMissing(ObjectKey key) throws IOException {
    ObjectEntry dropped = null;
    Lock lock = lockFor(key).writeLock();
    lock.lock();
    try {
      ObjectEntry entry = index.get(key.toString());
      if (entry != null && !Files.exists(layout.objectDir(key).resolve(StoreLayout.fileName(entry.base().version(), entry.format().suffix)))) {
        logger.error("Dropping {} from the index: its directory is gone", key);
        dropped = dropEntry(entry);
        FileObjectStore.deleteTree(layout.objectDir(key));
      }
    } finally {
      lock.unlock();
    }
    if (dropped != null) {
      policy.removed(key.toString(), dropped.version());
    }
    return dropped != null;
  }

  /** Removes an entry whose files cannot be served, as an eviction would; under its lock. */
  private ObjectEntry dropEntry(ObjectEntry entry) throws IOException {
    floor.raise(entry.version());
    journal.recordRemove(entry.key(), entry.version());
    index.remove(entry.key().toString());
    unaccount(entry);
    return entry;
  }

  /** Gives a removed object's disk back to the budget and to its app's quota. */
  private void unaccount(ObjectEntry removed) {
    long diskBytes = removed.diskBytes(budget.settings());
    budget.adjustStored(-diskBytes);
    quotas.adjustStored(removed.key().app(), -diskBytes, -1);
  }

  private void moveIntoPlace(Path temp, Path dir, String name) throws IOException {
    Lock shared = layoutLock.readLock();
    shared.lock();
    try {
      layout.createObjectDirectory(dir);
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      StoreLayout.fsyncDirectory(dir);
    } finally {
      shared.unlock();
    }
  }

  private void deleteParts(Path dir, ObjectEntry stale) {
    try {
      Files.deleteIfExists(dir.resolve(StoreLayout.fileName(stale.base().version(), stale.format().suffix)));
      for (StoredPart patch : stale.patches()) {
        Files.deleteIfExists(dir.resolve(StoreLayout.fileName(patch.version(), StoreLayout.PATCH_SUFFIX)));
      }
    } catch (IOException e) {
      // Harmless to readers: recovery drops files older than the newest base.
      logger.warn("Could not remove replaced files of {}: {}", stale.key(), e.toString());
    }
  }

  /** Removes session and app directories left empty, deepest first. */
  private void pruneEmpty(Set<Path> sessionDirs) {
    Lock exclusive = layoutLock.writeLock();
    exclusive.lock();
    try {
      for (Path session : sessionDirs) {
        for (Path dir = session; !dir.equals(layout.objects); dir = dir.getParent()) {
          try {
            Files.delete(dir);
          } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            break;
          } catch (IOException e) {
            logger.warn("Could not remove empty directory {}: {}", layout.root.relativize(dir), e.toString());
            break;
          }
        }
      }
    } finally {
      exclusive.unlock();
    }
  }

  static void deleteTree(Path path) {
    try (var walk = Files.walk(path)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          logger.warn("Could not delete {}: {}", p, e.toString());
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      logger.warn("Could not delete {}: {}", path, e.toString());
    }
  }

  /** The lock stripe of {@code key}; package-private for tests. */
  ReadWriteLock lockFor(ObjectKey key) {
    return keyLocks[Math.floorMod(key.toString().hashCode() * 0x9E3779B9, LOCK_STRIPES)];
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
