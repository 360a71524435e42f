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
 * The {@code (version, kind, data)} rows of an opaque object, one row per batch, read from its
 * files one chunk at a time. Each chunk is read into a fresh buffer that becomes the data vector's
 * buffer as is (no copy into the vector), so with zero-copy writes gRPC sends the bytes read from
 * disk straight to the socket.
 */
final class OpaqueRows implements ResponseBody {
  private static final byte[] BASE = Protocol.KIND_BASE.getBytes(StandardCharsets.UTF_8);
  private static final byte[] PATCH = Protocol.KIND_PATCH.getBytes(StandardCharsets.UTF_8);
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

  OpaqueRows(BufferAllocator allocator, List<Part> parts) {
    this.allocator = allocator;
    this.root = VectorSchemaRoot.create(Protocol.RESPONSE_SCHEMA, allocator);
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
    try (ArrowBuf data = allocator.buffer(Math.max(length, 1))) {
      readFully(part.file(), data.nioBuffer(0, length), offset);
      data.writerIndex(length);
      load(part.version(), part.base() ? BASE : PATCH, data, length);
    }
    offset += length;
    loadedBytes = length;
    if (offset >= part.sizeBytes()) {
      parts.removeFirst();
      offset = 0;
    }
    return true;
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

  private static void readFully(FileChannel file, ByteBuffer target, long position) throws IOException {
    while (target.hasRemaining()) {
      int read = file.read(target, position + target.position());
      if (read < 0) {
        throw new EOFException("stored object file is shorter than its index entry");
      }
    }
  }

  @Override
  public void close() {
    root.close();
  }
}
