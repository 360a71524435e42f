package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The legacy version floor, kept on disk in {@code version-floor}: every key the index does not
 * hold starts above it (see {@link RemovedVersions}). Servers before tombstones raised it at
 * every delete, so on a store they wrote it covers every version they removed. This server
 * writes it only at start, when recovery loses the history of removed keys, so a delete never
 * needs a new file. A fresh store has none: floor 0. Thread-safe.
 */
final class VersionFloor {
  private final Path file;
  private long value;

  private VersionFloor(Path file, long value) {
    this.file = file;
    this.value = value;
  }

  /**
   * Reads the floor, 0 if the file does not exist.
   *
   * @throws IOException if it cannot be read
   * @throws NumberFormatException if its content is not a version
   */
  static VersionFloor load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new VersionFloor(file, 0);
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    return new VersionFloor(file, Long.parseUnsignedLong(text));
  }

  synchronized long get() {
    return value;
  }

  /** Raises the floor to {@code version} and makes it durable before returning. */
  synchronized void raise(long version) throws IOException {
    if (Long.compareUnsigned(version, value) <= 0) {
      return;
    }
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(java.nio.ByteBuffer.wrap((Long.toUnsignedString(version) + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    StoreLayout.fsyncDirectory(file.getParent());
    value = version;
  }
}
