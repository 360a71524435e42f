package dev.flightcache.cli;

/** cache-cli's exit status; {@code cache-cli help} and docs/operations.md show the same table. */
enum ExitCode {
  /** The command did what it was asked. */
  OK(0),
  /** The command line is wrong: unknown command or flag, a missing argument, a bad endpoint. */
  USAGE(1),
  /** The key holds no object. */
  NOT_FOUND(2),
  /** The server refused the request (INVALID_ARGUMENT), or a key or path breaks the key rules. */
  REFUSED(3),
  /** The server could not be reached, or missed the deadline. */
  UNREACHABLE(4),
  /** The server failed the call, or reports that it is not serving. */
  SERVER_ERROR(5),
  /** A local file could not be read or written. */
  LOCAL_IO(6),
  /** The server did not accept the credentials (UNAUTHENTICATED): no token, unknown, expired or tampered. */
  UNAUTHENTICATED(7),
  /** The credentials are valid but do not allow this (UNAUTHORIZED). */
  UNAUTHORIZED(8);

  final int code;

  ExitCode(int code) {
    this.code = code;
  }
}
