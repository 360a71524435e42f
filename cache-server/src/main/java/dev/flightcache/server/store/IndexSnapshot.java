package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * A snapshot file of the whole index and of the {@link RemovedVersions}. Big-endian, format 2:
 *
 * <pre>
 * header  int magic "FCIS", int format version (2), long generation,
 *         long highest removed version (tombstones and buckets; read even from a damaged file)
 * body    records in the {@link JournalCodec} form: per object a put of its base, then a patch
 *         record per patch;
 *         then the removed versions: int magic "FCRV", int count of bucket floors that are not 0,
 *         per such bucket int bucket and long floor, int count of tombstones, per tombstone
 *         (oldest first) the key's fingerprint as two longs and long version
 * footer  int magic "FCIE", long record count, long bytes of the removed versions,
 *         int CRC32C of the body
 * </pre>
 *
 * Format 1, written before tombstones, is still read: a 16-byte header without the highest
 * removed version, no removed versions in the body, and a 16-byte footer without their length.
 *
 * It is written to {@code <name>.tmp}, forced, and renamed into place, so only a complete file
 * ever carries the final name; the footer still catches one damaged or cut short later.
 * Stateless; each method uses the caller's buffer, which must hold far more than one record.
 */
final class IndexSnapshot {
  private static final int MAGIC = 0x46434953;
  private static final int FOOTER_MAGIC = 0x46434945;
  private static final int REMOVED_MAGIC = 0x46435256;
  private static final int FORMAT_VERSION = 2;
  private static final int V1 = 1;
  private static final int V1_HEADER_BYTES = 16;
  private static final int V1_FOOTER_BYTES = 16;
  private static final int HEADER_BYTES = 24;
  private static final int FOOTER_BYTES = 24;
  /** Where the header holds the highest removed version: after magic, format and generation. */
  private static final int HIGHEST_REMOVED_AT = 16;

  private IndexSnapshot() {}

  /** A snapshot file that cannot be used; the message says why. */
  static final class CorruptSnapshotException extends Exception {
    CorruptSnapshotException(String message) {
      super(message, null, false, false);
    }
  }

  /** What a snapshot holds: the index, keyed as the store's, and the removed versions. */
  record Contents(ConcurrentSkipListMap<String, ObjectEntry> index, RemovedVersions.Frozen removed) {}

  /**
   * Writes {@code entries} and then {@code removed} as the snapshot {@code file}, durably,
   * replacing nothing: the name is new. Iterates {@code entries} once, and only then asks for
   * {@code removed}; both may change meanwhile.
   *
   * @return how many objects it holds
   */
  static long write(
      Path file, long generation, Iterable<ObjectEntry> entries, Supplier<RemovedVersions.Frozen> removed, ByteBuffer buffer)
      throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    CRC32C body = new CRC32C();
    long records = 0;
    long objects = 0;
    boolean written = false;
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      // The highest removed version is filled in at the end, once known.
      buffer.clear().putInt(MAGIC).putInt(FORMAT_VERSION).putLong(generation).putLong(0);
      for (ObjectEntry entry : entries) {
        append(new JournalRecord.Put(entry.key(), entry.format(), entry.base()), channel, buffer, body);
        for (StoredPart patch : entry.patches()) {
          append(new JournalRecord.Patch(entry.key(), patch), channel, buffer, body);
        }
        records += 1 + entry.patches().size();
        objects++;
      }
      RemovedVersions.Frozen frozen = removed.get();
      long removedBytes = writeRemoved(frozen, channel, buffer, body);
      if (buffer.remaining() < FOOTER_BYTES) {
        flush(channel, buffer);
      }
      buffer.putInt(FOOTER_MAGIC).putLong(records).putLong(removedBytes).putInt((int) body.getValue());
      flush(channel, buffer);
      ByteBuffer highest = ByteBuffer.allocate(8).putLong(0, frozen.highest());
      while (highest.hasRemaining()) {
        channel.write(highest, HIGHEST_REMOVED_AT + highest.position());
      }
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

  /** Writes the removed versions' section; returns its length. */
  private static long writeRemoved(RemovedVersions.Frozen frozen, FileChannel channel, ByteBuffer buffer, CRC32C body)
      throws IOException {
    long[] buckets = frozen.bucketFloors();
    int raised = 0;
    for (long floor : buckets) {
      raised += floor != 0 ? 1 : 0;
    }
    Section out = new Section(channel, buffer, body);
    out.room(8).putInt(REMOVED_MAGIC).putInt(raised);
    for (int bucket = 0; bucket < buckets.length; bucket++) {
      if (buckets[bucket] != 0) {
        out.room(12).putInt(bucket).putLong(buckets[bucket]);
      }
    }
    out.room(4).putInt(frozen.hashes().length);
    for (int i = 0; i < frozen.hashes().length; i++) {
      out.room(24).putLong(frozen.hashes()[i]).putLong(frozen.checks()[i]).putLong(frozen.versions()[i]);
    }
    out.done();
    return removedBytes(raised, frozen.hashes().length);
  }

  private static long removedBytes(long buckets, long tombstones) {
    return 8 + 12 * buckets + 4 + 24 * tombstones;
  }

  /** Appends to the buffer, summing what it adds into the body's checksum before each flush. */
  private static final class Section {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final CRC32C body;
    private int mark;

    Section(FileChannel channel, ByteBuffer buffer, CRC32C body) {
      this.channel = channel;
      this.buffer = buffer;
      this.body = body;
      this.mark = buffer.position();
    }

    ByteBuffer room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        done();
        flush(channel, buffer);
        mark = 0;
      }
      return buffer;
    }

    void done() {
      body.update(buffer.slice(mark, buffer.position() - mark));
      mark = buffer.position();
    }
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
   * Reads the snapshot {@code file}: the index keyed by {@link
   * dev.flightcache.proto.ObjectKey#toString()}, sorted as the store's is, and the removed
   * versions (none in a format 1 file).
   *
   * @throws CorruptSnapshotException if it is cut short, damaged, or of another generation
   */
  static Contents read(Path file, long generation, ByteBuffer buffer) throws IOException, CorruptSnapshotException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < V1_HEADER_BYTES + V1_FOOTER_BYTES) {
        throw new CorruptSnapshotException("it is " + size + " bytes, shorter than a header and a footer");
      }
      ByteBuffer fixed = ByteBuffer.allocate(FOOTER_BYTES);
      readFully(channel, fixed.limit(V1_HEADER_BYTES), 0);
      int format = fixed.getInt(4);
      if (fixed.getInt(0) != MAGIC || (format != V1 && format != FORMAT_VERSION) || fixed.getLong(8) != generation) {
        throw new CorruptSnapshotException("its header is not that of snapshot format " + FORMAT_VERSION + " generation " + generation);
      }
      int headerBytes = format == V1 ? V1_HEADER_BYTES : HEADER_BYTES;
      int footerBytes = format == V1 ? V1_FOOTER_BYTES : FOOTER_BYTES;
      if (size < headerBytes + footerBytes) {
        throw new CorruptSnapshotException("it is " + size + " bytes, shorter than a header and a footer");
      }
      readFully(channel, fixed.clear().limit(footerBytes), size - footerBytes);
      long expectedRecords = fixed.getLong(4);
      long removedBytes = format == V1 ? 0 : fixed.getLong(12);
      int expectedCrc = fixed.getInt(footerBytes - 4);
      long bodyBytes = size - headerBytes - footerBytes;
      long minRemoved = format == V1 ? 0 : removedBytes(0, 0);
      if (fixed.getInt(0) != FOOTER_MAGIC || removedBytes < minRemoved || removedBytes > bodyBytes) {
        throw new CorruptSnapshotException("it has no footer");
      }
      long recordsEnd = size - footerBytes - removedBytes;
      long maxRecords = (recordsEnd - headerBytes) / (JournalCodec.HEADER_BYTES + JournalCodec.MIN_BODY_BYTES);
      if (expectedRecords < 0 || expectedRecords > maxRecords) {
        throw new CorruptSnapshotException("it has no footer");
      }
      // In key order, as the store iterates its index, so each insert lands next to the last.
      ConcurrentSkipListMap<String, ObjectEntry> index = new ConcurrentSkipListMap<>();
      CRC32C body = new CRC32C();
      RecordReader reader = new RecordReader(channel, headerBytes, recordsEnd, buffer, body);
      long records = 0;
      for (RecordReader.Status status = reader.next(); status != RecordReader.Status.END; status = reader.next()) {
        if (status == RecordReader.Status.BAD) {
          throw new CorruptSnapshotException("at offset " + reader.position() + ": " + reader.problem());
        }
        reader.record().applyTo(index);
        records++;
      }
      RemovedVersions.Frozen removed = format == V1
          ? RemovedVersions.Frozen.empty()
          : readRemoved(new SectionInput(channel, recordsEnd, removedBytes, buffer, body), removedBytes);
      if (records != expectedRecords || (int) body.getValue() != expectedCrc) {
        throw new CorruptSnapshotException("its body does not match its footer");
      }
      return new Contents(index, removed);
    }
  }

  private static RemovedVersions.Frozen readRemoved(SectionInput in, long removedBytes) throws IOException, CorruptSnapshotException {
    in.need(8);
    int magic = in.buffer.getInt();
    int raised = in.buffer.getInt();
    if (magic != REMOVED_MAGIC || raised < 0 || raised > RemovedVersions.BUCKETS || removedBytes(raised, 0) > removedBytes) {
      throw new CorruptSnapshotException("its removed versions have no valid header");
    }
    long[] buckets = new long[RemovedVersions.BUCKETS];
    for (int i = 0; i < raised; i++) {
      in.need(12);
      int bucket = in.buffer.getInt();
      if (bucket < 0 || bucket >= RemovedVersions.BUCKETS) {
        throw new CorruptSnapshotException("a bucket floor names bucket " + bucket);
      }
      buckets[bucket] = in.buffer.getLong();
    }
    in.need(4);
    int count = in.buffer.getInt();
    if (count < 0 || removedBytes(raised, count) != removedBytes) {
      throw new CorruptSnapshotException("its removed versions do not fill their " + removedBytes + " bytes");
    }
    long[] hashes = new long[count];
    long[] checks = new long[count];
    long[] versions = new long[count];
    for (int i = 0; i < count; i++) {
      in.need(24);
      hashes[i] = in.buffer.getLong();
      checks[i] = in.buffer.getLong();
      versions[i] = in.buffer.getLong();
    }
    return new RemovedVersions.Frozen(hashes, checks, versions, buckets);
  }

  /** Reads a region of the file through the buffer, summing every byte into the body's checksum. */
  private static final class SectionInput {
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final CRC32C body;
    private long position;
    private final long end;

    SectionInput(FileChannel channel, long start, long length, ByteBuffer buffer, CRC32C body) {
      this.channel = channel;
      this.position = start;
      this.end = start + length;
      this.buffer = buffer.clear().flip();
      this.body = body;
    }

    /** Makes {@code bytes} readable at the buffer's position. */
    void need(int bytes) throws IOException, CorruptSnapshotException {
      if (buffer.remaining() >= bytes) {
        return;
      }
      buffer.compact();
      int from = buffer.position();
      buffer.limit((int) Math.min(buffer.capacity(), from + (end - position)));
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, position);
        if (read < 0) {
          break;
        }
        position += read;
      }
      body.update(buffer.slice(from, buffer.position() - from));
      buffer.flip();
      if (buffer.remaining() < bytes) {
        throw new CorruptSnapshotException("its removed versions end early");
      }
    }
  }

  /**
   * The highest removed version in the header of a format 2 snapshot, even one whose body is
   * damaged; 0 if the header is not readable.
   */
  static long highestRemoved(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      if (channel.size() < HEADER_BYTES) {
        return 0;
      }
      readFully(channel, header, 0);
      return header.getInt(0) == MAGIC && header.getInt(4) == FORMAT_VERSION ? header.getLong(HIGHEST_REMOVED_AT) : 0;
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
