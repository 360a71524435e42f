package dev.flightcache.proto;

/** A key, path or ticket that breaks the rules in {@link KeyRules}; the message is safe to send. */
public final class InvalidKeyException extends IllegalArgumentException {
  public InvalidKeyException(String message) {
    super(message);
  }
}
