package dev.flightcache.server.eviction;

/** Why an object was evicted; a label of the eviction counters. */
public enum EvictionReason {
  /** The budget needed room. */
  SIZE,
  /** Not read or written for the idle time-to-live. */
  IDLE
}
