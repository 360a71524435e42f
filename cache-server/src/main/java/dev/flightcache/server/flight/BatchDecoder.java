package dev.flightcache.server.flight;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Turns a RecordBatch header and its body into an {@link ArrowRecordBatch} whose every buffer was
 * checked against what its column's layout needs, before any vector is made from it: row counts,
 * null counts, buffer offsets and lengths within the real body, offsets monotonic and within the
 * data (or child) they index, children long enough for their parents. A lie anywhere is
 * INVALID_ARGUMENT ("Failed to decode batch: ..."), and nothing it claims is allocated; the only
 * allocations are the decompressed buffers of a compressed batch, whose claimed sizes are checked
 * against a bound first. Reading such a batch later (VectorLoader) allocates at most a validity
 * bitmap per column, bounded here by the body's size.
 */
final class BatchDecoder {
  /** How a column's buffers are laid out. */
  enum Layout { NULL, FIXED, VARIABLE, LIST, FIXED_LIST, STRUCT }

  /** Validity bitmaps VectorLoader may allocate beyond the body's own bytes. */
  private static final long IMPLICIT_SLACK_BYTES = 1 << 20;

  private final RecordBatch header;
  private final List<ArrowFieldNode> nodes = new ArrayList<>();
  private final List<ArrowBuf> buffers = new ArrayList<>();
  private int nextNode;
  private int nextBuffer;
  private long bufferBytes;
  private long implicitBytes;

  private BatchDecoder(RecordBatch header) {
    this.header = header;
  }

  /** The layout a column of this type has, or null if uploads do not support it (views, unions). */
  static Layout layoutOf(ArrowType type) {
    return switch (type.getTypeID()) {
      case Null -> Layout.NULL;
      case Int, FloatingPoint, Bool, Decimal, Date, Time, Timestamp, Interval, Duration, FixedSizeBinary -> Layout.FIXED;
      case Binary, Utf8, LargeBinary, LargeUtf8 -> Layout.VARIABLE;
      case List, LargeList, Map -> Layout.LIST;
      case FixedSizeList -> Layout.FIXED_LIST;
      case Struct -> Layout.STRUCT;
      default -> null;
    };
  }

  /**
   * The batch, holding its own references to its buffers (slices of {@code body}, or decompressed
   * copies); the caller closes it and still closes {@code body}.
   *
   * @param maxDecompressedBytes the most a compressed batch may decompress to
   */
  static ArrowRecordBatch decode(
      Message message, List<Field> fields, ArrowBuf body, BufferAllocator allocator, long maxDecompressedBytes) {
    BatchDecoder decoder = null;
    try {
      decoder = new BatchDecoder((RecordBatch) message.header(new RecordBatch()));
      return decoder.decode(fields, body, allocator, maxDecompressedBytes);
    } catch (InvalidRequestException e) {
      throw e;
    } catch (RuntimeException e) {
      throw bad(e.toString());
    } finally {
      // The batch took its own references; these are ours (decompressed buffers, or slices).
      if (decoder != null) {
        decoder.buffers.forEach(ArrowBuf::close);
      }
    }
  }

  private ArrowRecordBatch decode(List<Field> fields, ArrowBuf body, BufferAllocator allocator, long maxDecompressedBytes) {
    long rows = header.length();
    if (rows < 0 || rows > Integer.MAX_VALUE) {
      throw bad("a batch of " + rows + " rows");
    }
    int nodeCount = 0;
    int bufferCount = 0;
    for (Field field : fields) {
      nodeCount += countNodes(field);
      bufferCount += countBuffers(field);
    }
    if (header.nodesLength() != nodeCount || header.buffersLength() != bufferCount) {
      throw bad(header.nodesLength() + " field nodes and " + header.buffersLength() + " buffers where the schema has "
          + nodeCount + " and " + bufferCount);
    }
    if (header.variadicBufferCountsLength() != 0) {
      throw bad("variadic buffers, which no supported column has");
    }
    CompressionCodec codec = codec(header.compression());
    long bodyBytes = body == null ? 0 : body.writerIndex();
    long decompressed = 0;
    for (int i = 0; i < bufferCount; i++) {
      Buffer buffer = header.buffers(i);
      long offset = buffer.offset();
      long length = buffer.length();
      if (offset < 0 || length < 0 || offset > bodyBytes || length > bodyBytes - offset) {
        throw bad("buffer " + i + " at " + offset + "+" + length + " outside a body of " + bodyBytes + " bytes");
      }
      ArrowBuf slice = length == 0 ? allocator.getEmpty() : body.slice(offset, length);
      if (codec == null || length == 0) {
        slice.getReferenceManager().retain();
        buffers.add(slice);
        continue;
      }
      if (length < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
        throw bad("compressed buffer " + i + " of " + length + " bytes has no length prefix");
      }
      long plain = slice.getLong(0);
      if (plain == CompressionUtil.NO_COMPRESSION_LENGTH) {
        ArrowBuf raw = slice.slice(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, length - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
        raw.getReferenceManager().retain();
        buffers.add(raw);
        continue;
      }
      if (plain < 0 || plain > maxDecompressedBytes - decompressed) {
        throw bad("compressed buffer " + i + " claims " + plain + " bytes, more than a batch may hold ("
            + maxDecompressedBytes + " bytes)");
      }
      decompressed += plain;
      if (plain == 0) {
        buffers.add(allocator.getEmpty());
        continue;
      }
      buffers.add(decompress(slice, plain, codec, allocator, i));
    }
    for (ArrowBuf buffer : buffers) {
      bufferBytes += buffer.writerIndex();
    }
    for (Field field : fields) {
      check(field, rows, rows);
    }
    if (implicitBytes > bufferBytes + IMPLICIT_SLACK_BYTES) {
      throw bad("columns claiming more rows than their " + bufferBytes + " bytes of buffers hold");
    }
    return new ArrowRecordBatch((int) rows, nodes, buffers);
  }

  /**
   * One compressed buffer, into a buffer of exactly its claimed size: ZSTD through Arrow's codec,
   * which never writes past that size; LZ4 frames here, since Arrow's codec inflates a whole frame
   * onto the heap before it looks at the size.
   */
  private static ArrowBuf decompress(ArrowBuf slice, long plain, CompressionCodec codec, BufferAllocator allocator, int index) {
    if (codec.getCodecType() == CompressionUtil.CodecType.ZSTD) {
      slice.getReferenceManager().retain();
      ArrowBuf out;
      try {
        out = codec.decompress(allocator, slice); // releases the slice when it succeeds
      } catch (RuntimeException e) {
        slice.close();
        throw bad("buffer " + index + " does not decompress: " + e.getMessage());
      }
      if (out.writerIndex() != plain) {
        out.close();
        throw bad("buffer " + index + " decompressed to " + out.writerIndex() + " bytes, not " + plain);
      }
      return out;
    }
    byte[] compressed = new byte[(int) (slice.writerIndex() - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH)];
    slice.getBytes(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, compressed);
    ArrowBuf out = allocator.buffer(plain);
    try (InputStream in = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(compressed))) {
      byte[] chunk = new byte[(int) Math.min(plain + 1, 64 * 1024)];
      long at = 0;
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (n > plain - at) {
          throw bad("buffer " + index + " decompresses to more than the " + plain + " bytes it claims");
        }
        out.setBytes(at, chunk, 0, n);
        at += n;
      }
      if (at != plain) {
        throw bad("buffer " + index + " decompressed to " + at + " bytes, not " + plain);
      }
      out.writerIndex(plain);
      return out;
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e instanceof InvalidRequestException invalid ? invalid
          : bad("buffer " + index + " does not decompress: " + e.getMessage());
    }
  }

  private static CompressionCodec codec(BodyCompression compression) {
    if (compression == null) {
      return null;
    }
    if (compression.method() != BodyCompressionMethod.BUFFER) {
      throw bad("body compression method " + compression.method());
    }
    CompressionUtil.CodecType type = CompressionUtil.CodecType.fromCompressionType(compression.codec());
    if (type != CompressionUtil.CodecType.LZ4_FRAME && type != CompressionUtil.CodecType.ZSTD) {
      throw bad("compression codec " + compression.codec());
    }
    return CommonsCompressionFactory.INSTANCE.createCodec(type);
  }

  /**
   * Checks one column's node and buffers, then its children's.
   *
   * @param minRows the fewest rows its parent needs it to have
   * @param exactRows the rows a top-level column must have, or -1 for a child
   */
  private void check(Field field, long minRows, long exactRows) {
    FieldNode node = header.nodes(nextNode++);
    long rows = node.length();
    long nulls = node.nullCount();
    if (rows < 0 || rows > Integer.MAX_VALUE || nulls < 0 || nulls > rows) {
      throw bad("column '" + field.getName() + "' claims " + rows + " rows and " + nulls + " nulls");
    }
    if ((exactRows >= 0 && rows != exactRows) || rows < minRows) {
      throw bad("column '" + field.getName() + "' has " + rows + " rows where " + Math.max(minRows, exactRows) + " are needed");
    }
    nodes.add(new ArrowFieldNode(rows, nulls));
    Layout layout = layoutOf(field.getType());
    if (layout != Layout.NULL) {
      ArrowBuf validity = buffers.get(nextBuffer++);
      long bitmapBytes = (rows + 7) / 8;
      if (nulls != 0 && nulls != rows && validity.writerIndex() < bitmapBytes) {
        throw bad("column '" + field.getName() + "' has a validity bitmap of " + validity.writerIndex() + " bytes for " + rows + " rows");
      }
      implicitBytes += bitmapBytes;
    }
    switch (layout) {
      case NULL -> {}
      case FIXED -> {
        BufferLayout data = TypeLayout.getTypeLayout(field.getType()).getBufferLayouts().get(1);
        need(field, buffers.get(nextBuffer++), (rows * data.getTypeBitWidth() + 7) / 8, "values");
      }
      case VARIABLE -> {
        long end = offsets(field, rows);
        need(field, buffers.get(nextBuffer++), end, "data");
      }
      case LIST -> check(field.getChildren().get(0), offsets(field, rows), -1);
      case FIXED_LIST -> {
        int size = ((ArrowType.FixedSizeList) field.getType()).getListSize();
        check(field.getChildren().get(0), rows * size, -1);
      }
      case STRUCT -> {
        for (Field child : field.getChildren()) {
          check(child, rows, -1);
        }
      }
    }
  }

  /** Checks the column's offsets (32 or 64 bits, by its type) and answers the last one. */
  private long offsets(Field field, long rows) {
    ArrowBuf offsets = buffers.get(nextBuffer++);
    int width = TypeLayout.getTypeLayout(field.getType()).getBufferLayouts().get(1).getTypeBitWidth() / 8;
    if (rows == 0 && offsets.writerIndex() == 0) {
      return 0;
    }
    need(field, offsets, (rows + 1) * width, "offsets");
    long previous = read(offsets, 0, width);
    if (previous < 0) {
      throw bad("column '" + field.getName() + "' has a negative first offset");
    }
    for (long row = 1; row <= rows; row++) {
      long next = read(offsets, row * width, width);
      if (next < previous) {
        throw bad("column '" + field.getName() + "' has offsets that go back at row " + (row - 1));
      }
      previous = next;
    }
    return previous;
  }

  private static long read(ArrowBuf buffer, long at, int width) {
    return width == Integer.BYTES ? buffer.getInt(at) : buffer.getLong(at);
  }

  private static void need(Field field, ArrowBuf buffer, long bytes, String what) {
    if (buffer.writerIndex() < bytes) {
      throw bad("column '" + field.getName() + "' has " + buffer.writerIndex() + " bytes of " + what + " where " + bytes
          + " are needed");
    }
  }

  private static int countNodes(Field field) {
    int count = 1;
    for (Field child : field.getChildren()) {
      count += countNodes(child);
    }
    return count;
  }

  private static int countBuffers(Field field) {
    int count = TypeLayout.getTypeBufferCount(field.getType());
    for (Field child : field.getChildren()) {
      count += countBuffers(child);
    }
    return count;
  }

  private static InvalidRequestException bad(String what) {
    return new InvalidRequestException("Failed to decode batch: " + what);
  }
}
