/** Server options: their defaults, and one loader from file, environment and flags. */
package dev.flightcache.server.config;
