package dev.flightcache.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.memory.BufferAllocator;

/** One Flight connection per endpoint, made on first use and kept until close. Thread-safe. */
final class Connections implements AutoCloseable {
  /** The event loops of every client in the process. */
  private static final SharedEventLoops EVENT_LOOPS = new SharedEventLoops("flight-cache-client-ELG");

  private final BufferAllocator allocator;
  private final SslContext tls;
  private final Duration connectTimeout;
  private final Map<Endpoint, Connection> connections = new ConcurrentHashMap<>();
  private final EventLoopGroup eventLoops;
  private volatile boolean closed;

  /**
   * @param tls the context of TLS connections (trust roots, client certificate), or null for the
   *     system's trust roots and no client certificate
   */
  public Connections(BufferAllocator allocator, SslContext tls, Duration connectTimeout) {
    this.allocator = allocator;
    this.tls = tls;
    this.connectTimeout = connectTimeout;
    this.eventLoops = EVENT_LOOPS.acquire();
  }

  /**
   * A Flight connection, the channel under it for calls made with gRPC directly, and the batcher
   * of the gets made on it.
   */
  public record Connection(FlightClient flight, ManagedChannel channel, GetBatcher gets) {}

  public Connection get(Endpoint endpoint) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    return connections.computeIfAbsent(endpoint, this::connect);
  }

  private Connection connect(Endpoint endpoint) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port())
            .maxInboundMessageSize(Integer.MAX_VALUE)
            // Answers are handed to the caller's thread by Flight's own queues, which never block,
            // so gRPC may run its callbacks on the event loop: a thread hop fewer per call.
            .directExecutor()
            // The server may send HTTP/2 frames of up to 1 MiB instead of 16 KiB.
            .channelFactory(LargeFrames.ClientChannel::new)
            .eventLoopGroup(eventLoops)
            .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    if (endpoint.tls()) {
      try {
        builder.useTransportSecurity().sslContext(tls != null ? tls : GrpcSslContexts.forClient().build());
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot set up TLS for " + endpoint.canonical() + ": " + e.getMessage(), e);
      }
    } else {
      builder.usePlaintext();
    }
    ManagedChannel channel = builder.build();
    return new Connection(FlightGrpcUtils.createFlightClient(allocator, channel), channel, new GetBatcher());
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (Connection connection : connections.values()) {
        connection.flight().close();
      }
      connections.clear();
    } finally {
      EVENT_LOOPS.release();
    }
  }
}
