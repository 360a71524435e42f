/**
 * cache-cli: flight-cache from a terminal, on top of the client library (never the server).
 * {@link dev.flightcache.cli.CacheCli} parses, runs one command, and maps failures to exit codes.
 */
package dev.flightcache.cli;
