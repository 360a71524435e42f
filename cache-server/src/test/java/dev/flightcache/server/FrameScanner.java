package dev.flightcache.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First in a client connection's pipeline: reads the HTTP/2 frame headers in the raw bytes each
 * way and keeps the largest DATA frame seen, so a test can tell which frame size was in use.
 */
final class FrameScanner extends ChannelDuplexHandler {
  private static final int PREFACE_BYTES = 24;

  private final Direction in = new Direction(0);
  private final Direction out = new Direction(PREFACE_BYTES);

  int largestDataIn() {
    return in.largestData;
  }

  int largestDataOut() {
    return out.largestData;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      in.scan(bytes);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      out.scan(bytes);
    }
    ctx.write(msg, promise);
  }

  /** One direction: skips the client's preface, then walks frame by frame. Event loop only. */
  private static final class Direction {
    private final byte[] header = new byte[9];
    private int prefaceLeft;
    private int headerFill;
    private long payloadLeft;
    private volatile int largestData;

    Direction(int prefaceBytes) {
      this.prefaceLeft = prefaceBytes;
    }

    void scan(ByteBuf bytes) {
      int i = bytes.readerIndex();
      int end = bytes.writerIndex();
      while (i < end) {
        if (prefaceLeft > 0 || payloadLeft > 0) {
          int skip = (int) Math.min(prefaceLeft > 0 ? prefaceLeft : payloadLeft, end - i);
          if (prefaceLeft > 0) {
            prefaceLeft -= skip;
          } else {
            payloadLeft -= skip;
          }
          i += skip;
          continue;
        }
        header[headerFill++] = bytes.getByte(i++);
        if (headerFill == header.length) {
          int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
          if (header[3] == 0) { // DATA
            largestData = Math.max(largestData, length);
          }
          payloadLeft = length;
          headerFill = 0;
        }
      }
    }
  }
}
