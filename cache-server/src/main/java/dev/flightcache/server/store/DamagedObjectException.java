package dev.flightcache.server.store;

import java.io.IOException;

/** A file of an indexed object is missing, shorter than the index records, or unreadable. */
final class DamagedObjectException extends IOException {
  private final transient ObjectEntry entry;

  DamagedObjectException(ObjectEntry entry, String reason, Throwable cause) {
    super(reason, cause);
    this.entry = entry;
  }

  /** The index entry whose files are damaged. */
  ObjectEntry entry() {
    return entry;
  }
}
