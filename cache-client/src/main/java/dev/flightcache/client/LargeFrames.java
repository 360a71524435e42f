package dev.flightcache.client;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.Map;

/**
 * Lets the server send HTTP/2 frames of up to {@link #MAX_FRAME_BYTES} instead of the protocol's
 * default of 16 KiB, by advertising SETTINGS_MAX_FRAME_SIZE: a 256 KiB row of a get then arrives
 * as one DATA frame rather than sixteen, each with its own header, flow-control step and buffer
 * on both sides. A 1 GiB get measured about 9% faster (the median of seven interleaved pairs),
 * with 15 to 20% less server CPU.
 *
 * <p>grpc-java has no option for this setting, so connections made through {@link
 * ClientChannel} send a second SETTINGS frame once gRPC's HTTP/2 handler is in their pipeline (at
 * the first read after that). Netty then follows the protocol: the server sends larger frames
 * only after it has read the setting, and our reader accepts them once the server's
 * acknowledgement arrives, which the connection delivers before them.
 *
 * <p>Only the client advertises. The same setting from the server, for the frames of a put, made
 * no measurable difference to puts, whose cost lies in the server's receive path.
 */
final class LargeFrames {
  /** The largest frame the client accepts. */
  public static final int MAX_FRAME_BYTES = 1 << 20;

  private LargeFrames() {}

  /** A client connection that advertises {@link #MAX_FRAME_BYTES}; NIO, as gRPC's default. */
  public static final class ClientChannel extends NioSocketChannel {
    public ClientChannel() {
      pipeline().addFirst(new Advertiser());
    }
  }

  /**
   * Sits first in a connection's pipeline until the HTTP/2 handler is there, then sends the
   * setting through it and leaves. With TLS the handler arrives after the handshake, so the first
   * reads pass through untouched.
   */
  static final class Advertiser extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Http2ConnectionHandler http2 = http2Handler(ctx.pipeline());
      if (http2 != null) {
        ChannelHandlerContext at = ctx.pipeline().context(http2);
        http2.encoder().writeSettings(at, new Http2Settings().maxFrameSize(MAX_FRAME_BYTES), at.newPromise());
        at.flush();
        ctx.pipeline().remove(this);
      }
      ctx.fireChannelRead(msg);
    }

    private static Http2ConnectionHandler http2Handler(ChannelPipeline pipeline) {
      for (Map.Entry<String, ChannelHandler> entry : pipeline) {
        if (entry.getValue() instanceof Http2ConnectionHandler handler) {
          return handler;
        }
      }
      return null;
    }
  }
}
