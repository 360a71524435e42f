package dev.flightcache.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads the records of one region of a journal or snapshot file in order, through a buffer it
 * refills with positional reads. Stops at the first bad record and says where and why. Not
 * thread-safe; the buffer is the caller's and must hold at least a few records.
 */
final class RecordReader {
  enum Status {
    RECORD,
    END,
    BAD
  }

  private final FileChannel channel;
  private final long end;
  private final ByteBuffer buffer;
  /** Fed the bytes of every good record, or null. */
  private final CRC32C checksum;
  /** The file offset of buffer index 0. */
  private long bufferStart;
  private int next;
  private int filled;
  private long recordStart;
  private JournalRecord record;
  private String problem;

  /** Reads {@code [start, end)} of {@code channel}; {@code checksum}, if not null, sums every good record's bytes. */
  RecordReader(FileChannel channel, long start, long end, ByteBuffer buffer, CRC32C checksum) {
    this.channel = channel;
    this.end = end;
    this.buffer = buffer.clear();
    this.checksum = checksum;
    this.bufferStart = start;
  }

  /** Reads the next record: {@link #record()} after RECORD, {@link #problem()} after BAD. */
  Status next() throws IOException {
    recordStart = bufferStart + next;
    if (recordStart >= end) {
      return Status.END;
    }
    if (!fill(JournalCodec.HEADER_BYTES)) {
      return bad("the file ends inside a record header");
    }
    int length = buffer.getInt(next);
    if (length < JournalCodec.MIN_BODY_BYTES || length > JournalCodec.MAX_BODY_BYTES) {
      return bad("impossible record length " + length);
    }
    int total = JournalCodec.HEADER_BYTES + length;
    if (!fill(total)) {
      return bad("the file ends inside a record");
    }
    if (JournalCodec.crc(buffer, next + JournalCodec.HEADER_BYTES, length) != buffer.getInt(next + 4)) {
      return bad("checksum mismatch");
    }
    try {
      record = JournalCodec.decode(buffer, next + JournalCodec.HEADER_BYTES, length);
    } catch (JournalCodec.MalformedRecordException e) {
      return bad(e.getMessage());
    }
    if (checksum != null) {
      checksum.update(buffer.slice(next, total));
    }
    next += total;
    return Status.RECORD;
  }

  JournalRecord record() {
    return record;
  }

  /** The file offset of the record last read, or of the bad bytes. */
  long position() {
    return recordStart;
  }

  String problem() {
    return problem;
  }

  private Status bad(String why) {
    problem = why;
    return Status.BAD;
  }

  /** Makes {@code needed} bytes from {@link #next} available, unless the region ends first. */
  private boolean fill(int needed) throws IOException {
    if (filled - next >= needed) {
      return true;
    }
    if (bufferStart + next + needed > end) {
      return false;
    }
    buffer.limit(filled).position(next);
    buffer.compact();
    bufferStart += next;
    filled -= next;
    next = 0;
    filled = readFully(channel, buffer, bufferStart, filled, end);
    return filled >= needed;
  }

  /**
   * Fills {@code buffer} from index {@code from} with the file's bytes from {@code fileOffset +
   * from}, until the buffer is full or {@code end} is reached.
   *
   * @return the number of valid bytes in the buffer
   */
  private static int readFully(FileChannel channel, ByteBuffer buffer, long fileOffset, int from, long end) throws IOException {
    int limit = (int) Math.min(buffer.capacity(), end - fileOffset);
    buffer.limit(limit).position(from);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, fileOffset + buffer.position()) < 0) {
        break;
      }
    }
    return buffer.position();
  }

  /**
   * Whether any intact record starts in {@code (from, end)}. Tells a torn tail, after which
   * there is nothing, from damage in the middle of a file, after which valid records follow:
   * probes every byte offset, which costs little because almost every offset fails the length
   * check.
   */
  static boolean anyRecordAfter(FileChannel channel, long from, long end, ByteBuffer buffer) throws IOException {
    long window = from + 1;
    while (window < end) {
      int available = readFully(channel, buffer.clear(), window, 0, end);
      boolean last = window + available >= end;
      // In all but the last window, probe only where a record of any length would fit whole.
      int probes = last ? available : available - JournalCodec.MAX_RECORD_BYTES;
      for (int at = 0; at < probes; at++) {
        if (JournalCodec.tryDecode(buffer, at, available - at) != null) {
          return true;
        }
      }
      if (last) {
        return false;
      }
      window += probes;
    }
    return false;
  }

  /**
   * The highest version of any intact record that starts anywhere in {@code [0, end)}, damaged
   * regions or not, probing every byte offset as {@link #anyRecordAfter} does; 0 if none.
   */
  static long highestVersionAnywhere(FileChannel channel, long end, ByteBuffer buffer) throws IOException {
    long highest = 0;
    long window = 0;
    while (window < end) {
      int available = readFully(channel, buffer.clear(), window, 0, end);
      boolean last = window + available >= end;
      int probes = last ? available : available - JournalCodec.MAX_RECORD_BYTES;
      for (int at = 0; at < probes; at++) {
        JournalRecord record = JournalCodec.tryDecode(buffer, at, available - at);
        if (record != null) {
          highest = RemovedVersions.higher(highest, version(record));
        }
      }
      if (last) {
        return highest;
      }
      window += probes;
    }
    return highest;
  }

  private static long version(JournalRecord record) {
    if (record instanceof JournalRecord.Put put) {
      return put.base().version();
    }
    if (record instanceof JournalRecord.Patch patch) {
      return patch.patch().version();
    }
    return ((JournalRecord.Remove) record).version();
  }
}
