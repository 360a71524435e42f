/** The server's entry point and the one place that wires its parts together. */
package dev.flightcache.server;
