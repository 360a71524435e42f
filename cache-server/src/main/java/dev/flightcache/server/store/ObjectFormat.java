package dev.flightcache.server.store;

/** How an object's base is stored, which decides how do_get answers it. */
public enum ObjectFormat {
  /** Bytes, answered as {@code version, kind, data} rows. */
  OPAQUE("base"),
  /** A native Arrow table stored as an Arrow IPC stream, answered with its own schema. */
  TABLE("table");

  final String suffix;

  ObjectFormat(String suffix) {
    this.suffix = suffix;
  }
}
