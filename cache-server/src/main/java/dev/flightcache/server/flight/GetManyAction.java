package dev.flightcache.server.flight;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.GetMany.Get;
import dev.flightcache.proto.Permission;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectNotFoundException;
import dev.flightcache.server.store.ObjectRead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code GET_MANY} action: several gets of small objects in one call, each answered by the
 * store's one read ({@link FileObjectStore#read}) as a do_get with the same ticket would be, from
 * its own consistent snapshot, and encoded here. Objects over {@link #INLINE_MAX_BYTES}, native
 * tables, keys not found and keys the caller may not read are answered {@code single}: the caller
 * asks a do_get, which streams the object or gives the error. The whole answer stays under {@link
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
    List<GetAnswer<byte[]>> answers = new ArrayList<>(gets.size());
    List<CallReport.BatchedGet> answered = new ArrayList<>(gets.size());
    long budget = ANSWER_MAX_BYTES;
    for (Get get : gets) {
      GetAnswer<byte[]> answer = caller.allows(Permission.READ, Scope.of(get.key()))
          ? answer(get, budget)
          : new GetAnswer.Single<>("denied");
      long bytes = answer.payloadBytes();
      budget -= bytes;
      GetOutcome outcome = GetOutcome.of(answer);
      if (outcome != null) {
        answered.add(new CallReport.BatchedGet(get.key().app(), outcome, bytes));
      }
      answers.add(answer);
    }
    call.batchedGets(answered);
    return GetMany.encodeAnswers(answers);
  }

  private GetAnswer<byte[]> answer(Get get, long budget) throws IOException {
    try (ObjectRead read = store.read(get.key(), get.version())) {
      return inline(read.answer(), budget);
    } catch (ObjectNotFoundException e) {
      return new GetAnswer.Single<>("not_found");
    }
  }

  /** The store's answer with its files read into the document, or {@code single}. */
  private static GetAnswer<byte[]> inline(GetAnswer<FileChannel> answer, long budget) throws IOException {
    if (answer instanceof GetAnswer.NotModified<FileChannel> notModified) {
      return new GetAnswer.NotModified<>(notModified.version());
    }
    if (answer instanceof GetAnswer.Table) {
      return new GetAnswer.Single<>("table");
    }
    long bytes = answer.payloadBytes();
    if (bytes > INLINE_MAX_BYTES || bytes > budget) {
      return new GetAnswer.Single<>("too_large");
    }
    if (answer instanceof GetAnswer.Patches<FileChannel> patches) {
      return new GetAnswer.Patches<>(readAll(patches.patches()));
    }
    GetAnswer.Full<FileChannel> full = (GetAnswer.Full<FileChannel>) answer;
    return new GetAnswer.Full<>(readAll(full.base()), readAll(full.patches()));
  }

  private static List<GetAnswer.Part<byte[]>> readAll(List<GetAnswer.Part<FileChannel>> parts) throws IOException {
    List<GetAnswer.Part<byte[]>> read = new ArrayList<>(parts.size());
    for (GetAnswer.Part<FileChannel> part : parts) {
      read.add(readAll(part));
    }
    return read;
  }

  private static GetAnswer.Part<byte[]> readAll(GetAnswer.Part<FileChannel> part) throws IOException {
    ByteBuffer into = ByteBuffer.allocate(Math.toIntExact(part.sizeBytes()));
    OpaqueRows.readFully(part.data(), into, 0);
    return GetAnswer.Part.of(part.version(), into.array());
  }
}
