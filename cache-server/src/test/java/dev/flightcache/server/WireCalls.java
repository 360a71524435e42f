package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.flightcache.proto.Protocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Wire-level helpers the protocol tests need beyond {@link RawClient}: uploads with several rows
 * in one batch, every raw {@code PutResult} of a put, and status-code assertions.
 */
final class WireCalls {
  private WireCalls() {}

  /**
   * A do_put of opaque rows where each inner list is ONE batch holding one row per array.
   *
   * @return the raw {@code app_metadata} of every PutResult the server sent, in order
   */
  static List<byte[]> putBatches(RawClient raw, FlightDescriptor descriptor, List<List<byte[]>> batches) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, raw.allocator)) {
      CollectingPutListener listener = new CollectingPutListener();
      FlightClient.ClientStreamListener stream = raw.client.startPut(descriptor, root, listener);
      for (List<byte[]> batch : batches) {
        root.allocateNew();
        UInt8Vector versions = (UInt8Vector) root.getVector(0);
        VarBinaryVector data = (VarBinaryVector) root.getVector(1);
        for (int row = 0; row < batch.size(); row++) {
          versions.setSafe(row, 0);
          data.setSafe(row, batch.get(row));
        }
        root.setRowCount(batch.size());
        stream.putNext();
      }
      stream.completed();
      stream.getResult();
      return List.copyOf(listener.results);
    }
  }

  /** Splits bytes into pieces of at most {@code size} bytes, in order. */
  static List<byte[]> split(byte[] bytes, int size) {
    List<byte[]> pieces = new ArrayList<>();
    for (int offset = 0; offset < bytes.length; offset += size) {
      int length = Math.min(size, bytes.length - offset);
      byte[] piece = new byte[length];
      System.arraycopy(bytes, offset, piece, 0, length);
      pieces.add(piece);
    }
    return pieces;
  }

  /** Deterministic pseudo-random bytes, so a misplaced chunk cannot go unnoticed. */
  static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Asserts the call fails with exactly this Flight status code; returns the failure. */
  static FlightRuntimeException assertStatus(CallStatus expected, ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("call should fail with %s", expected.code()).isInstanceOf(FlightRuntimeException.class);
    FlightRuntimeException failure = (FlightRuntimeException) thrown;
    FlightStatusCode code = failure.status().code();
    assertThat(code).as("status of %s", failure.getMessage()).isEqualTo(expected.code());
    return failure;
  }

  /** Copies each PutResult's metadata as it arrives (Arrow frees the result after onNext). */
  static final class CollectingPutListener implements FlightClient.PutListener {
    final List<byte[]> results = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    @Override
    public void onNext(PutResult result) {
      ArrowBuf metadata = result.getApplicationMetadata();
      byte[] bytes = new byte[metadata == null ? 0 : (int) metadata.readableBytes()];
      if (metadata != null) {
        metadata.getBytes(metadata.readerIndex(), bytes);
      }
      results.add(bytes);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      done.complete(null);
    }

    @Override
    public void getResult() {
      try {
        done.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
      }
    }
  }
}
