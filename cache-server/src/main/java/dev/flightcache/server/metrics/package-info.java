/**
 * What Prometheus scrapes: the meters of calls, bytes, the store, per-app usage and the JVM, in
 * one registry the server builds by hand (never a static one), and the HTTP port that serves
 * them with {@code /healthz} and {@code /readyz} beside them.
 */
package dev.flightcache.server.metrics;
