package dev.flightcache.client;

/**
 * A call that failed on the wire, with the status the server or the transport gave it. {@link
 * Errors} turns it into the client's own exceptions; its cause is the transport's exception.
 */
final class WireFailure extends RuntimeException {
  /** The statuses the client tells apart; the rest are {@link #OTHER}. */
  enum Code {
    NOT_FOUND,
    INVALID_ARGUMENT,
    UNAUTHENTICATED,
    UNAUTHORIZED,
    UNAVAILABLE,
    TIMED_OUT,
    OTHER
  }

  private final Code code;
  private final String codeName;
  private final String description;

  /**
   * @param codeName the transport's name of the status, as people read it ("INTERNAL")
   * @param description the server's description, possibly empty; never holds the caller's token
   */
  WireFailure(Code code, String codeName, String description, Throwable cause) {
    super(codeName + ": " + description, cause);
    this.code = code;
    this.codeName = codeName;
    this.description = description == null ? "" : description;
  }

  Code code() {
    return code;
  }

  String codeName() {
    return codeName;
  }

  String description() {
    return description;
  }
}
