package dev.flightcache.server.flight;

import dev.flightcache.proto.Protocol;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A native Arrow table read back from its IPC stream file, batch by batch, with the schema
 * metadata {@code flame.cache.version} set to the stored version.
 */
final class TableBatches implements ResponseBody {
  private final ArrowStreamReader reader;
  private final VectorSchemaRoot root;
  private final VectorLoader loader;
  private long loadedBytes;

  TableBatches(BufferAllocator allocator, FileChannel file, long version) throws IOException {
    this.reader = new ArrowStreamReader(file, allocator);
    VectorSchemaRoot stored = reader.getVectorSchemaRoot();
    this.root = VectorSchemaRoot.create(withVersion(stored.getSchema(), version), allocator);
    this.loader = new VectorLoader(root);
  }

  static Schema withVersion(Schema schema, long version) {
    Map<String, String> metadata = new HashMap<>();
    if (schema.getCustomMetadata() != null) {
      metadata.putAll(schema.getCustomMetadata());
    }
    metadata.put(Protocol.VERSION_KEY, Long.toUnsignedString(version));
    return new Schema(schema.getFields(), metadata);
  }

  /** Reads only the schema of a stored table. */
  static Schema readSchema(BufferAllocator allocator, FileChannel file, long version) throws IOException {
    try (ArrowStreamReader reader = new ArrowStreamReader(file, allocator)) {
      return withVersion(reader.getVectorSchemaRoot().getSchema(), version);
    }
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public boolean loadNext() throws IOException {
    if (!reader.loadNextBatch()) {
      return false;
    }
    try (ArrowRecordBatch batch = new VectorUnloader(reader.getVectorSchemaRoot()).getRecordBatch()) {
      loadedBytes = batch.computeBodyLength();
      loader.load(batch);
    }
    return true;
  }

  @Override
  public long loadedBytes() {
    return loadedBytes;
  }

  @Override
  public void close() throws IOException {
    root.close();
    reader.close();
  }
}
