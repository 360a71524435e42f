package dev.flightcache.server.flight;

import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.GetMany.Answer;
import dev.flightcache.proto.GetMany.Get;
import dev.flightcache.proto.GetMany.Part;
import dev.flightcache.proto.Permission;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectNotFoundException;
import dev.flightcache.server.store.ObjectSnapshot;
import dev.flightcache.server.store.StoredPart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code GET_MANY} action: several gets of small objects in one call, each answered as a
 * do_get with the same ticket would be (flame's decision table, {@link GetResponder#decide}),
 * from its own consistent snapshot. Objects over {@link #INLINE_MAX_BYTES}, native tables, keys
 * not found and keys the caller may not read are answered {@code single}: the caller asks a
 * do_get, which streams the object or gives the error. The whole answer stays under {@link
 * #ANSWER_MAX_BYTES} of payload, so one call's memory is bounded whatever was asked.
 */
final class GetManyAction {
  static final int INLINE_MAX_BYTES = GetMany.INLINE_MAX_BYTES;
  static final int ANSWER_MAX_BYTES = GetMany.ANSWER_MAX_BYTES;

  private final FileObjectStore store;

  GetManyAction(FileObjectStore store) {
    this.store = store;
  }

  /**
   * @throws InvalidRequestException if the body is not a GET_MANY request
   * @throws dev.flightcache.proto.InvalidKeyException if a key breaks the key rules
   */
  byte[] answer(Principal caller, byte[] body, CallTracking call) throws IOException {
    List<Get> gets;
    try {
      gets = GetMany.decodeRequest(body);
    } catch (IllegalArgumentException e) {
      if (e instanceof dev.flightcache.proto.InvalidKeyException) {
        throw e;
      }
      throw new InvalidRequestException("Invalid GET_MANY body: " + e.getMessage());
    }
    List<Answer> answers = new ArrayList<>(gets.size());
    List<CallReport.BatchedGet> answered = new ArrayList<>(gets.size());
    long budget = ANSWER_MAX_BYTES;
    for (Get get : gets) {
      Answer answer = caller.allows(Permission.READ, Scope.of(get.key()))
          ? answer(get, budget)
          : new Answer.Single("denied");
      long bytes = answer.payloadBytes();
      budget -= bytes;
      GetOutcome outcome = outcome(answer);
      if (outcome != null) {
        answered.add(new CallReport.BatchedGet(get.key().app(), outcome, bytes));
      }
      answers.add(answer);
    }
    call.batchedGets(answered);
    return GetMany.encodeAnswers(answers);
  }

  private Answer answer(Get get, long budget) throws IOException {
    Optional<ObjectEntry> peek = store.entry(get.key());
    if (peek.isEmpty()) {
      return new Answer.Single("not_found");
    }
    GetResponder.Answer peeked = GetResponder.decide(peek.get(), get.version());
    if (peeked == GetResponder.Answer.NOT_MODIFIED) {
      return new Answer.NotModified(peek.get().version());
    }
    return answerFrom(get, peeked == GetResponder.Answer.PATCHES_ONLY ? get.version() : 0, budget);
  }

  /** Opens the object with the patches above {@code patchesAbove} and answers from that snapshot. */
  private Answer answerFrom(Get get, long patchesAbove, long budget) throws IOException {
    try (ObjectSnapshot snapshot = store.open(get.key(), patchesAbove)) {
      GetResponder.Answer decided = GetResponder.decide(snapshot.entry(), get.version());
      if (decided == GetResponder.Answer.FULL && patchesAbove != 0) {
        // A new base arrived since the peek: the snapshot lacks the older patches. Open all of it
        // (this ends: that open takes every patch).
        return answerFrom(get, 0, budget);
      }
      return read(snapshot, decided, get.version(), budget);
    } catch (ObjectNotFoundException e) {
      return new Answer.Single("not_found");
    }
  }

  private static Answer read(ObjectSnapshot snapshot, GetResponder.Answer decided, long c, long budget)
      throws IOException {
    ObjectEntry entry = snapshot.entry();
    switch (decided) {
      case NOT_MODIFIED:
        return new Answer.NotModified(entry.version());
      case TABLE:
        return new Answer.Single("table");
      default:
        break;
    }
    boolean full = decided == GetResponder.Answer.FULL;
    List<StoredPart> stored = entry.patches();
    long bytes = full ? entry.base().sizeBytes() : 0;
    for (StoredPart patch : stored) {
      if (GetResponder.carries(decided, patch, c)) {
        bytes += patch.sizeBytes();
      }
    }
    if (bytes > INLINE_MAX_BYTES || bytes > budget) {
      return new Answer.Single("too_large");
    }
    List<Part> patches = new ArrayList<>();
    for (int i = 0; i < stored.size(); i++) {
      StoredPart patch = stored.get(i);
      if (GetResponder.carries(decided, patch, c)) {
        patches.add(new Part(patch.version(), readAll(snapshot.patch(i), patch.sizeBytes())));
      }
    }
    if (!full) {
      return new Answer.Patches(patches);
    }
    return new Answer.Full(new Part(entry.base().version(), readAll(snapshot.base(), entry.base().sizeBytes())), patches);
  }

  private static byte[] readAll(FileChannel file, long sizeBytes) throws IOException {
    ByteBuffer into = ByteBuffer.allocate(Math.toIntExact(sizeBytes));
    OpaqueRows.readFully(file, into, 0);
    return into.array();
  }

  /** The outcome a do_get would have been metered with; null for {@code single}. */
  private static GetOutcome outcome(Answer answer) {
    if (answer instanceof Answer.NotModified) {
      return GetOutcome.NOT_MODIFIED;
    }
    if (answer instanceof Answer.Patches) {
      return GetOutcome.PATCH_ONLY;
    }
    return answer instanceof Answer.Full ? GetOutcome.FULL : null;
  }
}
