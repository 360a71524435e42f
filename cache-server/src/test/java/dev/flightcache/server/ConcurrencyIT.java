package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many callers at once, bounded in time and count: writes to one key are serialized into
 * distinct contiguous versions, readers always see one consistent snapshot, and deletes racing
 * writes leave every key either gone or whole, never with a version that goes back.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConcurrencyIT {
  private static final long WAIT_SECONDS = 30;

  @TempDir Path dir;
  TestServer server;
  RawClient client;
  ExecutorService pool;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
    pool = Executors.newFixedThreadPool(12);
  }

  @AfterEach
  void close() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).as("workers stopped").isTrue();
    client.close();
    server.close();
  }

  @Test
  void put_manyThreadsOneKey_versionsDistinctAndContiguous() throws Exception {
    int threads = 8;
    int each = 25;
    String key = "app/s/shared";
    Map<Long, String> payloadByVersion = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> versions = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);

    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < each; i++) {
          String payload = "t" + thread + "-" + i;
          long v = client.put(key, payload.getBytes(UTF_8)).version();
          versions.add(v);
          payloadByVersion.put(v, payload);
        }
        return null;
      }));
    }
    go.countDown();
    awaitAll(writers);

    int total = threads * each;
    assertThat(versions).hasSize(total).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(versions)).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());

    RawClient.Response last = client.get(key, 0);
    assertThat(last.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("base", (long) total));
    assertThat(text(last.base())).isEqualTo(payloadByVersion.get((long) total));
  }

  @Test
  void putAndPatch_manyThreadsOneKey_versionsDistinctAndContiguous() throws Exception {
    int threads = 8;
    int each = 25;
    String key = "app/s/mixed";
    client.put(key, "seed".getBytes(UTF_8));
    ConcurrentLinkedQueue<Long> versions = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);

    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < each; i++) {
          byte[] payload = ("t" + thread + "-" + i).getBytes(UTF_8);
          versions.add(i % 3 == 0 ? client.put(key, payload).version() : client.patch(key, payload).version());
        }
        return null;
      }));
    }
    go.countDown();
    awaitAll(writers);

    int total = threads * each;
    assertThat(new TreeSet<>(versions)).hasSize(total)
        .containsExactlyElementsOf(LongStream.rangeClosed(2, total + 1).boxed().toList());
    RawClient.Response last = client.get(key, 0);
    assertThat(last.rows()).extracting(RawClient.Row::version).last().isEqualTo((long) total + 1);
    assertContiguous(last, key);
  }

  @Test
  void get_concurrentWithUpdatesAndPatches_alwaysOneGeneration() throws Exception {
    String key = "app/s/gen";
    int generations = 30;
    int patchesPerGeneration = 5;
    Map<Integer, Long> baseVersionOfGeneration = new ConcurrentHashMap<>();
    baseVersionOfGeneration.put(0, client.put(key, "g0".getBytes(UTF_8)).version());
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> observedBases = new ConcurrentLinkedQueue<>();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger patchOnlyReads = new AtomicInteger();

    Future<?> writer = pool.submit(() -> {
      try {
        for (int g = 1; g <= generations; g++) {
          long v = client.put(key, ("g" + g).getBytes(UTF_8)).version();
          baseVersionOfGeneration.put(g, v);
          for (int i = 1; i <= patchesPerGeneration; i++) {
            assertThat(client.patch(key, ("g" + g + ".p" + i).getBytes(UTF_8)).version()).isEqualTo(v + i);
          }
        }
      } finally {
        writing.set(false);
      }
      return null;
    });

    List<Future<?>> readers = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      boolean incremental = r % 2 == 1;
      readers.add(pool.submit(() -> {
        long held = 0;
        String heldGeneration = null;
        int heldPatches = 0;
        for (int n = 0; n < 20_000 && writing.get(); n++) {
          RawClient.Response response = client.get(key, incremental ? held : 0);
          reads.incrementAndGet();
          if (response.notModified()) {
            assertThat(held).isNotZero();
            continue;
          }
          List<RawClient.Row> rows = response.rows();
          assertThat(rows).isNotEmpty();
          if (rows.get(0).kind().equals("base")) {
            heldGeneration = text(rows.get(0).data());
            observedBases.add(heldGeneration + "@" + rows.get(0).version());
            heldPatches = 0;
            assertContiguous(response, key);
          } else {
            // Patch-only: the base is the one this reader holds, so the patches continue it.
            assertThat(incremental).isTrue();
            patchOnlyReads.incrementAndGet();
            assertThat(rows).extracting(RawClient.Row::kind).containsOnly("patch");
            assertThat(rows.get(0).version()).as("first patch after v%d", held).isEqualTo(held + 1);
          }
          for (int i = 0; i < rows.size(); i++) {
            RawClient.Row row = rows.get(i);
            assertThat(row.version()).isEqualTo(rows.get(0).version() + i);
            if (row.kind().equals("patch")) {
              heldPatches++;
              assertThat(text(row.data())).as("patch at v%d", row.version()).isEqualTo(heldGeneration + ".p" + heldPatches);
            }
          }
          held = rows.get(rows.size() - 1).version();
        }
        return null;
      }));
    }
    awaitAll(List.of(writer));
    awaitAll(readers);

    assertThat(reads.get()).isGreaterThan(10);
    // Every base a reader saw carried the version the writer was given for that generation.
    for (String seen : observedBases) {
      int g = Integer.parseInt(seen.substring(1, seen.indexOf('@')));
      assertThat(seen).isEqualTo("g" + g + "@" + baseVersionOfGeneration.get(g));
    }
    RawClient.Response last = client.get(key, 0);
    assertThat(text(last.base())).isEqualTo("g" + generations);
    assertThat(last.patches()).hasSize(patchesPerGeneration);
  }

  @Test
  void deleteSession_concurrentWithPutsAndPatches_keysGoneOrWholeAndVersionsNeverGoBack() throws Exception {
    int keys = 8;
    int rounds = 12;
    List<String> keyNames = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      keyNames.add("app/s/k" + k);
    }
    // Each key has one writer. Per key: every acknowledged version, in the order it came back,
    // and the payloads the object holds after the writer's last call (empty: it was deleted).
    Map<String, List<Long>> acked = new ConcurrentHashMap<>();
    Map<String, List<String>> lastState = new ConcurrentHashMap<>();
    AtomicInteger patchesRefused = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();

    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      List<String> mine = keyNames.subList(w * 2, w * 2 + 2);
      writers.add(pool.submit(() -> {
        for (int round = 0; round < rounds; round++) {
          for (String key : mine) {
            List<Long> versions = acked.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()));
            String base = key + " r" + round;
            versions.add(client.put(key, base.getBytes(UTF_8)).version());
            List<String> state = new ArrayList<>(List.of(base));
            for (int p = 1; p <= 2; p++) {
              String patch = base + ".p" + p;
              try {
                versions.add(client.patch(key, patch.getBytes(UTF_8)).version());
                state.add(patch);
              } catch (FlightRuntimeException e) {
                // Deleted since the put: fine, and then it stays deleted until the next put.
                assertThat(e.status().code()).as("patch of %s: %s", key, e.getMessage()).isEqualTo(FlightStatusCode.NOT_FOUND);
                patchesRefused.incrementAndGet();
                state = List.of();
                break;
              }
            }
            lastState.put(key, state);
          }
        }
        return null;
      }));
    }
    Future<?> sessionDeleter = pool.submit(() -> {
      for (int n = 0; n < 60 && anyRunning(writers); n++) {
        Thread.sleep(10);
        assertThat(client.delete(n % 4 == 3 ? "app/*" : "app/s")).containsExactly("OK");
        deletes.incrementAndGet();
      }
      return null;
    });
    // Exact-key deletes from two more threads, so removals of one session's keys overlap.
    List<Future<?>> exactDeleters = new ArrayList<>();
    for (int d = 0; d < 2; d++) {
      int offset = d;
      exactDeleters.add(pool.submit(() -> {
        for (int n = 0; n < 200 && anyRunning(writers); n++) {
          Thread.sleep(2);
          assertThat(client.delete(keyNames.get((n * 2 + offset) % keys))).containsExactly("OK");
          deletes.incrementAndGet();
        }
        return null;
      }));
    }
    awaitAll(writers);
    awaitAll(List.of(sessionDeleter));
    awaitAll(exactDeleters);
    assertThat(deletes.get()).isPositive();

    Map<String, String> before = new java.util.HashMap<>();
    for (String key : keyNames) {
      List<Long> versions = acked.get(key);
      // Never back, never reused: not even across the deletes in between.
      assertThat(versions).as("versions acknowledged for %s, in order", key).isSorted().doesNotHaveDuplicates();
      before.put(key, assertGoneOrWhole(key, versions, lastState.get(key)));
    }

    // The same state after a restart, and a put of every key goes above all it ever had.
    client.close();
    server.restart();
    client = new RawClient(server.location());
    for (String key : keyNames) {
      assertThat(assertGoneOrWhole(key, acked.get(key), lastState.get(key))).as(key).isEqualTo(before.get(key));
      long highest = Collections.max(acked.get(key));
      assertThat(client.put(key, "after".getBytes(UTF_8)).version()).as(key).isGreaterThan(highest);
    }
  }

  @Test
  void put_distinctKeysInParallel_allStoredAndReadable() throws Exception {
    int threads = 8;
    int each = 40;
    Map<String, byte[]> written = new ConcurrentHashMap<>();
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) {
          byte[] payload = ("thread " + thread + " object " + i + " ").repeat(1 + i % 7).getBytes(UTF_8);
          ObjectRef ref = i % 2 == 0
              ? client.put("app/s" + (i % 3), payload)
              : client.put("app/s" + (i % 3) + "/t" + thread + "-" + i, payload);
          assertThat(ref.version()).isEqualTo(1);
          assertThat(written.put(ref.key().toString(), payload)).isNull();
        }
        return null;
      }));
    }
    awaitAll(writers);

    assertThat(written).hasSize(threads * each);
    List<Future<?>> readers = new ArrayList<>();
    List<String> keys = new ArrayList<>(written.keySet());
    for (int r = 0; r < 4; r++) {
      int offset = r;
      readers.add(pool.submit(() -> {
        for (int i = offset; i < keys.size(); i += 4) {
          RawClient.Response response = client.get(keys.get(i), 0);
          assertThat(response.rows()).as(keys.get(i)).extracting(RawClient.Row::version).containsExactly(1L);
          assertThat(response.base()).as(keys.get(i)).isEqualTo(written.get(keys.get(i)));
        }
        return null;
      }));
    }
    awaitAll(readers);
  }

  @Test
  void put_newSessionsFromManyThreadsAtOnce_allSucceed() throws Exception {
    int threads = 8;
    int rounds = 30;
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
    AtomicBoolean failed = new AtomicBoolean();
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        for (int round = 0; round < rounds; round++) {
          // Every thread's first key of a session (and, on odd rounds, of an app) at the same moment.
          String key = round % 2 == 0 ? "app/fresh" + round + "/t" + thread : "app" + round + "/s/t" + thread;
          if (failed.get()) {
            return null;
          }
          together.await(5, TimeUnit.SECONDS);
          try {
            assertThat(client.put(key, key.getBytes(UTF_8)).version()).as(key).isEqualTo(1);
          } catch (Throwable failure) {
            failed.set(true);
            together.reset(); // release the others waiting now; later ones see the flag or time out
            throw failure;
          }
        }
        return null;
      }));
    }
    awaitAll(writers);
    for (int round = 0; round < rounds; round++) {
      for (int t = 0; t < threads; t++) {
        String key = round % 2 == 0 ? "app/fresh" + round + "/t" + t : "app" + round + "/s/t" + t;
        assertThat(client.get(key, 0).base()).as(key).isEqualTo(key.getBytes(UTF_8));
      }
    }
  }

  @Test
  void getChunked_largeObjectWhileUpdated_eachReadIsOneWholeVersion() throws Exception {
    int size = 20 << 20;
    String key = "app/s/large";
    Map<Long, Byte> fillOfVersion = new ConcurrentHashMap<>();
    fillOfVersion.put(client.put(key, filledChunks(size, (byte) 1)).version(), (byte) 1);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    ConcurrentLinkedQueue<Long> versionsRead = new ConcurrentLinkedQueue<>();

    Future<?> writer = pool.submit(() -> {
      try {
        for (int fill = 2; fill <= 5; fill++) {
          long v = client.put(key, filledChunks(size, (byte) fill)).version();
          fillOfVersion.put(v, (byte) fill);
        }
      } finally {
        writing.set(false);
      }
      return null;
    });
    List<Future<?>> readers = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      readers.add(pool.submit(() -> {
        try (RawClient own = new RawClient(server.location())) {
          for (int n = 0; n < 200 && (writing.get() || n < 2); n++) {
            RawClient.Response response = own.getChunked(key, 0);
            assertThat(response.patches()).isEmpty();
            long version = response.rows().get(0).version();
            assertThat(response.rows()).extracting(RawClient.Row::version).containsOnly(version);
            byte[] base = response.base();
            assertThat(base.length).isEqualTo(size);
            byte fill = base[0];
            int mismatch = firstMismatch(base, fill);
            assertThat(mismatch).as("v%d first byte %d differs at offset", version, fill).isEqualTo(-1);
            // Version v was written with fill byte v (checked against the writer's acks below).
            assertThat(fill).as("fill of v%d", version).isEqualTo((byte) version);
            versionsRead.add(version);
            reads.incrementAndGet();
          }
        }
        return null;
      }));
    }
    awaitAll(List.of(writer));
    awaitAll(readers);

    assertThat(reads.get()).isGreaterThanOrEqualTo(8);
    for (long v : versionsRead) {
      assertThat(fillOfVersion).containsEntry(v, (byte) v);
    }
    RawClient.Response last = client.getChunked(key, 0);
    assertThat(last.rows()).extracting(RawClient.Row::version).containsOnly(5L);
    assertThat(firstMismatch(last.base(), (byte) 5)).isEqualTo(-1);
  }

  @Test
  void putAndDelete_aThousandDistinctKeys_serverStillAnswers() throws Exception {
    // 10,000 pairs took over 60 s on a 2-CPU machine (each put and delete syncs to disk).
    int threads = 8;
    int total = 1_000;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong highest = new java.util.concurrent.atomic.AtomicLong();
    long started = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(pool.submit(() -> {
        try {
          for (int i = next.getAndIncrement(); i < total && !failed.get(); i = next.getAndIncrement()) {
            // A few sessions, so the removals of one session's keys overlap and empty it often.
            String key = "app/s" + (i % 4) + "/k" + i;
            long v = client.put(key, ("v" + i).getBytes(UTF_8)).version();
            highest.accumulateAndGet(v, Math::max);
            assertThat(client.delete(key)).containsExactly("OK");
            done.incrementAndGet();
          }
        } catch (Throwable failure) {
          failed.set(true); // stop the others too
          throw failure;
        }
        return null;
      }));
    }
    try {
      awaitAll(workers, 60);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (" + next.get() + " of " + total + " keys started)", e);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf("%d put+delete pairs in %d ms%n", total, millis);

    assertThat(done.get()).isEqualTo(total);
    for (int i = 0; i < total; i += 97) {
      String key = "app/s" + (i % 4) + "/k" + i;
      assertThatNotFound(key);
    }
    ObjectRef fresh = client.put("app/s0/k0", "again".getBytes(UTF_8));
    assertThat(fresh.version()).isGreaterThan(highest.get());
    assertThat(client.get("app/s0/k0", 0).base()).isEqualTo("again".getBytes(UTF_8));
    assertThat(client.delete("app/*")).containsExactly("OK");
  }

  // ---- helpers ----

  /**
   * Checks a key is either absent or whole. A key its writer last saw deleted must be absent;
   * otherwise, if present, it holds exactly the payloads last acknowledged, at the version last
   * acknowledged (a delete may still have removed it after that). Returns a summary of it.
   */
  private String assertGoneOrWhole(String key, List<Long> acked, List<String> lastState) {
    RawClient.Response response;
    try {
      response = client.get(key, 0);
    } catch (FlightRuntimeException e) {
      assertThat(e.status().code()).as("get of %s: %s", key, e.getMessage()).isEqualTo(FlightStatusCode.NOT_FOUND);
      return "gone";
    }
    assertThat(lastState).as("%s was deleted after its last put, yet answers %s", key, response.rows()).isNotEmpty();
    assertContiguous(response, key);
    assertThat(response.rows()).as(key).extracting(r -> text(r.data())).containsExactlyElementsOf(lastState);
    long current = response.rows().get(response.rows().size() - 1).version();
    assertThat(current).as("%s is at the last version its writer saw", key).isEqualTo(acked.get(acked.size() - 1));
    return response.rows() + "@" + current;
  }

  /** A full answer: one base row, then patches at base+1, base+2, ... */
  private static void assertContiguous(RawClient.Response response, String key) {
    List<RawClient.Row> rows = response.rows();
    assertThat(rows).as(key).isNotEmpty();
    assertThat(rows.get(0).kind()).as(key).isEqualTo("base");
    long base = rows.get(0).version();
    for (int i = 1; i < rows.size(); i++) {
      RawClient.Row row = rows.get(i);
      assertThat(row.kind()).as("%s row %d", key, i).isEqualTo("patch");
      assertThat(row.version()).as("%s row %d after base v%d", key, i, base).isEqualTo(base + i);
    }
  }

  private void assertThatNotFound(String key) {
    try {
      client.get(key, 0);
    } catch (FlightRuntimeException e) {
      assertThat(e.status().code()).as(key).isEqualTo(FlightStatusCode.NOT_FOUND);
      return;
    }
    throw new AssertionError(key + " still exists after its delete");
  }

  private static boolean anyRunning(List<Future<?>> futures) {
    return futures.stream().anyMatch(f -> !f.isDone());
  }

  /** Waits for every task, bounded, and rethrows the first failure. */
  private static void awaitAll(List<Future<?>> futures) throws Exception {
    awaitAll(futures, WAIT_SECONDS);
  }

  /**
   * Waits, at most {@code seconds}, until every task has finished, then rethrows the failure of
   * the first that failed for a reason of its own (one broken barrier breaks all the others).
   */
  private static void awaitAll(List<Future<?>> futures, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!futures.stream().allMatch(Future::isDone)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("a task did not finish within " + seconds + " s");
      }
      Thread.sleep(10);
    }
    List<Throwable> failures = new ArrayList<>();
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    if (failures.isEmpty()) {
      return;
    }
    failures.sort(java.util.Comparator.comparing(f -> f instanceof java.util.concurrent.BrokenBarrierException));
    Throwable first = failures.get(0);
    failures.stream().skip(1).limit(5).forEach(first::addSuppressed);
    if (first instanceof Error error) {
      throw error;
    }
    throw (Exception) first;
  }

  /** {@code size} bytes of {@code fill}, as 1 MiB upload rows. */
  private static byte[][] filledChunks(int size, byte fill) {
    int chunk = 1 << 20;
    byte[][] rows = new byte[(size + chunk - 1) / chunk][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new byte[Math.min(chunk, size - i * chunk)];
      Arrays.fill(rows[i], fill);
    }
    return rows;
  }

  private static int firstMismatch(byte[] bytes, byte fill) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != fill) {
        return i;
      }
    }
    return -1;
  }

  private static String text(byte[] data) {
    return new String(data, UTF_8);
  }
}
