package dev.flightcache.server.flight;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetTicket;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectRead;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;

/**
 * do_get: asks the store's one read ({@link FileObjectStore#read}) for the answer, then encodes it
 * as Flight batches and streams them from the files that read opened.
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

  /**
   * Answers here if the store can without waiting, else on the call pool, so that a do_get on an
   * event loop never waits for a writer.
   */
  void respond(GetTicket ticket, boolean chunkedAccepted, ServerStreamListener listener, CallTracking call) throws IOException {
    call.key(ticket.key().toString());
    call.clientVersion(ticket.clientVersion().bits());
    Optional<ObjectRead> read = store.tryRead(ticket.key(), ticket.clientVersion());
    if (read.isPresent()) {
      stream(read.get(), chunkedAccepted, listener, call);
      return;
    }
    blocking.execute(() -> {
      try {
        stream(store.read(ticket.key(), ticket.clientVersion()), chunkedAccepted, listener, call);
      } catch (Throwable failure) {
        listener.error(CallErrors.toFlight(failure));
      }
    });
  }

  private void stream(ObjectRead read, boolean chunkedAccepted, ServerStreamListener listener, CallTracking call)
      throws IOException {
    GetAnswer<FileChannel> answer = read.answer();
    call.version(answer.version().bits());
    call.outcome(GetOutcome.of(answer));
    ResponseBody body;
    try {
      body = body(answer, chunkedAccepted);
    } catch (IOException | RuntimeException e) {
      read.close();
      throw e;
    }
    StreamPump.start(listener, body, read, call);
  }

  private ResponseBody body(GetAnswer<FileChannel> answer, boolean chunkedAccepted) throws IOException {
    List<OpaqueRows.Part> parts = new ArrayList<>();
    if (answer instanceof GetAnswer.Table<FileChannel> table) {
      return new TableBatches(allocator, table.table().data(), table.version().bits());
    } else if (answer instanceof GetAnswer.Full<FileChannel> full) {
      GetAnswer.Part<FileChannel> base = full.base();
      boolean chunked = chunkedAccepted || base.sizeBytes() > limits.singleRowMaxBytes();
      long rowBytes = chunked ? limits.chunkBytes() : Math.max(base.sizeBytes(), 1);
      parts.add(new OpaqueRows.Part(base.version().bits(), true, base.data(), base.sizeBytes(), rowBytes));
      full.patches().forEach(patch -> parts.add(patchRow(patch)));
    } else if (answer instanceof GetAnswer.Patches<FileChannel> patches) {
      patches.patches().forEach(patch -> parts.add(patchRow(patch)));
    } else if (answer instanceof GetAnswer.NotModified) {
      return new NoBatches(allocator);
    } else {
      throw new IllegalStateException("the store answered a do_get " + answer);
    }
    return new OpaqueRows(allocator, parts, chunkedAccepted);
  }

  private static OpaqueRows.Part patchRow(GetAnswer.Part<FileChannel> patch) {
    return new OpaqueRows.Part(patch.version().bits(), false, patch.data(), patch.sizeBytes(), Math.max(patch.sizeBytes(), 1));
  }
}
