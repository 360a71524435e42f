package dev.flightcache.server.store;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Version;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionPolicy;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.quota.AppQuotas;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.LongSupplier;

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
 *
 * <p>The work is shared among package-private collaborators, one per responsibility: {@link
 * ObjectIndex} (the index and the key locks), {@link CommitProtocol} (writes), {@link
 * SnapshotOpener} (the one read of every get, with {@link DamagedObjects}), {@link Removals} (deletes and evictions), {@link ObjectRepair} (repair
 * after an unclean stop), {@link JournalLifecycle} (the journal from open to clean stop) and
 * {@link ObjectFiles} (file moves and the layout lock). Each follows the lock order above.
 */
public final class FileObjectStore {
  private final StoreLayout layout;
  private final DiskBudget budget;
  private final AppQuotas quotas;
  private final EvictionPolicy policy;
  private final ObjectIndex index;
  private final JournalLifecycle lifecycle;
  private final CommitProtocol commits;
  private final SnapshotOpener reads;
  private final Removals removals;
  private final ObjectRepair repair;

  private FileObjectStore(
      StoreLayout layout, StoreLimits limits, BudgetSettings budgetSettings, LongSupplier usableSpace, Ticker ticker,
      Executor background, IndexJournal journal, Map<String, ObjectEntry> recovered, AppQuotas quotas) {
    this.layout = layout;
    this.quotas = quotas;
    this.index = new ObjectIndex(recovered);
    this.lifecycle = new JournalLifecycle(layout, journal, index);
    this.budget = new DiskBudget(budgetSettings, usableSpace);
    this.policy = new EvictionPolicy(budget, this::evict, ticker, background);
    StoreParts parts = new StoreParts(
        layout, index, new ObjectFiles(layout), journal, lifecycle, journal.removed(), budget, quotas, policy);
    this.commits = new CommitProtocol(parts, limits);
    this.removals = new Removals(parts);
    this.reads = new SnapshotOpener(parts, new DamagedObjects(parts, removals));
    this.repair = new ObjectRepair(parts, removals);
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
    return open(root, limits, budgetSettings, usableSpace, ticker, background, quotas, RemovedVersions.DEFAULT_CAPACITY);
  }

  /**
   * As {@link #open(Path, StoreLimits, BudgetSettings, LongSupplier, Ticker, Executor, AppQuotas)},
   * remembering {@code tombstones} removed keys exactly; for tests of that bound.
   */
  static FileObjectStore open(
      Path root, StoreLimits limits, BudgetSettings budgetSettings, LongSupplier usableSpace, Ticker ticker, Executor background,
      AppQuotas quotas, int tombstones) throws IOException {
    StoreLayout layout = new StoreLayout(root);
    JournalLifecycle.Recovered recovered = JournalLifecycle.recover(layout, tombstones);
    Map<String, ObjectEntry> entries = recovered.entries();
    FileObjectStore store = new FileObjectStore(
        layout, limits, budgetSettings, usableSpace, ticker, background, recovered.journal(),
        entries, quotas);
    long storedBytes = 0;
    for (ObjectEntry entry : entries.values()) {
      long diskBytes = entry.diskBytes(budgetSettings);
      storedBytes += diskBytes;
      quotas.adjustStored(entry.key().app(), diskBytes, 1);
    }
    store.budget.adjustStored(storedBytes);
    store.policy.fill(() -> entries.values().forEach(
        entry -> store.policy.track(entry.key().toString(), entry.version(), entry.diskBytes(budgetSettings))));
    if (recovered.journaled() && !recovered.clean()) {
      store.lifecycle.runInBackground(new Reconciler(store.index, store.repair, recovered.recovery()));
    }
    return store;
  }

  /**
   * Snapshots the index and marks the stop as clean, so the next start trusts the journal
   * without repairing files. Idempotent; the store must not be used afterwards.
   */
  public void close() throws IOException {
    commits.close();
    lifecycle.close();
  }

  /**
   * Starts a write of a whole object; commit it with {@link #commitPut}.
   *
   * @throws dev.flightcache.server.quota.QuotaExceededException if the key holds no object and its
   *     app is at its quota of objects
   */
  public PendingWrite beginPut(ObjectKey key) throws IOException {
    return commits.beginPut(key);
  }

  /** Starts a write of one patch; commit it with {@link #commitPatch}. */
  public PendingWrite beginPatch(ObjectKey key) throws IOException {
    return commits.beginPatch(key);
  }

  /**
   * Makes the written bytes the object's new base at the next version, and drops its patches.
   *
   * @return the entry now stored
   */
  public ObjectEntry commitPut(ObjectKey key, ObjectFormat format, PendingWrite write) throws IOException {
    return commits.commitPut(key, format, write);
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
    return commits.commitPatch(key, write);
  }

  /**
   * The answer to a get of {@code key} by a caller holding {@code held} ({@link Version#NONE} for
   * nothing), by flame's decision table, with the files it sends open: the one read every way of
   * getting an object goes through. "Not modified" comes from the index alone. A file found
   * missing, unreadable or shorter than the index records sets the object aside into {@code
   * quarantine/} (logged at ERROR once), and the key is then not found. May wait for the key's
   * lock; see {@link #tryRead} for threads that must not.
   *
   * @throws ObjectNotFoundException if the key holds no object, or held one that was damaged
   */
  public ObjectRead read(ObjectKey key, Version held) throws IOException {
    return reads.read(key, held, true);
  }

  /**
   * Like {@link #read}, or empty without waiting if answering needs the key's lock while a writer
   * holds it (a commit may hold it across a journal sync), or needs to set a damaged object aside.
   * For threads that must not block; call {@link #read} elsewhere when empty.
   */
  public Optional<ObjectRead> tryRead(ObjectKey key, Version held) throws IOException {
    return Optional.ofNullable(reads.read(key, held, false));
  }

  /**
   * The current version of an object with its files open, the patches above {@code patchesAbove}
   * only (0 for all); for tests and tools. Gets go through {@link #read}.
   *
   * @throws ObjectNotFoundException if the key holds no object
   */
  public ObjectSnapshot open(ObjectKey key, long patchesAbove) throws IOException {
    return reads.open(key, Version.of(patchesAbove));
  }

  /** Like {@link #open} if the key's lock is free now, or empty without waiting; for tests. */
  Optional<ObjectSnapshot> tryOpen(ObjectKey key, long patchesAbove) throws IOException {
    return reads.tryOpen(key, Version.of(patchesAbove));
  }

  /** The index entry of a key, if it holds an object. */
  public Optional<ObjectEntry> entry(ObjectKey key) {
    return Optional.ofNullable(index.get(key));
  }

  /** Entries whose key starts with {@code keyPrefix}, in key order; a weakly consistent view. */
  public Iterable<ObjectEntry> list(String keyPrefix) {
    return index.list(keyPrefix);
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
   * and the key's last version is remembered with it, so a later put of a removed key continues
   * above it. Creates no file: it works on a volume out of inodes.
   *
   * @return how many objects were removed
   */
  public int delete(KeyPath path) throws IOException {
    return removals.delete(path);
  }

  /** The policy's {@link EvictionPolicy.Evictor}: see {@link Removals#evict}. */
  private long evict(String key, long version, EvictionReason reason) {
    return removals.evict(key, version, reason);
  }

  /** The lock stripe of {@code key}; package-private for tests. */
  ReadWriteLock lockFor(ObjectKey key) {
    return index.lockFor(key);
  }
}
