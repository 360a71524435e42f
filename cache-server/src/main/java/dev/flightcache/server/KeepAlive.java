package dev.flightcache.server;

import dev.flightcache.server.config.ServerConfig;
import io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 keepalive on the Flight port, so a client that vanished without closing its connection
 * (power loss, a partition, a frozen process) does not hold its uploads for gRPC's default of two
 * hours.
 *
 * <p>The server pings a connection from which it has read nothing for {@code keepalive-time},
 * whether or not calls are open, and closes it if the ping is not answered within {@code
 * keepalive-timeout}. Closing it cancels its calls, and a cancelled do_put closes its pending
 * write: temp file, space reservation and quota charge. A live client's HTTP/2 stack answers pings
 * itself, so an uploader that is slow, or whose application sends nothing for a while, is not cut
 * off; only a connection on which nothing answers is.
 *
 * <p>Clients may send pings of their own (gRPC clients with keepalive set, such as those of flame
 * or pyarrow configured so). A gRPC Java server by default accepts one every 5 minutes while a
 * call is open and every 2 hours otherwise, and answers a client that pings more often with GOAWAY
 * ENHANCE_YOUR_CALM ("too_many_pings"), which drops every call on the connection. Here a client
 * may ping every {@link #CLIENT_PING_INTERVAL}, with or without calls open: a ping costs a few
 * bytes, and keeping an idle connection open through a NAT or a load balancer is what such pings
 * are for.
 */
final class KeepAlive {
  /** The shortest interval between a client's pings that the server accepts. */
  static final Duration CLIENT_PING_INTERVAL = Duration.ofSeconds(5);

  private KeepAlive() {}

  /** Sets the server's pings and the client pings it accepts; from the {@code grpc.builderConsumer} hook. */
  static void configure(NettyServerBuilder builder, ServerConfig config) {
    builder
        .keepAliveTime(config.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(config.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(CLIENT_PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(true);
  }
}
