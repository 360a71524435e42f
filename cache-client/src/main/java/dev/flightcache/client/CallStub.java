package dev.flightcache.client;

import io.grpc.Channel;
import io.grpc.stub.AbstractStub;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;

/**
 * Carries Flight's call options (deadline, headers, credentials) onto a call made with gRPC
 * directly: {@code of(channel, options).getChannel()} and {@code getCallOptions()} are what
 * Flight's own stub would have used.
 */
final class CallStub extends AbstractStub<CallStub> {
  private CallStub(Channel channel, io.grpc.CallOptions options) {
    super(channel, options);
  }

  static CallStub of(Channel channel, CallOption... options) {
    CallStub stub = new CallStub(channel, io.grpc.CallOptions.DEFAULT);
    for (CallOption option : options) {
      if (option instanceof CallOptions.GrpcCallOption grpcOption) {
        stub = grpcOption.wrapStub(stub);
      }
    }
    return stub;
  }

  @Override
  protected CallStub build(Channel channel, io.grpc.CallOptions options) {
    return new CallStub(channel, options);
  }
}
