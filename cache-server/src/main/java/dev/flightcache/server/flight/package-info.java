/**
 * The Flight boundary: decode each call, call the store, encode the answer. No storage logic
 * lives here, and {@link dev.flightcache.server.flight.CallErrors} is the one place that turns
 * failures into Flight status codes.
 */
package dev.flightcache.server.flight;
