package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.client.LargeFramesAccess;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame size on a real connection, read from the raw bytes: our client's connections receive
 * frames of up to 1 MiB; a client that does not advertise (flame's, or plain gRPC) still receives
 * 16 KiB frames and is answered in full. The server advertises nothing, so puts keep 16 KiB.
 */
class LargeFramesIT {
  private static final int DEFAULT_FRAME_BYTES = 16 * 1024;

  private final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final FrameScanner frames = new FrameScanner();
  @TempDir Path dir;

  @AfterEach
  void stop() throws InterruptedException {
    eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  @Test
  void ourClientsConnection_receivesFramesLargerThan16KiB() throws Exception {
    roundTrip(LargeFramesAccess::newChannel);

    assertThat(frames.largestDataIn()).isGreaterThan(DEFAULT_FRAME_BYTES).isLessThanOrEqualTo(LargeFramesAccess.MAX_FRAME_BYTES);
    assertThat(frames.largestDataOut()).isEqualTo(DEFAULT_FRAME_BYTES);
  }

  @Test
  void aClientThatDoesNotAdvertise_receives16KiBFramesAndTheWholeObject() throws Exception {
    roundTrip(NioSocketChannel::new);

    assertThat(frames.largestDataIn()).isEqualTo(DEFAULT_FRAME_BYTES);
  }

  /** Puts a 3 MiB object and gets it back over a channel of the given class; checks the bytes. */
  private void roundTrip(Supplier<NioSocketChannel> channelClass) throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(7).nextBytes(data);
    try (TestServer server = TestServer.start(dir)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.server().port())
          .usePlaintext()
          .channelFactory(() -> {
            NioSocketChannel connection = channelClass.get();
            connection.pipeline().addFirst(frames);
            return connection;
          })
          .eventLoopGroup(eventLoop)
          .build();
      try (RawClient client = new RawClient(channel)) {
        long version = client.put("app/s/big", data).version();
        RawClient.Response response = client.get("app/s/big", 0);
        assertThat(response.rows()).extracting(RawClient.Row::version).containsOnly(version);
        assertThat(response.base()).isEqualTo(data);
      }
    }
  }
}
