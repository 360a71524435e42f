package dev.flightcache.client;

/**
 * Counters of the caller-side cache since the client was built.
 *
 * @param hits gets answered at least partly from the cache: not modified, or patch-only
 * @param notModified gets the server answered "not modified" (no payload on the wire)
 * @param misses gets that fetched the whole object
 * @param coalesced gets that waited for another thread's identical call instead of making one
 * @param bytesFetched payload bytes received by gets
 * @param bytesSaved payload bytes served from the cache instead of the wire
 */
public record CacheStats(long hits, long notModified, long misses, long coalesced, long bytesFetched, long bytesSaved) {}
