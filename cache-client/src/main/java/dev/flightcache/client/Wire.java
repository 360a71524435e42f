package dev.flightcache.client;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Version;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The calls {@link CacheClient} makes, one method each, on one transport: everything of that
 * transport (Flight, gRPC, Netty) stays behind this interface. No caching and no retries: a
 * failed call throws {@link WireFailure}, which the client translates, and an answer the client
 * cannot use throws its own exceptions. Each call goes to {@code target} and ends within {@code
 * timeout}. Thread-safe.
 */
interface Wire extends AutoCloseable {
  /**
   * Streams {@code source} to a put of {@code path} (a session path, or a full key created or
   * replaced); returns the ref of the stored version.
   */
  ObjectRef put(Endpoint target, String path, UploadSource source, Duration timeout) throws IOException;

  /** Streams {@code source} as a patch of {@code key}; returns the new ref. */
  ObjectRef patch(Endpoint target, ObjectKey key, UploadSource source, Duration timeout) throws IOException;

  /** Stores the table's contents as one batch of a native-table put of {@code path}. */
  ObjectRef putTable(Endpoint target, String path, VectorSchemaRoot table, Duration timeout);

  /**
   * The answer to a get of {@code key} by a caller holding {@code held}: "not modified", the
   * patches after it, or the whole object. A do_get, or a place in a shared GET_MANY when other
   * gets to the endpoint are in flight.
   */
  GetAnswer<ByteBuffer> get(Endpoint target, ObjectKey key, Version held, Duration timeout);

  /** Streams an object without patches into {@code destination}; returns the bytes written. */
  long download(Endpoint target, ObjectKey key, Path destination, LongConsumer progress, Duration timeout)
      throws IOException;

  /** Reads a native table whole into a new root from {@code allocator}; the caller closes it. */
  VectorSchemaRoot getTable(Endpoint target, ObjectKey key, BufferAllocator allocator, Duration timeout);

  /** Deletes an object, a session or an app. */
  void delete(Endpoint target, KeyPath path, Duration timeout);

  /** The objects whose key starts with {@code keyPrefix}, in key order. */
  List<ObjectSummary> list(Endpoint target, String keyPrefix, Duration timeout);

  /** The server's counters. */
  Map<String, Long> stats(Endpoint target, Duration timeout);

  /** A signed token for {@code request}. */
  String mintToken(Endpoint target, MintRequest request, Duration timeout);

  /**
   * Closes every connection and releases all memory.
   *
   * @throws IllegalStateException if memory leaked
   */
  @Override
  void close();
}
