package dev.flightcache.server.store;

import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionPolicy;
import dev.flightcache.server.quota.AppQuotas;

/**
 * What the store's collaborators share, wired once by {@link FileObjectStore}: the files, the index
 * and its journal, and the accounting every change keeps in step with them.
 */
record StoreParts(
    StoreLayout layout,
    ObjectIndex index,
    ObjectFiles files,
    IndexJournal journal,
    JournalLifecycle lifecycle,
    RemovedVersions removed,
    DiskBudget budget,
    AppQuotas quotas,
    EvictionPolicy policy) {}
