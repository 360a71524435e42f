package dev.flightcache.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.proto.KeyRules;
import dev.flightcache.proto.ObjectKey;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link JournalRecord}, the same in journal files and in snapshots. All
 * numbers are big-endian (Java's default); a record is
 *
 * <pre>
 * int   length     bytes after the checksum: the type and the payload
 * int   crc32c     CRC32C of those bytes
 * byte  type       1 put, 2 patch, 3 remove
 * short keyLength  unsigned; then the key "app/session/object" in UTF-8
 * put:    byte format (1 opaque, 2 table), long baseVersion, long baseSizeBytes
 * patch:  long version, long sizeBytes
 * remove: long version
 * </pre>
 *
 * Stateless.
 */
final class JournalCodec {
  static final int HEADER_BYTES = 8;
  /** Three components of at most {@link KeyRules#MAX_COMPONENT_BYTES} and two slashes. */
  private static final int MAX_KEY_BYTES = 3 * KeyRules.MAX_COMPONENT_BYTES + 2;
  /** A remove of the shortest key, {@code a/b/c}. */
  static final int MIN_BODY_BYTES = 1 + 2 + 5 + 8;
  /** A put of the longest key. */
  static final int MAX_BODY_BYTES = 1 + 2 + MAX_KEY_BYTES + 1 + 16;
  static final int MAX_RECORD_BYTES = HEADER_BYTES + MAX_BODY_BYTES;

  private static final byte PUT = 1;
  private static final byte PATCH = 2;
  private static final byte REMOVE = 3;
  private static final byte OPAQUE = 1;
  private static final byte TABLE = 2;

  private JournalCodec() {}

  /** A record whose checksum holds but whose content does not make sense. */
  static final class MalformedRecordException extends Exception {
    MalformedRecordException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Appends the whole record at {@code out}'s position.
   *
   * @throws java.nio.BufferOverflowException if fewer than {@link #MAX_RECORD_BYTES} remain
   */
  static void encode(JournalRecord record, ByteBuffer out) {
    int start = out.position();
    out.position(start + HEADER_BYTES);
    byte[] key = record.key().toString().getBytes(UTF_8);
    if (record instanceof JournalRecord.Put put) {
      writeKey(out.put(PUT), key);
      out.put(put.format() == ObjectFormat.OPAQUE ? OPAQUE : TABLE);
      out.putLong(put.base().version()).putLong(put.base().sizeBytes());
    } else if (record instanceof JournalRecord.Patch patch) {
      writeKey(out.put(PATCH), key);
      out.putLong(patch.patch().version()).putLong(patch.patch().sizeBytes());
    } else {
      writeKey(out.put(REMOVE), key);
      out.putLong(((JournalRecord.Remove) record).version());
    }
    int length = out.position() - start - HEADER_BYTES;
    out.putInt(start, length);
    out.putInt(start + 4, crc(out, start + HEADER_BYTES, length));
  }

  private static void writeKey(ByteBuffer out, byte[] key) {
    out.putShort((short) key.length).put(key);
  }

  /** The CRC32C of {@code length} bytes of {@code buffer} from index {@code from}. */
  static int crc(ByteBuffer buffer, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.slice(from, length));
    return (int) crc.getValue();
  }

  /**
   * Checks and decodes the record at index {@code at} of {@code buffer}, which holds {@code
   * available} bytes from there.
   *
   * @return the record, or null if those bytes are not a whole, intact record
   */
  static JournalRecord tryDecode(ByteBuffer buffer, int at, int available) {
    if (available < HEADER_BYTES) {
      return null;
    }
    int length = buffer.getInt(at);
    if (length < MIN_BODY_BYTES || length > MAX_BODY_BYTES || length > available - HEADER_BYTES) {
      return null;
    }
    if (crc(buffer, at + HEADER_BYTES, length) != buffer.getInt(at + 4)) {
      return null;
    }
    try {
      return decode(buffer, at + HEADER_BYTES, length);
    } catch (MalformedRecordException e) {
      return null;
    }
  }

  /**
   * Decodes a type and payload whose checksum has been verified.
   *
   * @throws MalformedRecordException if they do not form a record
   */
  static JournalRecord decode(ByteBuffer buffer, int from, int length) throws MalformedRecordException {
    byte type = buffer.get(from);
    int keyLength = Short.toUnsignedInt(buffer.getShort(from + 1));
    int fixed = switch (type) {
      case PUT -> 17;
      case PATCH -> 16;
      case REMOVE -> 8;
      default -> throw new MalformedRecordException("unknown record type " + type);
    };
    if (length != 3 + keyLength + fixed) {
      throw new MalformedRecordException("a record of type " + type + " with a " + keyLength + "-byte key has length " + length);
    }
    byte[] keyBytes = new byte[keyLength];
    buffer.get(from + 3, keyBytes);
    ObjectKey key;
    try {
      key = ObjectKey.parse(new String(keyBytes, UTF_8));
    } catch (InvalidKeyException e) {
      throw new MalformedRecordException(e.getMessage());
    }
    int at = from + 3 + keyLength;
    return switch (type) {
      case PUT -> new JournalRecord.Put(key, format(buffer.get(at)), new StoredPart(buffer.getLong(at + 1), buffer.getLong(at + 9)));
      case PATCH -> new JournalRecord.Patch(key, new StoredPart(buffer.getLong(at), buffer.getLong(at + 8)));
      default -> new JournalRecord.Remove(key, buffer.getLong(at));
    };
  }

  private static ObjectFormat format(byte code) throws MalformedRecordException {
    return switch (code) {
      case OPAQUE -> ObjectFormat.OPAQUE;
      case TABLE -> ObjectFormat.TABLE;
      default -> throw new MalformedRecordException("unknown object format " + code);
    };
  }
}
