package dev.flightcache.server;

import com.google.protobuf.ByteString;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.grpc.StatusUtils;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * do_put spoken as raw gRPC {@code FlightData} messages, for what Arrow's FlightClient cannot
 * send: compressed record batches, hand-corrupted bodies, a connection dropped mid-call.
 * Messages are built the way flight-core's ArrowMessage builds them: data_header is the bare
 * flatbuffer Message (no continuation marker, no length prefix), data_body the batch's buffers
 * concatenated, each padded to 8 bytes.
 */
final class RawPut implements AutoCloseable {
  final ManagedChannel channel;

  RawPut(int port) {
    this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
  }

  /** Over a channel the test built (TLS, bearer tokens); closing this closes it. */
  RawPut(ManagedChannel channel) {
    this.channel = channel;
  }

  /** A first message with a descriptor and nothing else: no IPC header, no body. */
  static Flight.FlightData descriptorOnly(String path) {
    return Flight.FlightData.newBuilder()
        .setFlightDescriptor(
            Flight.FlightDescriptor.newBuilder().setType(Flight.FlightDescriptor.DescriptorType.PATH).addPath(path).build())
        .build();
  }

  /**
   * The root's rows as one uncompressed batch whose header claims {@code claimedRows} rows for the
   * batch and each column, over the real (smaller) body.
   */
  static Flight.FlightData lyingBatchMessage(VectorSchemaRoot root, int claimedRows) {
    Flight.FlightData honest = batchMessage(root, NoCompressionCodec.INSTANCE);
    try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      List<ArrowFieldNode> nodes = new ArrayList<>();
      for (ArrowFieldNode node : batch.getNodes()) {
        nodes.add(new ArrowFieldNode(claimedRows, 0));
      }
      try (ArrowRecordBatch lie = new ArrowRecordBatch(claimedRows, nodes, batch.getBuffers())) {
        return honest.toBuilder()
            .setDataHeader(ByteString.copyFrom(MessageSerializer.serializeMetadata(lie, IpcOption.DEFAULT)))
            .build();
      }
    }
  }

  /** The first message of a put: the IPC schema, carrying the descriptor path. */
  static Flight.FlightData schemaMessage(String path, Schema schema) {
    return schemaMessage(
        Flight.FlightDescriptor.newBuilder().setType(Flight.FlightDescriptor.DescriptorType.PATH).addPath(path).build(),
        schema);
  }

  /** The first message of a patch: the IPC schema, carrying the {@code PATCH:key} command. */
  static Flight.FlightData patchSchemaMessage(String key, Schema schema) {
    return schemaMessage(
        Flight.FlightDescriptor.newBuilder()
            .setType(Flight.FlightDescriptor.DescriptorType.CMD)
            .setCmd(ByteString.copyFromUtf8(Protocol.PATCH_COMMAND_PREFIX + key))
            .build(),
        schema);
  }

  static Flight.FlightData schemaMessage(Flight.FlightDescriptor descriptor, Schema schema) {
    ByteBuffer header = MessageSerializer.serializeMetadata(schema, IpcOption.DEFAULT);
    return Flight.FlightData.newBuilder()
        .setFlightDescriptor(descriptor)
        .setDataHeader(ByteString.copyFrom(header))
        .build();
  }

  /** The root's current contents as one record batch, its buffers compressed by {@code codec}. */
  static Flight.FlightData batchMessage(VectorSchemaRoot root, CompressionCodec codec) {
    try (ArrowRecordBatch batch = new VectorUnloader(root, true, codec, true).getRecordBatch()) {
      ByteBuffer header = MessageSerializer.serializeMetadata(batch, IpcOption.DEFAULT);
      ByteString.Output body = ByteString.newOutput();
      for (ArrowBuf buffer : batch.getBuffers()) {
        byte[] bytes = new byte[(int) buffer.readableBytes()];
        buffer.getBytes(buffer.readerIndex(), bytes);
        body.write(bytes, 0, bytes.length);
        int padding = (8 - bytes.length % 8) % 8;
        body.write(new byte[padding], 0, padding);
      }
      return Flight.FlightData.newBuilder()
          .setDataHeader(ByteString.copyFrom(header))
          .setDataBody(body.toByteString())
          .build();
    }
  }

  /** An open do_put: send messages, then half-close and await the answer. */
  final class Call {
    final CompletableFuture<List<Flight.PutResult>> answer = new CompletableFuture<>();
    final StreamObserver<Flight.FlightData> requests;
    private final List<Flight.PutResult> results = new ArrayList<>();

    Call() {
      requests =
          FlightServiceGrpc.newStub(channel)
              .doPut(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(Flight.PutResult result) {
                      synchronized (results) {
                        results.add(result);
                      }
                    }

                    @Override
                    public void onError(Throwable error) {
                      answer.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {
                      synchronized (results) {
                        answer.complete(List.copyOf(results));
                      }
                    }
                  });
    }

    Call send(Flight.FlightData message) {
      requests.onNext(message);
      return this;
    }

    /** Cancels the call from the client side, as a client that gives up does. */
    void cancel() {
      requests.onError(new RuntimeException("client gave up"));
    }

    /**
     * Half-closes and waits for the server's answer.
     *
     * @throws FlightRuntimeException the status the server answered with
     */
    List<Flight.PutResult> finish() throws InterruptedException, TimeoutException {
      requests.onCompleted();
      try {
        return answer.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw StatusUtils.fromThrowable(e.getCause());
      }
    }
  }

  Call start() {
    return new Call();
  }

  /** Sends every message, half-closes, and decodes the single PutResult's ref. */
  ObjectRef put(List<Flight.FlightData> messages) throws InterruptedException, TimeoutException {
    Call call = start();
    messages.forEach(call::send);
    List<Flight.PutResult> results = call.finish();
    if (results.size() != 1) {
      throw new AssertionError("expected exactly one PutResult, got " + results.size());
    }
    return ObjectRef.fromBson(results.get(0).getAppMetadata().toByteArray());
  }

  /** Drops the connection at once; calls in progress are cancelled, never half-closed. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
