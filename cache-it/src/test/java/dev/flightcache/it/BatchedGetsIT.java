package dev.flightcache.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CachedObject;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many callers sharing one client: their gets share GET_MANY calls once more than two are in
 * flight, and each caller still gets exactly what a do_get of its own would have given it.
 */
class BatchedGetsIT {
  private static final int CALLERS = 24;

  @TempDir Path dir;
  RunningServer server;
  ExecutorService pool = Executors.newFixedThreadPool(CALLERS);

  @BeforeEach
  void start() throws Exception {
    server = RunningServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    pool.shutdownNow();
    server.close();
  }

  @Test
  void manyCallers_everyAnswerRight_someCallsShared_eachGetMeteredOnce() throws Exception {
    List<ObjectRef> refs = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    long fetched;
    try (CacheClient writer = server.client(); CacheClient shared = server.clientBuilder().cacheMaxBytes(0).build()) {
      Random random = new Random(7);
      for (int i = 0; i < 24; i++) {
        byte[] bytes = new byte[1024 + i];
        random.nextBytes(bytes);
        refs.add(writer.put("app/s/small" + i, bytes));
        contents.add(bytes);
      }
      byte[] large = new byte[200 * 1024];
      random.nextBytes(large);
      refs.add(writer.put("app/s/large", large));
      contents.add(large);
      ObjectRef patched = writer.put("app/s/patched", "base".getBytes());
      writer.patch(patched, "+one".getBytes());
      refs.add(patched);
      contents.add(null);
      ObjectRef gone = writer.put("app/s/gone", "soon".getBytes());
      writer.delete(gone.key().toString());

      List<Future<?>> callers = new ArrayList<>();
      for (int c = 0; c < CALLERS; c++) {
        int caller = c;
        callers.add(pool.submit(() -> {
          for (int n = 0; n < 150; n++) {
            int pick = (caller * 7 + n) % (refs.size() + 1);
            if (pick == refs.size()) {
              assertThatThrownBy(() -> shared.get(gone)).isInstanceOf(ObjectNotFoundException.class)
                  .hasMessageContaining("app/s/gone");
              continue;
            }
            CachedObject got = shared.get(refs.get(pick));
            if (contents.get(pick) == null) {
              assertThat(bytes(got.base())).isEqualTo("base".getBytes());
              assertThat(got.patches()).extracting(p -> new String(bytes(p.data()))).containsExactly("+one");
              assertThat(got.version()).isEqualTo(2);
            } else {
              assertThat(bytes(got.base())).isEqualTo(contents.get(pick));
              assertThat(got.patches()).isEmpty();
            }
          }
          return null;
        }));
      }
      for (Future<?> caller : callers) {
        caller.get(60, TimeUnit.SECONDS);
      }
      // Gets of one key that overlap share one fetch (the client's coalescing); each fetch that
      // answered is one get at the server, made alone or inside a GET_MANY.
      fetched = shared.stats().misses();
    }

    String metrics = awaitMetrics(text -> sum(text, "flight_cache_gets_total") >= fetched);
    assertThat(sum(metrics, "flight_cache_calls_seconds_count\\{method=\"do_action\",status=\"OK\"")).as("GET_MANY calls").isPositive();
    assertThat(sum(metrics, "flight_cache_gets_total")).as("each get metered once").isEqualTo(fetched);
  }

  @Test
  void readersDuringUpdates_seeWholeVersions_neverGoingBack() throws Exception {
    int keys = 4;
    try (CacheClient writer = server.client(); CacheClient shared = server.client()) {
      List<ObjectRef> firsts = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        firsts.add(writer.put("app/s/hot" + k, filled(1024, 0)));
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      Future<?> updates = pool.submit(() -> {
        List<ObjectRef> current = new ArrayList<>(firsts);
        for (int v = 1; v < 50; v++) {
          for (int k = 0; k < keys; k++) {
            current.set(k, writer.update(current.get(k), filled(1024, v)));
          }
        }
        writing.set(false);
        return null;
      });
      List<Future<?>> readers = new ArrayList<>();
      for (int c = 0; c < CALLERS - 1; c++) {
        ObjectRef ref = firsts.get(c % keys);
        readers.add(pool.submit(() -> {
          long last = 0;
          while (writing.get()) {
            CachedObject got = shared.get(ref);
            byte[] bytes = bytes(got.base());
            assertThat(bytes).hasSize(1024);
            for (byte b : bytes) {
              assertThat(b).as("one version's bytes, whole").isEqualTo(bytes[0]);
            }
            assertThat(got.version()).as("versions never go back").isGreaterThanOrEqualTo(last);
            last = got.version();
          }
          return null;
        }));
      }
      updates.get(60, TimeUnit.SECONDS);
      for (Future<?> reader : readers) {
        reader.get(60, TimeUnit.SECONDS);
      }
      for (ObjectRef first : firsts) {
        assertThat(bytes(shared.get(first).base())).isEqualTo(filled(1024, 49));
      }
    }
  }

  private String awaitMetrics(java.util.function.Predicate<String> done) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String text = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      if (done.test(text) || System.nanoTime() > deadline) {
        return text;
      }
      Thread.sleep(20);
    }
  }

  /** The sum of every sample whose line starts with {@code prefix} (a regex). */
  private static long sum(String metrics, String prefix) {
    Matcher matcher = Pattern.compile("(?m)^" + prefix + "[^\\n]* (\\S+)$").matcher(metrics);
    double total = 0;
    while (matcher.find()) {
      total += Double.parseDouble(matcher.group(1));
    }
    return (long) total;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  private static byte[] filled(int size, int value) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
