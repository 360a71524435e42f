package dev.flightcache.bench;

/** A command line that cannot be run; the message names the option and what is wrong. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
