package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * One consistent version of an object, with its files open. The files stay readable after a
 * concurrent replace or delete unlinks them, so a reader always gets the version it started
 * with, whole. Close it when done. Not thread-safe.
 */
public final class ObjectSnapshot implements AutoCloseable {
  private final ObjectEntry entry;
  private final FileChannel base;
  private final List<FileChannel> patches;

  ObjectSnapshot(ObjectEntry entry, FileChannel base, List<FileChannel> patches) {
    this.entry = entry;
    this.base = base;
    this.patches = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(patches));
  }

  public ObjectEntry entry() {
    return entry;
  }

  /** The base file, positioned nowhere: read it with positional reads. */
  public FileChannel base() {
    return base;
  }

  /**
   * The file of {@code entry().patches().get(index)}, or null if the snapshot was opened without
   * it (a patch at or below the version the reader already had).
   */
  public FileChannel patch(int index) {
    return patches.get(index);
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (FileChannel channel : patches) {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    base.close();
    if (failure != null) {
      throw failure;
    }
  }
}
