package dev.flightcache.server.store;

/**
 * One immutable file of an object: its base or one patch.
 *
 * @param version the version at which it was written
 * @param sizeBytes its length on disk
 */
public record StoredPart(long version, long sizeBytes) {}
