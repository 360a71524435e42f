/** The client's machinery: connections, wire calls, the caller-side cache. Not public API. */
package dev.flightcache.client.internal;
