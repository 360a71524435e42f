package dev.flightcache.server.store;

import dev.flightcache.proto.GetAnswer;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The store's answer to one get ({@link FileObjectStore#read}): flame's decision, with the files
 * it sends open. The parts' files belong to one consistent version of the object, and stay
 * readable after a concurrent replace or delete unlinks them. Close it when the answer is sent.
 * Not thread-safe.
 */
public final class ObjectRead implements AutoCloseable {
  private final GetAnswer<FileChannel> answer;
  private final ObjectSnapshot snapshot;

  /** @param snapshot the open files, or null when nothing was opened ("not modified" from the index) */
  ObjectRead(GetAnswer<FileChannel> answer, ObjectSnapshot snapshot) {
    this.answer = answer;
    this.snapshot = snapshot;
  }

  /**
   * What to send: {@link GetAnswer.NotModified}, {@link GetAnswer.Table}, {@link GetAnswer.Patches}
   * or {@link GetAnswer.Full}, whose parts' data are their open files, read with positional reads.
   */
  public GetAnswer<FileChannel> answer() {
    return answer;
  }

  @Override
  public void close() throws IOException {
    if (snapshot != null) {
      snapshot.close();
    }
  }
}
