package dev.flightcache.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Source of upload bytes, handed out a row at a time. */
@FunctionalInterface
interface UploadSource {
  /** Rows of an upload: 1 MiB, as flame's upload_object sends them. */
  int ROW_BYTES = 1 << 20;

  /**
   * The next at most {@code max} bytes, or null at the end. The buffer is read before the next
   * call and not kept, so a source may hand out views of its own storage.
   */
  ByteBuffer next(int max) throws IOException;

  /** Views of {@code bytes}: nothing is copied until the row is filled. */
  static UploadSource of(ByteBuffer bytes) {
    ByteBuffer view = bytes.duplicate();
    return max -> {
      if (!view.hasRemaining()) {
        return null;
      }
      int length = Math.min(max, view.remaining());
      ByteBuffer row = view.slice().limit(length);
      view.position(view.position() + length);
      return row;
    };
  }

  /** Reads into one reused array. */
  static UploadSource of(InputStream in) {
    byte[] chunk = new byte[ROW_BYTES];
    return max -> {
      int length = in.readNBytes(chunk, 0, Math.min(max, chunk.length));
      return length == 0 ? null : ByteBuffer.wrap(chunk, 0, length);
    };
  }
}
