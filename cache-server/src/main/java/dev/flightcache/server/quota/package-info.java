/**
 * Per-app quotas: the limits file and its reloading, and the accounting of bytes and objects each
 * app stores, counted as the disk budget counts them, that every write is checked against.
 */
package dev.flightcache.server.quota;
