package dev.flightcache.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Version;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * Gets to one endpoint, batched when they queue up. While at most {@link #SHARE_ABOVE} gets are
 * in progress, or fewer than {@link #MAX_CALLS} calls are in flight, a get is its own do_get, as
 * if there were no batcher. Beyond that, gets wait in a queue, and when a call ends, the queued gets (up to {@link #MAX_GETS_PER_CALL}) leave together
 * as one {@code GET_MANY}. That call is asynchronous: it is started by whoever ended the last call,
 * which may be gRPC's event loop, and its answer is handed out there. So a lone caller never waits
 * for anyone, the next batch leaves the moment a call ends, and many concurrent callers share calls
 * instead of each paying for one.
 *
 * <p>A get the server answers {@code single} (too large, a table, not found, not allowed) is
 * asked again as its own do_get by its caller, which gets the do_get's answer or error. A key
 * whose last whole answer was too large to come inline skips the queue and is always its own
 * do_get, until a whole answer of it is small again. A server without {@code GET_MANY} (it
 * answers UNIMPLEMENTED or INVALID_ARGUMENT) is not asked again for {@link #RECHECK_AFTER}: it may
 * be upgraded behind the same address. Thread-safe.
 */
final class GetBatcher {
  /** Calls in flight before gets start to queue, once sharing has started. */
  static final int MAX_CALLS = 2;
  /**
   * Gets in progress (in flight or queued) at or below which every get is its own do_get. On 2
   * vCPUs, sharing from the third get on made 4 concurrent 1 KiB gets 12% slower and doubled
   * their p99, made 8 the same, and made 16 about 40% faster; from the ninth, 4 and 8 are as without
   * it and 16 gain about 30%.
   */
  static final int SHARE_ABOVE = 8;
  /** The most gets in one {@code GET_MANY}. */
  static final int MAX_GETS_PER_CALL = 64;
  /** How long gets go unshared after the server did not know {@code GET_MANY}. */
  static final Duration RECHECK_AFTER = Duration.ofMinutes(5);

  /** A do_get of one key at the version the caller holds. */
  @FunctionalInterface
  public interface Single {
    GetAnswer<ByteBuffer> fetch(ObjectKey key, Version version);
  }

  /** Starts one {@code GET_MANY}; {@code done} gets an answer per get in order, or the failure. */
  @FunctionalInterface
  public interface Many {
    void start(List<GetMany.Get> gets, Done done);
  }

  /** The end of a {@code GET_MANY}: exactly one of the two is null. */
  @FunctionalInterface
  public interface Done {
    void accept(List<GetAnswer<byte[]>> answers, RuntimeException failure);
  }

  /** A queued get. Its signal completes once, with its outcome. */
  private static final class Waiter {
    final GetMany.Get get;
    final Many many;
    final CompletableFuture<Object> signal = new CompletableFuture<>();

    Waiter(GetMany.Get get, Many many) {
      this.get = get;
      this.many = many;
    }
  }

  /** Completes a waiter whose get the server answered {@code single}. */
  private static final Object ASK_SINGLY = new Object();

  /** Keys whose last whole answer was larger than GET_MANY answers inline: they never queue. */
  private final Cache<ObjectKey, Boolean> large = Caffeine.newBuilder().maximumSize(4096).build();
  private final Object lock = new Object();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int inFlight;
  private int active;
  private final LongSupplier nanoTime;
  /** Whether the server did not know GET_MANY when last asked, and when to ask again (nanoTime). */
  private volatile boolean unsupported;
  private volatile long askAgainAt;

  public GetBatcher() {
    this(System::nanoTime);
  }

  /** @param nanoTime the clock of {@link #RECHECK_AFTER}, as {@link System#nanoTime()} */
  GetBatcher(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * The answer to a get of {@code key} at {@code version}, by {@code single} or within a batch
   * started by {@code many}.
   *
   * @throws FlightRuntimeException what the call that carried the get threw
   */
  public GetAnswer<ByteBuffer> fetch(ObjectKey key, Version version, Single single, Many many) {
    if (unsupportedNow() || large.getIfPresent(key) != null) {
      return remember(key, single.fetch(key, version));
    }
    Waiter me = null;
    synchronized (lock) {
      active++;
      if (inFlight < MAX_CALLS || active <= SHARE_ABOVE) {
        inFlight++;
      } else {
        me = new Waiter(new GetMany.Get(key, version), many);
        queue.add(me);
      }
    }
    try {
      if (me == null) {
        try {
          return remember(key, single.fetch(key, version));
        } finally {
          callEnded();
        }
      }
      Object outcome = me.signal.join();
      if (outcome == ASK_SINGLY) {
        return remember(key, single.fetch(key, version));
      }
      if (outcome instanceof RuntimeException failure) {
        throw failure;
      }
      @SuppressWarnings("unchecked")
      GetAnswer<ByteBuffer> answer = (GetAnswer<ByteBuffer>) outcome;
      return answer;
    } finally {
      synchronized (lock) {
        active--;
      }
    }
  }

  private boolean unsupportedNow() {
    return unsupported && nanoTime.getAsLong() - askAgainAt < 0;
  }

  /**
   * Notes whether a whole answer was too large to come inline, so that the next get of that key
   * does not wait in the queue only to be told to ask alone (measured: 16 callers of 1 MiB objects
   * lost 18% that way). A later smaller answer clears the note.
   */
  private GetAnswer<ByteBuffer> remember(ObjectKey key, GetAnswer<ByteBuffer> fetched) {
    if (fetched instanceof GetAnswer.Full<ByteBuffer> full) {
      if (full.payloadBytes() > GetMany.INLINE_MAX_BYTES) {
        large.put(key, Boolean.TRUE);
      } else {
        large.invalidate(key);
      }
    }
    return fetched;
  }

  /** How many gets are in progress now (as counted for SHARE_ABOVE); for tests. */
  int inProgress() {
    synchronized (lock) {
      return active;
    }
  }

  /** How many gets wait in the queue now; for tests. */
  int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * One call ended: the queued gets, if any, leave together as the next call, unless more than
   * MAX_CALLS calls are still in flight while sharing (one of their ends will send them).
   */
  private void callEnded() {
    List<Waiter> batch = null;
    synchronized (lock) {
      if (queue.isEmpty() || (inFlight > MAX_CALLS && active > SHARE_ABOVE)) {
        inFlight--;
      } else {
        batch = new ArrayList<>(Math.min(queue.size(), MAX_GETS_PER_CALL));
        while (!queue.isEmpty() && batch.size() < MAX_GETS_PER_CALL) {
          batch.add(queue.poll());
        }
      }
    }
    if (batch != null) {
      start(batch);
    }
  }

  private void start(List<Waiter> batch) {
    List<GetMany.Get> gets = new ArrayList<>(batch.size());
    for (Waiter waiter : batch) {
      gets.add(waiter.get);
    }
    try {
      batch.get(0).many.start(gets, (answers, failure) -> ended(batch, answers, failure));
    } catch (RuntimeException e) {
      ended(batch, null, e);
    }
  }

  /** Starts the next batch first, so that it leaves before the callers of this one are woken. */
  private void ended(List<Waiter> batch, List<GetAnswer<byte[]>> answers, RuntimeException failure) {
    callEnded();
    if (failure == null && answers.size() != batch.size()) {
      failure = new IllegalStateException("GET_MANY answered " + answers.size() + " gets of " + batch.size());
    }
    if (failure == null) {
      unsupported = false;
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).signal.complete(fetched(answers.get(i)));
      }
      return;
    }
    boolean notSpoken = failure instanceof FlightRuntimeException flight
        && (flight.status().code() == FlightStatusCode.UNIMPLEMENTED || flight.status().code() == FlightStatusCode.INVALID_ARGUMENT);
    if (notSpoken) {
      askAgainAt = nanoTime.getAsLong() + RECHECK_AFTER.toNanos();
      unsupported = true;
    }
    for (Waiter waiter : batch) {
      waiter.signal.complete(notSpoken ? ASK_SINGLY : failure);
    }
  }

  /** A {@code GET_MANY} answer as a do_get's would be, its bytes wrapped; {@code single} asks singly. */
  private static Object fetched(GetAnswer<byte[]> answer) {
    if (answer instanceof GetAnswer.NotModified<byte[]> notModified) {
      return new GetAnswer.NotModified<ByteBuffer>(notModified.version());
    }
    if (answer instanceof GetAnswer.Patches<byte[]> patches) {
      return new GetAnswer.Patches<>(wrap(patches.patches()));
    }
    if (answer instanceof GetAnswer.Full<byte[]> full) {
      return new GetAnswer.Full<>(wrap(full.base()), wrap(full.patches()));
    }
    return ASK_SINGLY;
  }

  private static List<GetAnswer.Part<ByteBuffer>> wrap(List<GetAnswer.Part<byte[]>> parts) {
    List<GetAnswer.Part<ByteBuffer>> wrapped = new ArrayList<>(parts.size());
    for (GetAnswer.Part<byte[]> part : parts) {
      wrapped.add(wrap(part));
    }
    return wrapped;
  }

  private static GetAnswer.Part<ByteBuffer> wrap(GetAnswer.Part<byte[]> part) {
    return new GetAnswer.Part<>(part.version(), part.sizeBytes(), ByteBuffer.wrap(part.data()));
  }
}
