package dev.flightcache.proto;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * The protobuf framing of one Flight {@code FlightData} message, read straight from gRPC's message
 * stream: the server reads do_put's messages with it and the client do_get's answers, instead of
 * through Flight's own marshaller. {@link #next()} steps from one length-delimited field to the
 * next and skips scalar fields; the caller reads or skips the field's {@link #lengthBytes()}
 * itself. Fields: {@link #DESCRIPTOR}, {@link #HEADER} (the IPC message header, a flatbuffer),
 * {@link #APP_METADATA} and {@link #BODY} (the bytes the header's buffers point into). Not
 * thread-safe: one reader per message.
 */
public final class FlightDataFields {
  public static final int DESCRIPTOR = 1;
  public static final int HEADER = 2;
  public static final int APP_METADATA = 3;
  public static final int BODY = 1000;

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_FIXED32 = 5;

  private final InputStream in;
  private final Function<String, ? extends RuntimeException> malformed;
  private long lengthBytes;

  /**
   * @param in one whole message
   * @param malformed makes the exception thrown for framing that is not protobuf, from what is
   *     wrong ("a varint of more than ten bytes"); each side words it for its own callers
   */
  public FlightDataFields(InputStream in, Function<String, ? extends RuntimeException> malformed) {
    this.in = in;
    this.malformed = malformed;
  }

  /**
   * Skips scalar fields up to the next length-delimited one and reads its length.
   *
   * @return its field number, or -1 at the end of the message
   * @throws IOException if the stream fails, or ends inside a skipped field ({@code EOFException})
   */
  public int next() throws IOException {
    long tag;
    while ((tag = readVarint(true)) >= 0) {
      int wireType = (int) (tag & 7);
      if (wireType == WIRE_LENGTH_DELIMITED) {
        lengthBytes = readVarint(false);
        return (int) (tag >>> 3);
      }
      switch (wireType) {
        case WIRE_VARINT -> readVarint(false);
        case WIRE_FIXED64 -> in.skipNBytes(8);
        case WIRE_FIXED32 -> in.skipNBytes(4);
        default -> throw malformed.apply("a field of wire type " + wireType);
      }
    }
    return -1;
  }

  /**
   * The length the field {@link #next()} returned claims, as an unsigned varint read into a long:
   * negative for a claim past 2^63. Nothing has checked it against the bytes the message has.
   */
  public long lengthBytes() {
    return lengthBytes;
  }

  /** A protobuf varint, or -1 at the end of the stream when {@code endAllowed}. */
  private long readVarint(boolean endAllowed) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.read();
      if (b < 0) {
        if (endAllowed && shift == 0) {
          return -1;
        }
        throw malformed.apply("a message ended inside a varint");
      }
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw malformed.apply("a varint of more than ten bytes");
  }
}
