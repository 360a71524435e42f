/** Benchmarks of the server's store: eviction hit ratio under a skewed load, and restart time. */
package dev.flightcache.bench.store;
