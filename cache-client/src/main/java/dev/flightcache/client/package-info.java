/**
 * The Java client of flight-cache. Its public types are the API that Java jobs call; the
 * package-private rest implements it, every Flight, gRPC and Netty type behind {@code Wire}.
 */
package dev.flightcache.client;
