package dev.flightcache.client;

import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.flight.impl.FlightServiceGrpc;

/**
 * A {@code GET_MANY} action made as an asynchronous gRPC call on Flight's DoAction method: same
 * method, headers and options as {@code FlightClient.doAction}, and failures are the {@code
 * FlightRuntimeException} Flight would raise. Nothing waits for it: its end is handed to a {@link
 * GetBatcher.Done} on gRPC's event loop, which may start the next call at once.
 */
final class GetManyCall {
  private GetManyCall() {}

  static void start(Channel channel, List<GetMany.Get> gets, GetBatcher.Done done, CallOption... options) {
    CallStub stub = CallStub.of(channel, options);
    ClientCall<Flight.Action, Flight.Result> call =
        stub.getChannel().newCall(FlightServiceGrpc.getDoActionMethod(), stub.getCallOptions().withExecutor(MoreExecutors.directExecutor()));
    call.start(new Listener(gets.size(), done), new Metadata());
    call.request(2);
    call.sendMessage(Flight.Action.newBuilder()
        .setType(GetMany.ACTION)
        .setBody(ByteString.copyFrom(GetMany.encodeRequest(gets)))
        .build());
    call.halfClose();
  }

  /** Keeps the one result; at the end, decodes it and hands it over. gRPC calls it one at a time. */
  private static final class Listener extends ClientCall.Listener<Flight.Result> {
    private final int expected;
    private final GetBatcher.Done done;
    private ByteString body;
    private int results;

    Listener(int expected, GetBatcher.Done done) {
      this.expected = expected;
      this.done = done;
    }

    @Override
    public void onMessage(Flight.Result message) {
      if (results++ == 0) {
        body = message.getBody();
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (!status.isOk()) {
        done.accept(null, GrpcStatus.toFlight(status));
        return;
      }
      List<GetAnswer<byte[]>> answers;
      try {
        if (results != 1) {
          throw new IllegalArgumentException("the server sent " + results + " results, not one");
        }
        answers = GetMany.decodeAnswers(body.toByteArray(), expected);
      } catch (IllegalArgumentException e) {
        done.accept(null, new CacheServerException("get many: " + e.getMessage(), e));
        return;
      }
      done.accept(answers, null);
    }
  }
}
