package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.zip.CRC32C;

/**
 * A snapshot file of the whole index. Big-endian:
 *
 * <pre>
 * header  int magic "FCIS", int format version (1), long generation
 * body    records in the {@link JournalCodec} form: per object a put of its base, then a patch
 *         record per patch
 * footer  int magic "FCIE", long record count, int CRC32C of the body
 * </pre>
 *
 * It is written to {@code <name>.tmp}, forced, and renamed into place, so only a complete file
 * ever carries the final name; the footer still catches one damaged or cut short later.
 * Stateless; each method uses the caller's buffer, which must hold far more than one record.
 */
final class IndexSnapshot {
  private static final int MAGIC = 0x46434953;
  private static final int FOOTER_MAGIC = 0x46434945;
  private static final int FORMAT_VERSION = 1;
  private static final int HEADER_BYTES = 16;
  private static final int FOOTER_BYTES = 16;

  private IndexSnapshot() {}

  /** A snapshot file that cannot be used; the message says why. */
  static final class CorruptSnapshotException extends Exception {
    CorruptSnapshotException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Writes {@code entries} as the snapshot {@code file}, durably, replacing nothing: the name is
   * new. Iterates {@code entries} once; it may change meanwhile.
   *
   * @return how many objects it holds
   */
  static long write(Path file, long generation, Iterable<ObjectEntry> entries, ByteBuffer buffer) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    CRC32C body = new CRC32C();
    long records = 0;
    long objects = 0;
    boolean written = false;
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      buffer.clear().putInt(MAGIC).putInt(FORMAT_VERSION).putLong(generation);
      for (ObjectEntry entry : entries) {
        append(new JournalRecord.Put(entry.key(), entry.format(), entry.base()), channel, buffer, body);
        for (StoredPart patch : entry.patches()) {
          append(new JournalRecord.Patch(entry.key(), patch), channel, buffer, body);
        }
        records += 1 + entry.patches().size();
        objects++;
      }
      if (buffer.remaining() < FOOTER_BYTES) {
        flush(channel, buffer);
      }
      buffer.putInt(FOOTER_MAGIC).putLong(records).putInt((int) body.getValue());
      flush(channel, buffer);
      channel.force(true);
      written = true;
    } finally {
      if (!written) {
        Files.deleteIfExists(temp);
      }
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    StoreLayout.fsyncDirectory(file.getParent());
    return objects;
  }

  private static void append(JournalRecord record, FileChannel channel, ByteBuffer buffer, CRC32C body) throws IOException {
    if (buffer.remaining() < JournalCodec.MAX_RECORD_BYTES) {
      flush(channel, buffer);
    }
    int start = buffer.position();
    JournalCodec.encode(record, buffer);
    body.update(buffer.slice(start, buffer.position() - start));
  }

  private static void flush(FileChannel channel, ByteBuffer buffer) throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  /**
   * Reads the snapshot {@code file} into a new index keyed by {@link
   * dev.flightcache.proto.ObjectKey#toString()}, sorted as the store's is.
   *
   * @throws CorruptSnapshotException if it is cut short, damaged, or of another generation
   */
  static ConcurrentSkipListMap<String, ObjectEntry> read(Path file, long generation, ByteBuffer buffer) throws IOException, CorruptSnapshotException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES + FOOTER_BYTES) {
        throw new CorruptSnapshotException("it is " + size + " bytes, shorter than a header and a footer");
      }
      ByteBuffer fixed = ByteBuffer.allocate(16);
      readFully(channel, fixed, 0);
      if (fixed.getInt(0) != MAGIC || fixed.getInt(4) != FORMAT_VERSION || fixed.getLong(8) != generation) {
        throw new CorruptSnapshotException("its header is not that of snapshot format " + FORMAT_VERSION + " generation " + generation);
      }
      readFully(channel, fixed.clear(), size - FOOTER_BYTES);
      long expectedRecords = fixed.getLong(4);
      long maxRecords = (size - HEADER_BYTES - FOOTER_BYTES) / (JournalCodec.HEADER_BYTES + JournalCodec.MIN_BODY_BYTES);
      if (fixed.getInt(0) != FOOTER_MAGIC || expectedRecords < 0 || expectedRecords > maxRecords) {
        throw new CorruptSnapshotException("it has no footer");
      }
      // In key order, as the store iterates its index, so each insert lands next to the last.
      ConcurrentSkipListMap<String, ObjectEntry> index = new ConcurrentSkipListMap<>();
      CRC32C body = new CRC32C();
      RecordReader reader = new RecordReader(channel, HEADER_BYTES, size - FOOTER_BYTES, buffer, body);
      long records = 0;
      for (RecordReader.Status status = reader.next(); status != RecordReader.Status.END; status = reader.next()) {
        if (status == RecordReader.Status.BAD) {
          throw new CorruptSnapshotException("at offset " + reader.position() + ": " + reader.problem());
        }
        reader.record().applyTo(index);
        records++;
      }
      if (records != expectedRecords || (int) body.getValue() != fixed.getInt(12)) {
        throw new CorruptSnapshotException("its body does not match its footer");
      }
      return index;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer target, long offset) throws IOException {
    while (target.hasRemaining()) {
      if (channel.read(target, offset + target.position()) < 0) {
        throw new java.io.EOFException("snapshot ended early");
      }
    }
  }
}
