package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.Version;
import dev.flightcache.proto.ObjectKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher's rules, with the two calls it makes played by the test: a do_get ({@code Single})
 * that the test can hold open, and a GET_MANY ({@code Many}) whose requests the test sees and
 * answers. The real calls are covered end to end in cache-it's BatchedGetsIT.
 */
class GetBatcherTest {
  private final AtomicLong clock = new AtomicLong();
  private final GetBatcher batcher = new GetBatcher(clock::get);
  private final ExecutorService callers = Executors.newCachedThreadPool();
  /** Singles wait for this before answering, so the test decides when calls end. */
  private volatile CountDownLatch releaseSingles = new CountDownLatch(1);
  /** Whether a single of "big" answers more than GET_MANY carries inline. */
  private volatile boolean bigIsLarge = true;
  private final AtomicInteger singles = new AtomicInteger();
  private final BlockingQueue<Request> manyCalls = new LinkedBlockingQueue<>();

  private record Request(List<GetMany.Get> gets, GetBatcher.Done done) {}

  @AfterEach
  void stop() {
    releaseSingles.countDown();
    callers.shutdownNow();
  }

  private final GetBatcher.Single single = (key, version) -> {
    singles.incrementAndGet();
    await(releaseSingles);
    if (key.object().equals("big") && bigIsLarge) {
      return new GetAnswer.Full<>(new GetAnswer.Part<>(Version.of(1), GetMany.INLINE_MAX_BYTES + 1, ByteBuffer.wrap(bytes("big"))), List.of());
    }
    return full("single " + key.object());
  };

  private final GetBatcher.Many many = (gets, done) -> manyCalls.add(new Request(gets, done));

  private Future<GetAnswer<ByteBuffer>> get(String object) {
    return callers.submit(() -> batcher.fetch(ObjectKey.parse("app/s/" + object), Version.NONE, single, many));
  }

  /** Holds SHARE_ABOVE singles open, so that later gets queue. */
  private List<Future<GetAnswer<ByteBuffer>>> fillCalls() throws Exception {
    waitFor(() -> batcher.inProgress() == 0); // earlier gets of the test have ended
    int before = singles.get();
    List<Future<GetAnswer<ByteBuffer>>> open = new ArrayList<>();
    for (int i = 0; i < GetBatcher.SHARE_ABOVE; i++) {
      open.add(get("open" + i));
    }
    waitFor(() -> singles.get() == before + GetBatcher.SHARE_ABOVE);
    return open;
  }

  /** Gets of {@code objects}, queued in this order behind SHARE_ABOVE open singles. */
  private List<Future<GetAnswer<ByteBuffer>>> queuedBehindOpenCalls(String... objects) throws Exception {
    fillCalls();
    List<Future<GetAnswer<ByteBuffer>>> queued = new ArrayList<>();
    for (String object : objects) {
      queued.add(get(object));
      int expected = queued.size();
      waitFor(() -> batcher.queued() == expected);
    }
    return queued;
  }

  /** Ends the open singles, and returns the GET_MANY that this starts. */
  private Request releaseAndTakeGetMany() throws InterruptedException {
    releaseSingles.countDown();
    Request request = manyCalls.poll(5, TimeUnit.SECONDS);
    assertThat(request).as("a GET_MANY").isNotNull();
    return request;
  }

  @Test
  void loneGet_isItsOwnDoGet() throws Exception {
    releaseSingles.countDown();

    assertThat(text(get("a").get(5, TimeUnit.SECONDS))).isEqualTo("single a");
    assertThat(manyCalls).isEmpty();
  }

  @Test
  void upToShareAboveGetsInProgress_neverQueue() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> open = new ArrayList<>();
    for (int i = 0; i < GetBatcher.SHARE_ABOVE; i++) {
      open.add(get("open" + i));
    }

    waitFor(() -> singles.get() == GetBatcher.SHARE_ABOVE);
    assertThat(batcher.queued()).isZero();
    releaseSingles.countDown();
    for (Future<GetAnswer<ByteBuffer>> call : open) {
      assertThat(text(call.get(5, TimeUnit.SECONDS))).startsWith("single open");
    }
    assertThat(manyCalls).isEmpty();
  }

  @Test
  void getsBeyondTheCallsInFlight_queue_andLeaveAsOneGetMany_whenACallEnds() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> queued = queuedBehindOpenCalls("q1", "q2", "q3");
    assertThat(manyCalls.poll(200, TimeUnit.MILLISECONDS)).as("nothing leaves while the calls are open").isNull();

    Request request = releaseAndTakeGetMany();

    assertThat(request.gets()).extracting(g -> g.key().object()).containsExactly("q1", "q2", "q3");
    request.done().accept(List.of(answer("one"), answer("two"), answer("three")), null);
    assertThat(text(queued.get(0).get(5, TimeUnit.SECONDS))).isEqualTo("one");
    assertThat(text(queued.get(1).get(5, TimeUnit.SECONDS))).isEqualTo("two");
    assertThat(text(queued.get(2).get(5, TimeUnit.SECONDS))).isEqualTo("three");
    assertThat(singles.get()).as("the open calls, and no other single").isEqualTo(GetBatcher.SHARE_ABOVE);
  }

  @Test
  void everyKindOfAnswer_becomesTheAnswerACacheExpects() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> queued = queuedBehindOpenCalls("nm", "p");
    Future<GetAnswer<ByteBuffer>> notModified = queued.get(0);
    Future<GetAnswer<ByteBuffer>> patches = queued.get(1);
    Request request = releaseAndTakeGetMany();

    request.done().accept(List.of(
        new GetAnswer.NotModified<>(Version.of(4)),
        new GetAnswer.Patches<>(List.of(GetAnswer.Part.of(Version.of(5), bytes("five")), GetAnswer.Part.of(Version.of(6), bytes("six"))))), null);

    assertThat(notModified.get(5, TimeUnit.SECONDS)).isInstanceOf(GetAnswer.NotModified.class);
    GetAnswer.Patches<ByteBuffer> answered = (GetAnswer.Patches<ByteBuffer>) patches.get(5, TimeUnit.SECONDS);
    assertThat(answered.patches()).extracting(p -> p.version().bits()).containsExactly(5L, 6L);
    assertThat(answered.payloadBytes()).isEqualTo(7);
    assertThat(StandardCharsets.UTF_8.decode(answered.patches().get(1).data()).toString()).isEqualTo("six");
  }

  @Test
  void answeredSingle_theCallerAsksItsOwnDoGet() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> queued = queuedBehindOpenCalls("large", "small");
    Future<GetAnswer<ByteBuffer>> large = queued.get(0);
    Future<GetAnswer<ByteBuffer>> small = queued.get(1);
    Request request = releaseAndTakeGetMany();

    request.done().accept(List.of(new GetAnswer.Single<>("too_large"), answer("small")), null);

    assertThat(text(large.get(5, TimeUnit.SECONDS))).isEqualTo("single large");
    assertThat(text(small.get(5, TimeUnit.SECONDS))).isEqualTo("small");
  }

  @Test
  void keyAnsweredTooLargeForInline_skipsTheQueueAfterwards_untilItIsSmallAgain() throws Exception {
    Future<GetAnswer<ByteBuffer>> first = queuedBehindOpenCalls("big").get(0);
    releaseAndTakeGetMany().done().accept(List.of(new GetAnswer.Single<>("too_large")), null);
    assertThat(first.get(5, TimeUnit.SECONDS).payloadBytes()).isGreaterThan(GetMany.INLINE_MAX_BYTES);

    releaseSingles = new CountDownLatch(1);
    fillCalls();
    int before = singles.get();
    Future<GetAnswer<ByteBuffer>> again = get("big");
    waitFor(() -> singles.get() == before + 1);
    assertThat(batcher.queued()).as("went straight to its own do_get").isZero();
    bigIsLarge = false;
    releaseSingles.countDown();
    assertThat(text(again.get(5, TimeUnit.SECONDS))).isEqualTo("single big");

    releaseSingles = new CountDownLatch(1);
    fillCalls();
    get("big");
    waitFor(() -> batcher.queued() == 1);
  }

  @Test
  void failedGetMany_everyCallerInItThrowsItsFailure() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> queued = queuedBehindOpenCalls("x", "y");
    Future<GetAnswer<ByteBuffer>> first = queued.get(0);
    Future<GetAnswer<ByteBuffer>> second = queued.get(1);
    Request request = releaseAndTakeGetMany();
    FlightRuntimeException unavailable = CallStatus.UNAVAILABLE.withDescription("restarting").toRuntimeException();

    request.done().accept(null, unavailable);

    for (Future<GetAnswer<ByteBuffer>> caller : List.of(first, second)) {
      assertThatThrownBy(() -> caller.get(5, TimeUnit.SECONDS)).hasCause(unavailable);
    }
    assertThat(singles.get()).as("no caller asked again by itself").isEqualTo(GetBatcher.SHARE_ABOVE);
  }

  @Test
  void serverWithoutGetMany_callersAskSingly_andTheBatcherAsksAgainOnlyAfterAWhile() throws Exception {
    List<Future<GetAnswer<ByteBuffer>>> queued = queuedBehindOpenCalls("x", "y");
    Future<GetAnswer<ByteBuffer>> first = queued.get(0);
    Future<GetAnswer<ByteBuffer>> second = queued.get(1);
    Request request = releaseAndTakeGetMany();

    request.done().accept(null,
        CallStatus.INVALID_ARGUMENT.withDescription("Unknown action type: GET_MANY. Only DELETE is supported.").toRuntimeException());

    assertThat(text(first.get(5, TimeUnit.SECONDS))).isEqualTo("single x");
    assertThat(text(second.get(5, TimeUnit.SECONDS))).isEqualTo("single y");
    // Until RECHECK_AFTER has passed, every get is its own do_get, however many are in flight.
    clock.addAndGet(GetBatcher.RECHECK_AFTER.toNanos() - 1);
    List<Future<GetAnswer<ByteBuffer>>> later = new ArrayList<>();
    for (int i = 0; i < 3 * GetBatcher.SHARE_ABOVE; i++) {
      later.add(get("later" + i));
    }
    for (Future<GetAnswer<ByteBuffer>> caller : later) {
      assertThat(text(caller.get(5, TimeUnit.SECONDS))).startsWith("single later");
    }
    assertThat(manyCalls).isEmpty();

    // Then the server is asked again (it may have been upgraded), and its answers are used.
    clock.incrementAndGet();
    releaseSingles = new CountDownLatch(1);
    List<Future<GetAnswer<ByteBuffer>>> again = queuedBehindOpenCalls("z");
    Request retry = releaseAndTakeGetMany();
    assertThat(retry.gets()).extracting(g -> g.key().object()).containsExactly("z");
    retry.done().accept(List.of(answer("shared z")), null);
    assertThat(text(again.get(0).get(5, TimeUnit.SECONDS))).isEqualTo("shared z");
  }

  @Test
  void manyQueued_leaveInCallsOfAtMostTheLimit_oneAfterAnother() throws Exception {
    fillCalls();
    int queuedCount = GetBatcher.MAX_GETS_PER_CALL + 5;
    List<Future<GetAnswer<ByteBuffer>>> queued = new ArrayList<>();
    for (int i = 0; i < queuedCount; i++) {
      queued.add(get("q" + i));
    }
    waitFor(() -> batcher.queued() == queuedCount);
    releaseSingles.countDown();

    int answered = 0;
    int calls = 0;
    while (answered < queuedCount) {
      Request request = manyCalls.poll(5, TimeUnit.SECONDS);
      assertThat(request).as("call %d", calls).isNotNull();
      assertThat(request.gets()).hasSizeLessThanOrEqualTo(GetBatcher.MAX_GETS_PER_CALL);
      List<GetAnswer<byte[]>> answers = new ArrayList<>();
      for (GetMany.Get get : request.gets()) {
        answers.add(answer(get.key().object()));
      }
      request.done().accept(answers, null);
      answered += request.gets().size();
      calls++;
    }

    assertThat(calls).isGreaterThanOrEqualTo(2);
    for (int i = 0; i < queuedCount; i++) {
      assertThat(text(queued.get(i).get(5, TimeUnit.SECONDS))).isEqualTo("q" + i);
    }
  }

  @Test
  void getManyThatCannotStart_failsItsCallers_withoutHangingTheNext() throws Exception {
    GetBatcher.Many broken = (gets, done) -> {
      throw new IllegalStateException("client is closed");
    };
    List<Future<GetAnswer<ByteBuffer>>> open = fillCalls();
    Future<GetAnswer<ByteBuffer>> queued = callers.submit(() -> batcher.fetch(ObjectKey.parse("app/s/q"), Version.NONE, single, broken));
    waitFor(() -> batcher.queued() == 1);
    releaseSingles.countDown();

    assertThatThrownBy(() -> queued.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    for (Future<GetAnswer<ByteBuffer>> call : open) {
      call.get(5, TimeUnit.SECONDS);
    }
    assertThat(text(get("after").get(5, TimeUnit.SECONDS))).isEqualTo("single after");
  }

  private static GetAnswer<byte[]> answer(String text) {
    return new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(1), bytes(text)), List.of());
  }

  private static GetAnswer<ByteBuffer> full(String text) {
    return new GetAnswer.Full<>(new GetAnswer.Part<>(Version.of(1), text.length(), ByteBuffer.wrap(bytes(text))), List.of());
  }

  private static String text(GetAnswer<ByteBuffer> fetched) {
    return StandardCharsets.UTF_8.decode(((GetAnswer.Full<ByteBuffer>) fetched).base().data().duplicate()).toString();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the call");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 5 s");
      }
      Thread.sleep(5);
    }
  }
}
