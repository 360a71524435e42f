package dev.flightcache.server.flight;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/** The batches of one do_get answer, loaded one at a time into one root. Not thread-safe. */
interface ResponseBody extends AutoCloseable {
  /** The root every batch is loaded into; its schema is the answer's schema. */
  VectorSchemaRoot root();

  /** Loads the next batch into {@link #root()}; false when there is none left. */
  boolean loadNext() throws IOException;

  /** Payload bytes of the batch last loaded: row data, or a table batch's body. */
  long loadedBytes();

  @Override
  void close() throws IOException;
}
