package dev.flightcache.server.config;

/** A configuration value that cannot be used; the message names the option. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
