package dev.flightcache.server.flight;

import dev.flightcache.proto.Protocol;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** "Not modified": the response schema and no batches. */
final class NoBatches implements ResponseBody {
  private final VectorSchemaRoot root;

  NoBatches(BufferAllocator allocator) {
    this.root = VectorSchemaRoot.create(Protocol.RESPONSE_SCHEMA, allocator);
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public boolean loadNext() {
    return false;
  }

  @Override
  public long loadedBytes() {
    return 0;
  }

  @Override
  public void close() {
    root.close();
  }
}
