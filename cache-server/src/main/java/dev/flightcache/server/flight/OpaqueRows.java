package dev.flightcache.server.flight;

import dev.flightcache.proto.Protocol;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The {@code (version, kind, data)} rows of an opaque object, one row per batch. A row becomes the
 * data vector's buffer as is (no copy into the vector), so with zero-copy writes gRPC sends it
 * straight to the socket. Rows of large files are slices of a memory-mapped window of the file
 * ({@link MappedWindow}), so the server copies nothing; small files are read into a fresh buffer,
 * which costs less than a mapping.
 */
final class OpaqueRows implements ResponseBody {
  private static final byte[] BASE = Protocol.KIND_BASE.getBytes(StandardCharsets.UTF_8);
  private static final byte[] PATCH = Protocol.KIND_PATCH.getBytes(StandardCharsets.UTF_8);
  /** Files at least this large are mapped rather than read. */
  static final long MAP_THRESHOLD_BYTES = 1 << 20;
  /**
   * Bytes mapped at a time. A stream holds its current window and, until gRPC has written them,
   * the rows of the one before, so this bounds both direct memory accounted to the allocator and
   * resident mapped pages per stream.
   */
  static final long WINDOW_BYTES = 8 << 20;
  private static final List<ArrowFieldNode> NODES =
      List.of(new ArrowFieldNode(1, 0), new ArrowFieldNode(1, 0), new ArrowFieldNode(1, 0));

  /** One file to send: rows of at most {@code rowBytes} each. */
  record Part(long version, boolean base, FileChannel file, long sizeBytes, long rowBytes) {}

  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final VectorLoader loader;
  private final Deque<Part> parts;
  private long offset;
  private long loadedBytes;
  private ArrowBuf window;
  private long windowStart;

  /**
   * @param announceBase whether a full answer's schema carries {@link Protocol#BASE_BYTES_KEY};
   *     only for our own clients, so flame's clients see flame's schema exactly
   */
  OpaqueRows(BufferAllocator allocator, List<Part> parts, boolean announceBase) {
    this.allocator = allocator;
    boolean full = parts.stream().anyMatch(Part::base);
    long baseBytes = parts.stream().filter(Part::base).mapToLong(Part::sizeBytes).sum();
    this.root =
        VectorSchemaRoot.create(
            full && announceBase ? Protocol.responseSchema(baseBytes) : Protocol.RESPONSE_SCHEMA, allocator);
    this.loader = new VectorLoader(root);
    this.parts = new ArrayDeque<>(parts);
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public boolean loadNext() throws IOException {
    Part part = parts.peekFirst();
    if (part == null) {
      return false;
    }
    int length = (int) Math.min(part.rowBytes(), part.sizeBytes() - offset);
    try (ArrowBuf data = row(part, length)) {
      load(part.version(), part.base() ? BASE : PATCH, data, length);
    }
    offset += length;
    loadedBytes = length;
    if (offset >= part.sizeBytes()) {
      parts.removeFirst();
      offset = 0;
      releaseWindow();
    }
    return true;
  }

  /** The row at {@link #offset}: a slice of the current window, or a buffer read from the file. */
  private ArrowBuf row(Part part, int length) throws IOException {
    if (part.sizeBytes() < MAP_THRESHOLD_BYTES) {
      ArrowBuf data = allocator.buffer(Math.max(length, 1));
      readFully(part.file(), data.nioBuffer(0, length), offset);
      data.writerIndex(length);
      return data;
    }
    if (window == null || offset + length > windowStart + window.capacity()) {
      releaseWindow();
      long rowsPerWindow = Math.max(1, WINDOW_BYTES / part.rowBytes());
      windowStart = offset;
      window = MappedWindow.map(allocator, part.file(), offset, Math.min(rowsPerWindow * part.rowBytes(), part.sizeBytes() - offset));
    }
    ArrowBuf slice = window.slice(offset - windowStart, length);
    slice.getReferenceManager().retain();
    slice.writerIndex(length);
    return slice;
  }

  private void releaseWindow() {
    if (window != null) {
      window.close();
      window = null;
    }
  }

  @Override
  public long loadedBytes() {
    return loadedBytes;
  }

  private void load(long version, byte[] kind, ArrowBuf data, int length) {
    try (ArrowBuf small = allocator.buffer(32)) {
      small.setLong(0, version);
      small.setInt(8, 0);
      small.setInt(12, kind.length);
      small.setInt(16, 0);
      small.setInt(20, length);
      small.setBytes(24, kind);
      ArrowBuf noNulls = allocator.getEmpty();
      List<ArrowBuf> buffers =
          List.of(
              noNulls, slice(small, 0, 8),
              noNulls, slice(small, 8, 8), slice(small, 24, kind.length),
              noNulls, slice(small, 16, 8), data);
      try (ArrowRecordBatch batch = new ArrowRecordBatch(1, NODES, buffers)) {
        loader.load(batch);
      }
    }
  }

  private static ArrowBuf slice(ArrowBuf buffer, long index, long length) {
    ArrowBuf slice = buffer.slice(index, length);
    slice.writerIndex(length);
    return slice;
  }

  /** Fills {@code target} from {@code file}, starting at {@code position}. */
  static void readFully(FileChannel file, ByteBuffer target, long position) throws IOException {
    while (target.hasRemaining()) {
      int read = file.read(target, position + target.position());
      if (read < 0) {
        throw new EOFException("stored object file is shorter than its index entry");
      }
    }
  }

  @Override
  public void close() {
    releaseWindow();
    root.close();
  }
}
