/**
 * Objects on local disk: the commit protocol (temp file, fsync, atomic rename), the in-memory
 * index of what is stored, per-key locking, the version rules, and recovery at start.
 */
package dev.flightcache.server.store;
