package dev.flightcache.server;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow's own {@link FlightClient} speaking the wire protocol directly, as flame's clients do.
 * Closing it fails the test if the client side leaked Arrow memory.
 */
final class RawClient implements AutoCloseable {
  final BufferAllocator allocator = new RootAllocator();
  final FlightClient client;

  /** One row of an opaque answer. */
  record Row(long version, String kind, byte[] data) {
    @Override
    public String toString() {
      return kind + "@" + version + "[" + data.length + " bytes]";
    }
  }

  /** A do_get answer: its schema and rows (native tables: rows stay empty, see rowCount). */
  record Response(Schema schema, List<Row> rows, int batches, long rowCount) {
    boolean notModified() {
      return batches == 0 && schema.equals(Protocol.RESPONSE_SCHEMA);
    }

    /** The base rows concatenated, as a chunk-aware client reads them. */
    byte[] base() {
      return concat(rows.stream().filter(r -> r.kind().equals(Protocol.KIND_BASE)).toList());
    }

    List<Row> patches() {
      return rows.stream().filter(r -> r.kind().equals(Protocol.KIND_PATCH)).toList();
    }
  }

  RawClient(Location location) {
    this(location, builder -> {});
  }

  /** A client whose builder {@code configure} adjusts first: TLS, client certificates, middleware. */
  RawClient(Location location, java.util.function.Consumer<FlightClient.Builder> configure) {
    FlightClient.Builder builder = FlightClient.builder(allocator, location);
    configure.accept(builder);
    this.client = builder.build();
  }

  /** A client on a channel built by the test (its transport under study). */
  RawClient(io.grpc.ManagedChannel channel) {
    this.client = FlightGrpcUtils.createFlightClient(allocator, channel);
  }

  /** A put to a session path ({@code app/s}) or a full key, each byte array sent as its own batch. */
  ObjectRef put(String path, byte[]... rows) {
    return upload(FlightDescriptor.path(path), Protocol.UPLOAD_SCHEMA, Arrays.asList(rows));
  }

  /** A {@code PATCH:} command. */
  ObjectRef patch(String key, byte[] delta) {
    return upload(FlightDescriptor.command((Protocol.PATCH_COMMAND_PREFIX + key).getBytes(StandardCharsets.UTF_8)),
        Protocol.UPLOAD_SCHEMA, List.of(delta));
  }

  /** Any do_put of single-row batches with a (version uint64, data binary, ...) schema. */
  ObjectRef upload(FlightDescriptor descriptor, Schema schema, List<byte[]> rows) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      SyncPutListener listener = new SyncPutListener();
      FlightClient.ClientStreamListener stream = client.startPut(descriptor, root, listener);
      for (byte[] row : rows) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, row);
        root.setRowCount(1);
        stream.putNext();
      }
      stream.completed();
      return readRef(listener, stream);
    }
  }

  /** Sends a table root as a do_put, batch by batch as {@code sendBatch} fills it. */
  ObjectRef putTable(String path, VectorSchemaRoot root, Runnable... fillBatches) {
    SyncPutListener listener = new SyncPutListener();
    FlightClient.ClientStreamListener stream = client.startPut(FlightDescriptor.path(path), root, listener);
    for (Runnable fill : fillBatches) {
      fill.run();
      stream.putNext();
    }
    stream.completed();
    return readRef(listener, stream);
  }

  private static ObjectRef readRef(SyncPutListener listener, FlightClient.ClientStreamListener stream) {
    stream.getResult();
    try (PutResult result = listener.read()) {
      ArrowBuf metadata = result.getApplicationMetadata();
      byte[] bson = new byte[(int) metadata.readableBytes()];
      metadata.getBytes(0, bson);
      return ObjectRef.fromBson(bson);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    }
  }

  Response get(String key, long version) {
    return get((key + ":" + version).getBytes(StandardCharsets.UTF_8), false);
  }

  Response getChunked(String key, long version) {
    return get((key + ":" + version).getBytes(StandardCharsets.UTF_8), true);
  }

  Response get(byte[] ticket, boolean chunked) {
    List<CallOption> options = new ArrayList<>();
    if (chunked) {
      FlightCallHeaders headers = new FlightCallHeaders();
      headers.insert(Protocol.HEADER_CHUNKED_ROWS, "1");
      options.add(new HeaderCallOption(headers));
    }
    try (FlightStream stream = client.getStream(new Ticket(ticket), options.toArray(CallOption[]::new))) {
      Schema schema = stream.getSchema();
      boolean opaque = !Protocol.isNativeTable(schema);
      List<Row> rows = new ArrayList<>();
      int batches = 0;
      long rowCount = 0;
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        batches++;
        rowCount += root.getRowCount();
        for (int i = 0; opaque && i < root.getRowCount(); i++) {
          rows.add(new Row(
              ((UInt8Vector) root.getVector(0)).get(i),
              new String(((VarCharVector) root.getVector(1)).get(i), StandardCharsets.UTF_8),
              ((VarBinaryVector) root.getVector(2)).get(i)));
        }
      }
      return new Response(schema, rows, batches, rowCount);
    } catch (Exception e) {
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e);
    }
  }

  /** A DELETE action; returns the result bodies as text. */
  List<String> delete(String path) {
    return action(Protocol.ACTION_DELETE, path.getBytes(StandardCharsets.UTF_8));
  }

  List<String> action(String type, byte[] body) {
    return actionResults(type, body).stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
  }

  /** An action's result bodies as they came. */
  List<byte[]> actionResults(String type, byte[] body) {
    List<byte[]> results = new ArrayList<>();
    var iterator = client.doAction(new Action(type, body));
    while (iterator.hasNext()) {
      Result result = iterator.next();
      results.add(result.getBody());
    }
    return results;
  }

  static byte[] concat(List<Row> rows) {
    int total = rows.stream().mapToInt(r -> r.data().length).sum();
    byte[] out = new byte[total];
    int offset = 0;
    for (Row row : rows) {
      System.arraycopy(row.data(), 0, out, offset, row.data().length);
      offset += row.data().length;
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    client.close();
    allocator.close();
  }
}
