package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The advertiser against Netty's own HTTP/2 handler, frame by frame. */
class LargeFramesTest {
  private static final int SETTINGS = 4;
  private static final int ACK = 1;
  private static final int MAX_FRAME_SIZE_ID = 5;
  private static final int DEFAULT_FRAME_BYTES = 16_384;

  @Test
  void advertisesOnceTheHandlerIsThere_andAcceptsLargeFramesOnlyAfterThePeersAck() {
    EmbeddedChannel channel = new EmbeddedChannel(new LargeFrames.Advertiser());

    // Before the HTTP/2 handler (a TLS handshake, say), reads pass through and nothing is sent.
    channel.writeInbound(bytes("handshake"));
    assertThat((ByteBuf) channel.readInbound()).satisfies(read -> read.release());
    assertThat((Object) channel.readOutbound()).isNull();

    Http2ConnectionHandler http2 = new Http2ConnectionHandlerBuilder().server(false).frameListener(new Http2FrameAdapter()).build();
    channel.pipeline().addLast(http2);
    channel.flush(); // as the event loop does once the handler is added
    List<Frame> preface = frames(channel, true);
    assertThat(preface).extracting(Frame::type).containsExactly(SETTINGS);
    assertThat(preface.get(0).setting(MAX_FRAME_SIZE_ID)).isNull();

    channel.writeInbound(frame(SETTINGS, 0)); // the server's preface
    List<Frame> sent = frames(channel, false);
    assertThat(sent).anySatisfy(frame -> {
      assertThat(frame.type()).isEqualTo(SETTINGS);
      assertThat(frame.flags()).isZero();
      assertThat(frame.setting(MAX_FRAME_SIZE_ID)).isEqualTo(LargeFrames.MAX_FRAME_BYTES);
    });
    assertThat(channel.pipeline().get(LargeFrames.Advertiser.class)).as("gone after advertising").isNull();

    channel.writeInbound(frame(SETTINGS, ACK)); // acknowledges the preface's settings
    assertThat(http2.decoder().localSettings().maxFrameSize()).isEqualTo(DEFAULT_FRAME_BYTES);
    channel.writeInbound(frame(SETTINGS, ACK)); // acknowledges ours
    assertThat(http2.decoder().localSettings().maxFrameSize()).isEqualTo(LargeFrames.MAX_FRAME_BYTES);
    assertThat(channel.isOpen()).as("no protocol error").isTrue();
    channel.finishAndReleaseAll();
  }

  private record Frame(int type, int flags, byte[] payload) {
    Integer setting(int id) {
      for (int i = 0; i + 6 <= payload.length; i += 6) {
        if (((payload[i] & 0xff) << 8 | payload[i + 1] & 0xff) == id) {
          return (payload[i + 2] & 0xff) << 24 | (payload[i + 3] & 0xff) << 16 | (payload[i + 4] & 0xff) << 8 | payload[i + 5] & 0xff;
        }
      }
      return null;
    }
  }

  /** The frames flushed so far; {@code preface} skips the client's 24-byte preface first. */
  private static List<Frame> frames(EmbeddedChannel channel, boolean preface) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
      byte[] chunk = new byte[buf.readableBytes()];
      buf.readBytes(chunk);
      buf.release();
      out.writeBytes(chunk);
    }
    byte[] all = out.toByteArray();
    int at = preface ? 24 : 0;
    List<Frame> frames = new ArrayList<>();
    while (at + 9 <= all.length) {
      int length = (all[at] & 0xff) << 16 | (all[at + 1] & 0xff) << 8 | all[at + 2] & 0xff;
      byte[] payload = Arrays.copyOfRange(all, at + 9, at + 9 + length);
      frames.add(new Frame(all[at + 3], all[at + 4], payload));
      at += 9 + length;
    }
    assertThat(at).as("whole frames only").isEqualTo(all.length);
    return frames;
  }

  /** An empty frame on stream 0. */
  private static ByteBuf frame(int type, int flags) {
    return Unpooled.wrappedBuffer(new byte[] {0, 0, 0, (byte) type, (byte) flags, 0, 0, 0, 0});
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
