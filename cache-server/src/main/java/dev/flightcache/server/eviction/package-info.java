/**
 * The byte budget: what the stored objects take on disk, space reserved by writes in progress,
 * the free-space floor, and the policy (Caffeine's W-TinyLFU) that picks what to evict.
 */
package dev.flightcache.server.eviction;
