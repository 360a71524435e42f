package dev.flightcache.client;

import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The client's connection class that advertises large HTTP/2 frames, for the server's LargeFramesIT,
 * which checks it against the real server. The client keeps it package-private, so this test-only
 * bridge lives in the client's package.
 */
public final class LargeFramesAccess {
  /** The largest frame the client accepts. */
  public static final int MAX_FRAME_BYTES = LargeFrames.MAX_FRAME_BYTES;

  private LargeFramesAccess() {}

  /** A new client connection that advertises {@link #MAX_FRAME_BYTES}. */
  public static NioSocketChannel newChannel() {
    return new LargeFrames.ClientChannel();
  }
}
