package dev.flightcache.server.flight;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.Executor;

/**
 * Runs do_get calls on the gRPC event loop that received them, instead of handing each to the
 * call executor and back: two thread hops fewer on the path where latency counts most (a
 * revalidation answered "not modified" costs one round trip and nothing else). Every other call
 * keeps the call executor, since puts sync to disk and deletes wait for the journal.
 *
 * <p>A do_get must therefore never block: {@link GetResponder} answers "not modified" from the
 * index alone, opens files only when the key's lock is free at once, and otherwise passes the call
 * to the call executor. Rows of large objects are memory-mapped, so sending them maps a window
 * now and then and never reads the disk on this thread; small files are read with one pread.
 */
public final class InlineGets {
  static final String DO_GET = "arrow.flight.protocol.FlightService/DoGet";
  private static final Executor INLINE = Runnable::run;

  private InlineGets() {}

  /** Installs the choice on Arrow's gRPC server builder (the {@code grpc.builderConsumer} hook). */
  public static void configure(NettyServerBuilder builder) {
    builder.callExecutor(new Supplier());
  }

  /** The do_get call's executor; null keeps the call executor for every other method. */
  private static final class Supplier implements ServerCallExecutorSupplier {
    @Override
    public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
      return DO_GET.equals(call.getMethodDescriptor().getFullMethodName()) ? INLINE : null;
    }
  }
}
