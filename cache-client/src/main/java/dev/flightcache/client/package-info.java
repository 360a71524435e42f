/** The Java client of flight-cache: the public API that Java jobs call. */
package dev.flightcache.client;
