package dev.flightcache.server.quota;

/**
 * One app's usage at one moment, with the limit in force, for stats and metrics.
 *
 * @param storedBytes disk the app's committed objects take, as the budget counts it
 * @param storedObjects objects the app stores
 * @param reservedBytes bytes its writes in progress hold beyond what they replace
 * @param reservedObjects new objects its writes in progress hold
 */
public record AppQuotaUsage(
    String app, long storedBytes, long storedObjects, long reservedBytes, long reservedObjects, AppLimit limit) {}
