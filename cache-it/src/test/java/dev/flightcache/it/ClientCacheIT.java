package dev.flightcache.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheStats;
import dev.flightcache.client.CachedObject;
import dev.flightcache.client.ObjectDecoder;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.proto.ObjectRef;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caller-side cache: revalidation, patch-only appends, memoization, coalescing, invalidation. */
class ClientCacheIT {
  @TempDir Path dir;
  RunningServer server;
  CacheClient client;
  /** A second JVM-wide client, standing for another job writing the same objects. */
  CacheClient other;

  @BeforeEach
  void start() throws Exception {
    server = RunningServer.start(dir);
    client = server.client();
    other = server.client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    other.close();
    server.close();
  }

  @Test
  void get_currentObjectTwice_secondMovesNoPayloadBytes() {
    byte[] bytes = new byte[64 * 1024 * 1024];
    Arrays.fill(bytes, (byte) 7);
    ObjectRef ref = other.put("app/s/big", bytes);
    CachedObject first = client.get(ref);
    CacheStats afterFirst = client.stats();
    assertThat(afterFirst.misses()).isEqualTo(1);
    assertThat(afterFirst.bytesFetched()).isEqualTo(bytes.length);

    CachedObject second = client.get(ref);
    CacheStats afterSecond = client.stats();
    assertThat(afterSecond.bytesFetched()).isEqualTo(afterFirst.bytesFetched());
    assertThat(afterSecond.notModified()).isEqualTo(1);
    assertThat(afterSecond.hits()).isEqualTo(1);
    assertThat(afterSecond.bytesSaved()).isEqualTo(bytes.length);
    assertThat(second.base()).isEqualTo(first.base());
  }

  @Test
  void get_afterRemotePatch_appendsOnlyThePatch() {
    ObjectRef ref = other.put("app/s/o", "base".getBytes(UTF_8));
    client.get(ref);
    long fetched = client.stats().bytesFetched();
    ObjectRef patched = other.patch(ref, "+p".getBytes(UTF_8));

    CachedObject object = client.get(ref);
    assertThat(client.stats().bytesFetched() - fetched).isEqualTo(2);
    assertThat(client.stats().hits()).isEqualTo(1);
    assertThat(object.version()).isEqualTo(patched.version());
    assertThat(ClientCallsIT.utf8(object.base())).isEqualTo("base");
    assertThat(object.patches()).extracting(p -> ClientCallsIT.utf8(p.data())).containsExactly("+p");
  }

  @Test
  void get_afterRemoteUpdate_replacesTheEntry() {
    ObjectRef ref = other.put("app/s/o", "old".getBytes(UTF_8));
    client.get(ref);
    other.update(ref, "new".getBytes(UTF_8));
    CachedObject object = client.get(ref);
    assertThat(ClientCallsIT.utf8(object.base())).isEqualTo("new");
    assertThat(object.version()).isEqualTo(2);
    assertThat(client.stats().misses()).isEqualTo(2);
  }

  @Test
  void get_refVersionZero_bypassesTheCache() {
    ObjectRef ref = other.put("app/s/o", "x".getBytes(UTF_8));
    client.get(ref);
    client.get(new ObjectRef(ref.endpoint(), ref.key(), 0));
    assertThat(client.stats().misses()).isEqualTo(2);
    assertThat(client.stats().notModified()).isZero();
  }

  @Test
  void getWithDecoder_sameDecoderAndVersion_decodesOnce() {
    ObjectRef ref = other.put("app/s/o", "abc".getBytes(UTF_8));
    AtomicInteger upperCalls = new AtomicInteger();
    AtomicInteger lengthCalls = new AtomicInteger();
    ObjectDecoder<String> upper = (base, patches) -> {
      upperCalls.incrementAndGet();
      return ClientCallsIT.utf8(base).toUpperCase();
    };
    ObjectDecoder<Integer> length = (base, patches) -> {
      lengthCalls.incrementAndGet();
      return base.remaining();
    };
    String first = client.get(ref, upper);
    String second = client.get(ref, upper);
    assertThat(first).isEqualTo("ABC");
    assertThat(second).isSameAs(first);
    assertThat(upperCalls).hasValue(1);
    // Another decoder on the same cached object gets its own value (flame once returned the first's).
    assertThat(client.get(ref, length)).isEqualTo(3);
    assertThat(lengthCalls).hasValue(1);
    other.patch(ref, "d".getBytes(UTF_8));
    assertThat(client.get(ref, upper)).isEqualTo("ABC");
    assertThat(upperCalls).hasValue(2);
  }

  @Test
  void get_concurrentCallers_shareOneFetch() throws Exception {
    byte[] bytes = new byte[32 * 1024 * 1024];
    new java.util.Random(3).nextBytes(bytes);
    ObjectRef ref = other.put("app/s/shared", bytes);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ByteBuffer>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return client.get(ref).base();
        }));
      }
      go.countDown();
      for (Future<ByteBuffer> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(ByteBuffer.wrap(bytes));
      }
    } finally {
      pool.shutdownNow();
    }
    CacheStats stats = client.stats();
    assertThat(stats.misses()).isEqualTo(1);
    assertThat(stats.bytesFetched()).isEqualTo(bytes.length);
    assertThat(stats.coalesced() + stats.notModified()).isEqualTo(threads - 1);
    assertThat(stats.coalesced()).isPositive();
  }

  @Test
  void get_concurrentPatchOnlyAnswers_neverApplyAPatchTwice() throws Exception {
    ObjectRef ref = other.put("app/s/o", "b".getBytes(UTF_8));
    client.get(ref);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        other.patch(ref, ("" + (char) ('a' + round % 26)).getBytes(UTF_8));
        List<Future<CachedObject>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          results.add(pool.submit(() -> client.get(ref)));
        }
        for (Future<CachedObject> result : results) {
          CachedObject object = result.get(30, TimeUnit.SECONDS);
          List<Long> versions = object.patches().stream().map(CachedObject.Patch::version).toList();
          assertThat(versions).doesNotHaveDuplicates().isSorted();
          assertThat(versions).hasSize(round + 1);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ownUpdatePatchAndDelete_invalidateByTheServersRules() {
    ObjectRef s = client.put("app/s/x", "s".getBytes(UTF_8));
    ObjectRef s2 = client.put("app/s2/x", "s2".getBytes(UTF_8));
    ObjectRef extra = client.put("app/s-extra/x", "extra".getBytes(UTF_8));
    client.get(s);
    client.get(s2);
    client.get(extra);
    client.delete("app/s");
    assertThatThrownBy(() -> client.get(s)).isInstanceOf(ObjectNotFoundException.class);
    long notModified = client.stats().notModified();
    client.get(s2);
    client.get(extra);
    // The session delete left app/s2 and app/s-extra cached: both revalidate as not modified.
    assertThat(client.stats().notModified()).isEqualTo(notModified + 2);

    ObjectRef updated = client.update(s2, "v2".getBytes(UTF_8));
    assertThat(ClientCallsIT.utf8(client.get(updated).base())).isEqualTo("v2");
    ObjectRef patched = client.patch(updated, "!".getBytes(UTF_8));
    assertThat(client.get(patched).patches()).hasSize(1);
  }

  @Test
  void cacheBudget_zero_cachesNothing() throws Exception {
    try (CacheClient uncached = server.clientBuilder().cacheMaxBytes(0).build()) {
      ObjectRef ref = other.put("app/s/o", "x".getBytes(UTF_8));
      uncached.get(ref);
      uncached.get(ref);
      assertThat(uncached.stats().misses()).isEqualTo(2);
      assertThat(uncached.stats().notModified()).isZero();
    }
  }
}
