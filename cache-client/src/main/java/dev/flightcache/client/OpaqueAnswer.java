package dev.flightcache.client;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Protocol;
import dev.flightcache.proto.Version;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of one opaque do_get answer, checked for order as they arrive: base rows (all of one
 * version) first, then patches of increasing version. Not thread-safe: one answer, one reader.
 */
final class OpaqueAnswer {
  private static final byte[] BASE = Protocol.KIND_BASE.getBytes(StandardCharsets.UTF_8);
  private static final byte[] PATCH = Protocol.KIND_PATCH.getBytes(StandardCharsets.UTF_8);
  private final ObjectKey key;
  private final Version held;
  private final long announcedBaseBytes;
  private final List<GetAnswer.Part<ByteBuffer>> patches = new ArrayList<>();
  private GrowableBytes base;
  private long baseVersion;

  private OpaqueAnswer(ObjectKey key, Version held, long announcedBaseBytes) {
    this.key = key;
    this.held = held;
    this.announcedBaseBytes = announcedBaseBytes;
  }

  /**
   * The answer {@code schema} starts, sized by the base it announces, if any, to a get by a caller
   * holding {@code held}.
   */
  static OpaqueAnswer of(ObjectKey key, Version held, Schema schema) {
    requireOpaque(key, schema);
    return new OpaqueAnswer(key, held, Protocol.announcedBaseBytes(schema));
  }

  /** @throws InvalidRequestException if {@code schema} is a native Arrow table's */
  static void requireOpaque(ObjectKey key, Schema schema) {
    if (Protocol.isNativeTable(schema)) {
      throw new InvalidRequestException("object " + key + " is an Arrow table: read it with getTable", null);
    }
  }

  /** Whether a row's UTF-8 kind is a base row; any kind but base and patch is a protocol error. */
  boolean isBase(byte[] kind) {
    if (Arrays.equals(kind, BASE)) {
      return true;
    }
    if (Arrays.equals(kind, PATCH)) {
      return false;
    }
    throw protocolError("a row of kind '" + new String(kind, StandardCharsets.UTF_8) + "'");
  }

  /** Where a row's bytes come from: copies them into {@code into} at {@code offset}. */
  @FunctionalInterface
  interface RowBytes {
    void copyTo(byte[] into, int offset, int lengthBytes) throws IOException;

    /** The next {@code lengthBytes} of a stream. */
    static RowBytes of(InputStream in) {
      return (into, offset, lengthBytes) -> readFully(in, into, offset, lengthBytes);
    }
  }

  /** Takes one row of {@code lengthBytes} bytes. */
  void row(long version, boolean isBase, int lengthBytes, RowBytes in) throws IOException {
    if (isBase) {
      if (!patches.isEmpty() || (base != null && version != baseVersion)) {
        throw protocolError("a base row after a patch row, or base rows of two versions");
      }
      if (base == null) {
        base = new GrowableBytes(announcedBaseBytes);
        baseVersion = version;
      }
      base.append(in, lengthBytes);
    } else {
      boolean first = base == null && patches.isEmpty();
      Version previous = patches.isEmpty() ? Version.of(baseVersion) : patches.get(patches.size() - 1).version();
      if (!first && !Version.of(version).isAfter(previous)) {
        throw protocolError("patch versions do not increase");
      }
      byte[] bytes = new byte[lengthBytes];
      in.copyTo(bytes, 0, lengthBytes);
      patches.add(new GetAnswer.Part<>(Version.of(version), lengthBytes, ByteBuffer.wrap(bytes)));
    }
  }

  /** The answer once every row was read; no row at all is "not modified". */
  GetAnswer<ByteBuffer> result() {
    if (base != null) {
      ByteBuffer bytes = base.toBuffer();
      return new GetAnswer.Full<>(new GetAnswer.Part<>(Version.of(baseVersion), bytes.remaining(), bytes), patches);
    }
    if (!patches.isEmpty()) {
      return new GetAnswer.Patches<>(patches);
    }
    return new GetAnswer.NotModified<>(held);
  }

  IllegalStateException protocolError(String what) {
    return protocolError(key, what);
  }

  static IllegalStateException protocolError(ObjectKey key, String what) {
    return new IllegalStateException("unexpected answer for " + key + ": " + what);
  }

  static void readFully(InputStream in, byte[] into, int offset, int lengthBytes) throws IOException {
    if (in.readNBytes(into, offset, lengthBytes) != lengthBytes) {
      throw new EOFException("a message ended inside a row");
    }
  }

  /**
   * A byte array that base rows are appended to: allocated once at the announced size, so a large
   * object is copied once, or grown by doubling when no size was announced (flame's server).
   */
  private static final class GrowableBytes {
    private static final int MAX = Integer.MAX_VALUE - 16;
    private byte[] bytes;
    private int size;

    GrowableBytes(long announcedBytes) {
      bytes = new byte[announcedBytes >= 0 && announcedBytes <= MAX ? (int) announcedBytes : 0];
    }

    void append(RowBytes in, int lengthBytes) throws IOException {
      if ((long) size + lengthBytes > MAX) {
        throw new InvalidRequestException("object is larger than 2 GiB: read it with download", null);
      }
      if (size + lengthBytes > bytes.length) {
        int capacity = (int) Math.min(MAX, Math.max((long) size + lengthBytes, Math.max(1024, (long) bytes.length * 2)));
        bytes = Arrays.copyOf(bytes, capacity);
      }
      in.copyTo(bytes, size, lengthBytes);
      size += lengthBytes;
    }

    ByteBuffer toBuffer() {
      return ByteBuffer.wrap(bytes, 0, size).slice();
    }
  }
}
