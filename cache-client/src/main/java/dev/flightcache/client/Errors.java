package dev.flightcache.client;

/**
 * Turns failed calls into the client's exceptions; the one place that knows the mapping. The
 * message is the call and the server's description, which never holds the caller's token: the
 * token travels only in a header, and neither Flight nor the server puts headers in statuses.
 */
final class Errors {
  private Errors() {}

  /** @param what the call, as a user would name it ("get app/s/o") */
  static CacheException translate(WireFailure failure, String what) {
    String description = failure.description();
    String message = what + ": " + (description.isEmpty() ? failure.codeName() : description);
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    String coded = message + " (" + failure.codeName() + ")";
    return switch (failure.code()) {
      case NOT_FOUND -> new ObjectNotFoundException(message, cause);
      case INVALID_ARGUMENT -> new InvalidRequestException(message, cause);
      case UNAUTHENTICATED -> new UnauthenticatedException(coded, cause);
      case UNAUTHORIZED -> new PermissionDeniedException(coded, cause);
      case UNAVAILABLE, TIMED_OUT -> new CacheUnavailableException(coded, cause);
      case OTHER -> new CacheServerException(coded, cause);
    };
  }

  /** Whether a failed read or delete may be sent again. */
  static boolean retryable(WireFailure failure) {
    return failure.code() == WireFailure.Code.UNAVAILABLE;
  }
}
