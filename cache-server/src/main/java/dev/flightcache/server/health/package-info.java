/**
 * Whether the server can serve: readiness (index recovered, storage writable, not draining) for
 * {@code /readyz}, and the standard gRPC health service on the Flight port.
 */
package dev.flightcache.server.health;
