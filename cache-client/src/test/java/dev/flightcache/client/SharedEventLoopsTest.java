package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedEventLoopsTest {
  private final SharedEventLoops loops = new SharedEventLoops("test-ELG");

  @Test
  void usersShareOneGroup_whichStopsAfterTheLastRelease() throws Exception {
    EventLoopGroup first = loops.acquire();
    assertThat(loops.acquire()).isSameAs(first);
    assertThat(first.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS)).startsWith("test-ELG");

    loops.release();
    assertThat(first.isShuttingDown()).isFalse();
    loops.release();
    assertThat(first.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    EventLoopGroup next = loops.acquire();
    assertThat(next).isNotSameAs(first);
    assertThat(next.isShuttingDown()).isFalse();
    loops.release();
  }

  @Test
  void aReleaseWithoutAnAcquire_isRefused() {
    assertThatThrownBy(loops::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("released more often");
  }
}
