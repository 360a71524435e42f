package dev.flightcache.server.flight;

import dev.flightcache.proto.GetTicket;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectFormat;
import dev.flightcache.server.store.ObjectSnapshot;
import dev.flightcache.server.store.StoredPart;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;

/**
 * do_get: decides between "not modified", patch-only and full by flame's table, then streams the
 * answer from one consistent snapshot of the object.
 */
final class GetResponder {
  private final FileObjectStore store;
  private final BufferAllocator allocator;
  private final ResponseLimits limits;
  private final Executor blocking;

  /**
   * @param chunkBytes the size of each base row when rows are chunked
   * @param singleRowMaxBytes the largest base sent as one row to a caller that did not ask for
   *     chunks; larger ones are chunked regardless
   */
  record ResponseLimits(int chunkBytes, long singleRowMaxBytes) {}

  /** How a do_get is answered. */
  enum Answer {
    NOT_MODIFIED,
    TABLE,
    PATCHES_ONLY,
    FULL
  }

  /**
   * @param blocking where a call goes when answering it would wait for a key's lock (see {@link
   *     InlineGets}: {@link #respond} may run on an event loop)
   */
  GetResponder(FileObjectStore store, BufferAllocator allocator, ResponseLimits limits, Executor blocking) {
    this.store = store;
    this.allocator = allocator;
    this.limits = limits;
    this.blocking = blocking;
  }

  /** Flame's decision table, in order; {@code c} is the caller's version, 0 for none. */
  static Answer decide(ObjectEntry entry, long c) {
    long s = entry.version();
    long b = entry.base().version();
    if (c != 0 && c == s) {
      return Answer.NOT_MODIFIED;
    }
    if (entry.format() == ObjectFormat.TABLE) {
      return Answer.TABLE;
    }
    if (c != 0 && Long.compareUnsigned(b, c) <= 0 && Long.compareUnsigned(c, s) < 0) {
      return Answer.PATCHES_ONLY;
    }
    return Answer.FULL;
  }

  void respond(GetTicket ticket, boolean chunkedAccepted, ServerStreamListener listener, CallTracking call) throws IOException {
    long c = ticket.clientVersion();
    call.key(ticket.key().toString());
    call.clientVersion(c);
    Optional<ObjectEntry> peek = store.entry(ticket.key());
    Answer peeked = peek.map(entry -> decide(entry, c)).orElse(null);
    if (peeked == Answer.NOT_MODIFIED) {
      call.version(peek.get().version());
      call.outcome(GetOutcome.NOT_MODIFIED);
      StreamPump.start(listener, new NoBatches(allocator), () -> {}, call);
      return;
    }
    openAndStream(ticket, peeked == Answer.PATCHES_ONLY ? c : 0, chunkedAccepted, listener, call);
  }

  /**
   * Opens the object and streams the answer: here if the key's lock is free at once, else on the
   * call pool, so that a do_get on an event loop never waits for a writer.
   */
  private void openAndStream(
      GetTicket ticket, long patchesAbove, boolean chunkedAccepted, ServerStreamListener listener, CallTracking call)
      throws IOException {
    Optional<ObjectSnapshot> opened = store.tryOpen(ticket.key(), patchesAbove);
    if (opened.isPresent()) {
      stream(opened.get(), ticket, patchesAbove, chunkedAccepted, listener, call);
      return;
    }
    blocking.execute(() -> {
      try {
        stream(store.open(ticket.key(), patchesAbove), ticket, patchesAbove, chunkedAccepted, listener, call);
      } catch (Throwable failure) {
        listener.error(CallErrors.toFlight(failure));
      }
    });
  }

  private void stream(
      ObjectSnapshot snapshot, GetTicket ticket, long patchesAbove, boolean chunkedAccepted, ServerStreamListener listener,
      CallTracking call) throws IOException {
    long c = ticket.clientVersion();
    Answer answer = decide(snapshot.entry(), c);
    if (answer == Answer.FULL && patchesAbove != 0) {
      // A new base arrived since the peek: the patches opened are not enough. Open again, all of
      // it, the same way (this ends: the second open takes every patch).
      snapshot.close();
      openAndStream(ticket, 0, chunkedAccepted, listener, call);
      return;
    }
    call.version(snapshot.entry().version());
    call.outcome(outcome(answer));
    ResponseBody body;
    try {
      body = body(snapshot, answer, c, chunkedAccepted);
    } catch (IOException | RuntimeException e) {
      snapshot.close();
      throw e;
    }
    StreamPump.start(listener, body, snapshot, call);
  }

  private static GetOutcome outcome(Answer answer) {
    return switch (answer) {
      case NOT_MODIFIED -> GetOutcome.NOT_MODIFIED;
      case PATCHES_ONLY -> GetOutcome.PATCH_ONLY;
      case TABLE, FULL -> GetOutcome.FULL;
    };
  }

  private ResponseBody body(ObjectSnapshot snapshot, Answer answer, long c, boolean chunkedAccepted) throws IOException {
    ObjectEntry entry = snapshot.entry();
    switch (answer) {
      case NOT_MODIFIED:
        return new NoBatches(allocator);
      case TABLE:
        return new TableBatches(allocator, snapshot.base(), entry.base().version());
      default:
        break;
    }
    List<OpaqueRows.Part> parts = new ArrayList<>();
    if (answer == Answer.FULL) {
      long size = entry.base().sizeBytes();
      boolean chunked = chunkedAccepted || size > limits.singleRowMaxBytes();
      long rowBytes = chunked ? limits.chunkBytes() : Math.max(size, 1);
      parts.add(new OpaqueRows.Part(entry.base().version(), true, snapshot.base(), size, rowBytes));
    }
    List<StoredPart> patches = entry.patches();
    for (int i = 0; i < patches.size(); i++) {
      StoredPart patch = patches.get(i);
      if (carries(answer, patch, c)) {
        long rowBytes = Math.max(patch.sizeBytes(), 1);
        parts.add(new OpaqueRows.Part(patch.version(), false, snapshot.patch(i), patch.sizeBytes(), rowBytes));
      }
    }
    return new OpaqueRows(allocator, parts, chunkedAccepted);
  }

  /**
   * Whether an answer decided as {@code answer} to a caller holding version {@code c} carries
   * {@code patch}: a full answer carries every patch, a patch-only answer those after {@code c}.
   */
  static boolean carries(Answer answer, StoredPart patch, long c) {
    return answer == Answer.FULL || Long.compareUnsigned(patch.version(), c) > 0;
  }
}
