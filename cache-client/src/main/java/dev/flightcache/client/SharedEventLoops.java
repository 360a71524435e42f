package dev.flightcache.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * One NIO event loop group shared by every client in the process, as gRPC shares its default
 * one: its threads start with the first {@link #acquire()} and stop after the last {@link
 * #release()}. gRPC takes our channel class ({@link LargeFrames}) only with a group of ours.
 *
 * <p>One thread per core. With Netty's default of two per core, sixteen clients making 1 KiB gets
 * on two cores made 8,000 to 9,000 calls a second against 13,000 to 14,000: more threads than
 * cores only add context switches.
 */
final class SharedEventLoops {
  private final String threadPrefix;
  private EventLoopGroup group;
  private int users;

  /** @param threadPrefix names the group's threads, which are daemon threads */
  SharedEventLoops(String threadPrefix) {
    this.threadPrefix = threadPrefix;
  }

  /** The group, started if this is its first user; every call needs one {@link #release()}. */
  synchronized EventLoopGroup acquire() {
    if (users++ == 0) {
      group = new MultiThreadIoEventLoopGroup(
          Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory(threadPrefix, true), NioIoHandler.newFactory());
    }
    return group;
  }

  /**
   * Ends one use; the last stops the threads once they have been idle for a moment (their
   * connections are closing) and returns without waiting.
   */
  synchronized void release() {
    if (users == 0) {
      throw new IllegalStateException("released more often than acquired");
    }
    if (--users == 0) {
      group.shutdownGracefully(100, 5_000, TimeUnit.MILLISECONDS);
      group = null;
    }
  }
}
