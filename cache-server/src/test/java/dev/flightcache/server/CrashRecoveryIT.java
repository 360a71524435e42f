package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectSnapshot;
import dev.flightcache.server.store.StoreLimits;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server in a child JVM is killed with SIGKILL while writers put, replace and patch; the server
 * restarted on the same directory must hold every acknowledged write, at most one more write per
 * key that was in flight, and never a file it has to set aside. SIGTERM drains in-flight calls.
 */
class CrashRecoveryIT {
  private static final int KEYS = 20;
  private static final int WRITERS = 4;
  private static final int CYCLES = 3;
  private static final int ROW_BYTES = 256 * 1024;
  private static final int PATCHES_BEFORE_REPLACE = 8;

  /** Kept when a test fails: the server logs are in logs/. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;

  /** One version of an object: its base and patches. */
  record Snapshot(long baseVersion, byte[] base, List<Part> patches) {
    long version() {
      return patches.isEmpty() ? baseVersion : patches.get(patches.size() - 1).version();
    }

    Snapshot after(Write write, long version) {
      if (write.replace()) {
        return new Snapshot(version, write.payload(), List.of());
      }
      List<Part> next = new ArrayList<>(patches);
      next.add(new Part(version, write.payload()));
      return new Snapshot(baseVersion, base, List.copyOf(next));
    }

    /** Null if equal, else what differs. */
    String differenceFrom(Snapshot actual) {
      if (baseVersion != actual.baseVersion) {
        return "base version " + actual.baseVersion + ", expected " + baseVersion;
      }
      if (!Arrays.equals(base, actual.base)) {
        return "base v" + baseVersion + " is " + describe(actual.base) + ", expected " + describe(base);
      }
      if (patches.size() != actual.patches.size()) {
        return actual.patches.size() + " patches " + actual.patches + ", expected " + patches;
      }
      for (int i = 0; i < patches.size(); i++) {
        Part want = patches.get(i);
        Part got = actual.patches.get(i);
        if (want.version() != got.version() || !Arrays.equals(want.bytes(), got.bytes())) {
          return "patch " + i + " is " + got + ", expected " + want;
        }
      }
      return null;
    }
  }

  record Part(long version, byte[] bytes) {
    @Override
    public String toString() {
      return "v" + version + ":" + describe(bytes);
    }
  }

  /** A put (replace) or a patch, with its payload. */
  record Write(boolean replace, byte[] payload) {}

  /** What the test knows of one key; only its writer thread touches it while writers run. */
  static final class KeyState {
    final String key;
    Snapshot acknowledged;
    Write inFlight;

    KeyState(String key) {
      this.key = key;
    }

    long version() {
      return acknowledged == null ? 0 : acknowledged.version();
    }
  }

  /** How a writer thread ended. */
  record WriterEnd(int acknowledged, RuntimeException failure, long failedAtNanos, String protocolError) {}

  // ---------------------------------------------------------------------------------------------
  // SIGKILL

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sigkill_duringWrites_acknowledgedWritesSurviveAndNothingQuarantined() throws Exception {
    Path storage = work.resolve("store");
    Path logs = work.resolve("logs");
    long seed = System.nanoTime();
    System.out.println("CrashRecoveryIT seed " + seed);
    Random random = new Random(seed);
    List<KeyState> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      keys.add(new KeyState(String.format("crash/s%d/k%02d", i % 3, i)));
    }
    int inFlightTotal = 0;
    ChildServer server = ChildServer.start(storage, logs);
    try {
      // Create each key once, one at a time: concurrent first puts into a new session are a
      // separate concern (RecoveryTest.commitPut_concurrentFirstPutsInOneNewSession_allSucceed).
      try (RawClient client = new RawClient(server.location())) {
        for (KeyState state : keys) {
          byte[] payload = payload(state.key, 1, true, random);
          assertThat(client.put(state.key, rows(payload)).version()).isEqualTo(1);
          state.acknowledged = new Snapshot(1, payload, List.of());
        }
      }
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        long killAfterMillis = 2000 + random.nextInt(1000);
        List<WriterEnd> ends = writeUntilKilled(server, keys, random.nextLong(), killAfterMillis);
        int acked = ends.stream().mapToInt(WriterEnd::acknowledged).sum();
        long inFlight = keys.stream().filter(k -> k.inFlight != null).count();
        inFlightTotal += inFlight;

        server = ChildServer.start(storage, logs);

        assertThat(storage.resolve("tmp")).as("tmp/ after restart; logs in " + logs).isEmptyDirectory();
        assertThat(storage.resolve("quarantine")).as("quarantine/ after restart; logs in " + logs).isEmptyDirectory();
        List<String> problems = new ArrayList<>();
        int inFlightApplied = verifyAndAdopt(server, keys, problems);
        System.out.printf(
            "CrashRecoveryIT cycle %d: killed after %d ms, %d writes acknowledged, %d in flight, %d of them applied%n",
            cycle, killAfterMillis, acked, inFlight, inFlightApplied);
        assertThat(problems)
            .as("keys whose state after restart is not acknowledged (+ one in-flight write); logs in " + logs)
            .isEmpty();
        assertThat(acked).as("writes acknowledged in cycle " + cycle).isPositive();
        assertThat(server.log()).doesNotContain("Set aside").doesNotContain(" ERROR ");
      }
    } finally {
      server.close();
    }
    assertThat(inFlightTotal).as("writes in flight at the kills (else the test proves little)").isPositive();
  }

  /** Runs the writers, SIGKILLs the server after {@code killAfterMillis}, and waits for them. */
  private static List<WriterEnd> writeUntilKilled(ChildServer server, List<KeyState> keys, long seed, long killAfterMillis)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    AtomicBoolean killed = new AtomicBoolean();
    long killedAt;
    List<Future<WriterEnd>> futures = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        List<KeyState> owned = new ArrayList<>();
        for (int i = w; i < keys.size(); i += WRITERS) {
          owned.add(keys.get(i));
        }
        long writerSeed = seed + w;
        futures.add(pool.submit(() -> writer(server, owned, writerSeed, killed)));
      }
      Thread.sleep(killAfterMillis);
      killedAt = System.nanoTime();
      killed.set(true);
      server.kill();
    } finally {
      pool.shutdown();
    }
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).as("writers ended after the kill").isTrue();
    List<WriterEnd> ends = new ArrayList<>();
    for (Future<WriterEnd> future : futures) {
      WriterEnd end = future.get();
      assertThat(end.protocolError()).as("acknowledgements").isNull();
      if (end.failure() != null && end.failedAtNanos() < killedAt) {
        throw new AssertionError("a write failed before the server was killed", end.failure());
      }
      ends.add(end);
    }
    return ends;
  }

  /** Writes to its own keys, one write at a time, until a write fails or the kill is announced. */
  private static WriterEnd writer(ChildServer server, List<KeyState> owned, long seed, AtomicBoolean killed) {
    Random random = new Random(seed);
    int acknowledged = 0;
    RawClient client = new RawClient(server.location());
    try {
      while (!killed.get()) {
        KeyState state = owned.get(random.nextInt(owned.size()));
        boolean replace = state.acknowledged == null
            || state.acknowledged.patches().size() >= PATCHES_BEFORE_REPLACE
            || random.nextInt(100) < 35;
        long intent = state.version() + 1;
        Write write = new Write(replace, payload(state.key, intent, replace, random));
        state.inFlight = write;
        ObjectRef ref;
        try {
          byte[][] rows = rows(write.payload());
          ref = replace
              ? client.put(state.key, rows)
              : client.upload(
                  FlightDescriptor.command((Protocol.PATCH_COMMAND_PREFIX + state.key).getBytes(UTF_8)),
                  Protocol.UPLOAD_SCHEMA, List.of(rows));
        } catch (RuntimeException e) {
          return new WriterEnd(acknowledged, e, System.nanoTime(), null);
        }
        if (!ref.key().toString().equals(state.key) || ref.version() != intent) {
          return new WriterEnd(acknowledged, null, 0,
              "write of " + state.key + " v" + intent + " was acknowledged as " + ref.key() + " v" + ref.version());
        }
        state.acknowledged = state.acknowledged == null
            ? new Snapshot(intent, write.payload(), List.of())
            : state.acknowledged.after(write, intent);
        state.inFlight = null;
        acknowledged++;
      }
      return new WriterEnd(acknowledged, null, 0, null);
    } finally {
      closeQuietly(client);
    }
  }

  /**
   * Checks every key against what was acknowledged, then takes the server's state as the new
   * acknowledged state.
   *
   * @return how many in-flight writes the server had applied
   */
  private static int verifyAndAdopt(ChildServer server, List<KeyState> keys, List<String> problems) throws Exception {
    int applied = 0;
    try (RawClient client = new RawClient(server.location())) {
      for (KeyState state : keys) {
        Snapshot actual = read(client, state.key);
        long acked = state.version();
        long actualVersion = actual == null ? 0 : actual.version();
        if (actualVersion == acked) {
          String difference = actual == null ? null : state.acknowledged.differenceFrom(actual);
          if (difference != null) {
            problems.add(state.key + " v" + acked + ": " + difference);
          }
        } else if (actualVersion == acked + 1 && state.inFlight != null) {
          Snapshot expected = state.acknowledged == null
              ? new Snapshot(actualVersion, state.inFlight.payload(), List.of())
              : state.acknowledged.after(state.inFlight, actualVersion);
          String difference = expected.differenceFrom(actual);
          if (difference != null) {
            problems.add(state.key + " v" + actualVersion + " (the write in flight): " + difference);
          }
          applied++;
        } else {
          problems.add(state.key + ": server has v" + actualVersion + ", last acknowledged v" + acked
              + (state.inFlight == null ? " with no write in flight" : " with one write in flight"));
        }
        state.acknowledged = actual;
        state.inFlight = null;
      }
    }
    return applied;
  }

  /** The object's current version, or null if the server holds none. */
  private static Snapshot read(RawClient client, String key) {
    RawClient.Response response;
    try {
      response = client.getChunked(key, 0);
    } catch (FlightRuntimeException e) {
      if (e.status().code() == FlightStatusCode.NOT_FOUND) {
        return null;
      }
      throw e;
    }
    List<RawClient.Row> baseRows = response.rows().stream().filter(r -> r.kind().equals(Protocol.KIND_BASE)).toList();
    assertThat(baseRows).as("base rows of " + key).isNotEmpty();
    long baseVersion = baseRows.get(0).version();
    assertThat(baseRows).as("base rows of " + key).allSatisfy(r -> assertThat(r.version()).isEqualTo(baseVersion));
    List<Part> patches = response.patches().stream().map(r -> new Part(r.version(), r.data())).toList();
    return new Snapshot(baseVersion, response.base(), patches);
  }

  /** {@code key|v<intent>|put|} then pseudo-random bytes; 1 KiB to 2 MiB, log-uniform. */
  private static byte[] payload(String key, long intent, boolean replace, Random random) {
    int size = (int) Math.round(1024 * Math.pow(2048, random.nextDouble()));
    byte[] payload = new byte[size];
    random.nextBytes(payload);
    byte[] header = (key + "|v" + intent + "|" + (replace ? "put" : "patch") + "|").getBytes(UTF_8);
    System.arraycopy(header, 0, payload, 0, Math.min(header.length, size));
    return payload;
  }

  private static byte[][] rows(byte[] payload) {
    int count = Math.max(1, (payload.length + ROW_BYTES - 1) / ROW_BYTES);
    byte[][] rows = new byte[count][];
    for (int i = 0; i < count; i++) {
      rows[i] = Arrays.copyOfRange(payload, i * ROW_BYTES, Math.min(payload.length, (i + 1) * ROW_BYTES));
    }
    return rows;
  }

  static String describe(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    int headerEnd = 0;
    for (int bars = 0; headerEnd < Math.min(bytes.length, 80) && bars < 3; headerEnd++) {
      if (bytes[headerEnd] == '|') {
        bars++;
      }
    }
    return bytes.length + " bytes '" + new String(bytes, 0, headerEnd, UTF_8) + "...'";
  }

  /**
   * Deleted keys continue their own versions after SIGKILL, whether the kill comes right after
   * the deletes (their records only in the journal) or after a restart that replayed them; keys
   * never held start at 1 throughout.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void sigkill_afterDeletes_removedKeysContinueTheirOwnVersionsAndNewKeysStartAtOne() throws Exception {
    Path storage = work.resolve("store");
    Path logs = work.resolve("logs");
    java.util.Map<String, Long> last = new java.util.LinkedHashMap<>();
    ChildServer server = ChildServer.start(storage, logs);
    try {
      for (int round = 0; round < 3; round++) {
        RawClient client = new RawClient(server.location());
        try {
          for (int i = 0; i < 6; i++) {
            String key = "app/s/k" + i;
            long version = client.put(key, ("r" + round).getBytes(UTF_8)).version();
            assertThat(version).as("%s in round %d", key, round).isEqualTo(last.getOrDefault(key, 0L) + 1);
            for (int p = 0; p < i % 3; p++) {
              version = client.patch(key, "+".getBytes(UTF_8)).version();
            }
            last.put(key, version);
          }
          client.delete("app/s/k0");
          client.delete("app/s");
          assertThat(client.put("fresh/s/k" + round, "new".getBytes(UTF_8)).version()).isEqualTo(1);
        } finally {
          closeQuietly(client);
        }
        server.kill();
        server = ChildServer.start(storage, logs);
      }
    } finally {
      server.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SIGTERM

  /** What a slow call saw: its bytes' hash, and whether the server still ran at its end. */
  record SlowCall(String sha256, long bytes, boolean serverAliveAtEnd, ObjectRef ref) {}

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void sigterm_duringSlowDownloadAndUpload_bothCompleteAndServerExitsZero() throws Exception {
    Path storage = work.resolve("store");
    Duration drain = Duration.ofSeconds(20);
    int rows = 64;
    byte[][] object = new byte[rows][];
    Random random = new Random(42);
    for (int i = 0; i < rows; i++) {
      object[i] = new byte[ROW_BYTES];
      random.nextBytes(object[i]);
    }
    String objectHash = sha256(object);
    int exitCode;
    SlowCall download;
    SlowCall upload;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (ChildServer server = ChildServer.start(storage, work.resolve("logs"), "--drain-timeout", "20s");
        RawClient downloader = new RawClient(server.location());
        RawClient uploader = new RawClient(server.location())) {
      assertThat(downloader.put("drain/s/download", object).version()).isEqualTo(1);
      CountDownLatch started = new CountDownLatch(2);
      CountDownLatch terminated = new CountDownLatch(1);
      Future<SlowCall> downloading = pool.submit(() -> slowDownload(downloader, server, started, terminated));
      Future<SlowCall> uploading = pool.submit(() -> slowUpload(uploader, server, object, started, terminated));
      assertThat(started.await(60, TimeUnit.SECONDS)).as("both calls started").isTrue();
      terminated.countDown();
      long terminatedAt = System.nanoTime();
      exitCode = server.stop(drain.plusSeconds(5));
      Duration took = Duration.ofNanos(System.nanoTime() - terminatedAt);
      download = downloading.get(60, TimeUnit.SECONDS);
      upload = uploading.get(60, TimeUnit.SECONDS);
      String log = server.log();

      assertThat(download.bytes()).isEqualTo((long) rows * ROW_BYTES);
      assertThat(download.sha256()).as("downloaded bytes").isEqualTo(objectHash);
      assertThat(download.serverAliveAtEnd()).as("server still running while the last batch was read").isTrue();
      assertThat(upload.serverAliveAtEnd()).as("server still running when the upload completed").isTrue();
      assertThat(upload.ref().key().toString()).isEqualTo("drain/s/upload");
      assertThat(upload.ref().version()).isEqualTo(1);
      assertThat(took).as("time from SIGTERM to exit").isLessThan(drain);
      assertThat(log)
          .contains("Shutting down: draining in-flight calls")
          .contains("flight-cache stopped after draining")
          .doesNotContain("did not finish within")
          .doesNotContain(" ERROR ");
      System.out.printf("CrashRecoveryIT SIGTERM: exited %d ms after the signal with code %d%n", took.toMillis(), exitCode);
    } finally {
      pool.shutdownNow();
    }

    FileObjectStore store = dev.flightcache.server.store.StoreFixtures.open(storage, new StoreLimits(1L << 40, 1L << 30, 1000));
    assertThat(store.entry(ObjectKey.parse("drain/s/upload"))).hasValueSatisfying(e -> assertThat(e.version()).isEqualTo(1));
    try (ObjectSnapshot snapshot = store.open(ObjectKey.parse("drain/s/upload"), 0)) {
      assertThat(snapshot.entry().sizeBytes()).isEqualTo((long) rows * ROW_BYTES);
      assertThat(sha256(snapshot.base())).as("uploaded bytes as stored").isEqualTo(objectHash);
    }
    assertThat(exitCode).as("exit code after SIGTERM").isZero();
  }

  /** Reads the first batch, waits until the SIGTERM is due, then reads the rest slowly. */
  private static SlowCall slowDownload(RawClient client, ChildServer server, CountDownLatch started, CountDownLatch terminated)
      throws Exception {
    FlightCallHeaders headers = new FlightCallHeaders();
    headers.insert(Protocol.HEADER_CHUNKED_ROWS, "1");
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long bytes = 0;
    boolean alive = false;
    try (FlightStream stream =
        client.client.getStream(new Ticket("drain/s/download:0".getBytes(UTF_8)), new HeaderCallOption(headers))) {
      boolean first = true;
      while (stream.next()) {
        VarBinaryVector data = (VarBinaryVector) stream.getRoot().getVector(2);
        for (int i = 0; i < stream.getRoot().getRowCount(); i++) {
          digest.update(data.getDataBuffer().nioBuffer(data.getStartOffset(i), data.getValueLength(i)));
          bytes += data.getValueLength(i);
        }
        if (first) {
          first = false;
          started.countDown();
          terminated.await();
        }
        alive = server.isAlive();
        Thread.sleep(20);
      }
    }
    return new SlowCall(HexFormat.of().formatHex(digest.digest()), bytes, alive, null);
  }

  /** Sends two rows, waits until the SIGTERM is due, then sends the rest slowly. */
  private static SlowCall slowUpload(
      RawClient client, ChildServer server, byte[][] rows, CountDownLatch started, CountDownLatch terminated) throws Exception {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, client.allocator)) {
      SyncPutListener listener = new SyncPutListener();
      FlightClient.ClientStreamListener stream = client.client.startPut(FlightDescriptor.path("drain/s/upload"), root, listener);
      for (int i = 0; i < rows.length; i++) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, rows[i]);
        root.setRowCount(1);
        stream.putNext();
        if (i == 1) {
          started.countDown();
          terminated.await();
        } else if (i > 1) {
          Thread.sleep(20);
        }
      }
      boolean alive = server.isAlive();
      stream.completed();
      stream.getResult();
      try (PutResult result = listener.read()) {
        byte[] bson = new byte[(int) result.getApplicationMetadata().readableBytes()];
        result.getApplicationMetadata().getBytes(0, bson);
        return new SlowCall(null, 0, alive, ObjectRef.fromBson(bson));
      }
    }
  }

  private static String sha256(byte[][] rows) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (byte[] row : rows) {
      digest.update(row);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(FileChannel file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    long position = 0;
    int read;
    while ((read = file.read(buffer, position)) > 0) {
      buffer.flip();
      digest.update(buffer);
      buffer.clear();
      position += read;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void closeQuietly(RawClient client) {
    try {
      client.close();
    } catch (Exception | AssertionError e) {
      // A call cut off by the kill may leave client-side buffers; not the server's concern.
    }
  }
}
