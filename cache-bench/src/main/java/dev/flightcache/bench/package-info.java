/**
 * Benchmark programs: {@link dev.flightcache.bench.Benchmark} drives a running server through
 * the client, and {@link dev.flightcache.bench.BareFlightAnchor} measures a bare Flight do_get
 * for comparison. Run on demand (see docs/benchmarks.md), never as timed tests.
 */
package dev.flightcache.bench;
