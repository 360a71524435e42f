package dev.flightcache.server.flight;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flightcache.proto.FlightDataFields;
import io.grpc.HasByteBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One do_put {@code FlightData} message, read by us from gRPC's message stream instead of by
 * Arrow's marshaller. It is protobuf: field 1 the descriptor, 2 the IPC message header (a bare
 * flatbuffer {@code Message}), 3 app_metadata (ignored), 1000 the body the header's buffers point
 * into. Every length is checked against the bytes the message really has before anything is
 * allocated, so a message can never cost more memory than its own size. The body is copied once,
 * from gRPC's buffers into an Arrow buffer, which {@link #close()} frees. Not thread-safe.
 */
final class PutMessage implements AutoCloseable {
  private static final byte[] NONE = new byte[0];

  /** Null if the message carries no descriptor. */
  final Flight.FlightDescriptor descriptor;
  /** Empty if the message carries no IPC message (app_metadata only, or nothing). */
  final byte[] header;
  /** Null if the message has no body. */
  final ArrowBuf body;

  private PutMessage(Flight.FlightDescriptor descriptor, byte[] header, ArrowBuf body) {
    this.descriptor = descriptor;
    this.header = header;
    this.body = body;
  }

  long bodyBytes() {
    return body == null ? 0 : body.writerIndex();
  }

  /**
   * Reads one whole message.
   *
   * @param onDescriptor called with the descriptor as soon as it is read, before the body is; it
   *     may throw to stop reading
   * @throws InvalidRequestException if the message is not well-formed protobuf
   */
  static PutMessage read(InputStream in, BufferAllocator allocator, Consumer<Flight.FlightDescriptor> onDescriptor)
      throws IOException {
    Flight.FlightDescriptor descriptor = null;
    byte[] header = NONE;
    ArrowBuf body = null;
    try {
      FlightDataFields fields = new FlightDataFields(in, PutMessage::malformed);
      int field;
      while ((field = fields.next()) >= 0) {
        long lengthBytes = fields.lengthBytes();
        if (lengthBytes < 0 || lengthBytes > in.available()) {
          throw malformed("field " + field + " claims " + Long.toUnsignedString(lengthBytes) + " bytes, the message has "
              + in.available() + " left");
        }
        int length = (int) lengthBytes;
        if (field == FlightDataFields.DESCRIPTOR) {
          descriptor = parseDescriptor(in.readNBytes(length));
          onDescriptor.accept(descriptor);
        } else if (field == FlightDataFields.HEADER) {
          header = in.readNBytes(length);
        } else if (field == FlightDataFields.BODY) {
          if (body != null) {
            body.close();
          }
          body = allocator.buffer(length);
          readFully(in, body, length);
          body.writerIndex(length);
        } else {
          in.skipNBytes(length);
        }
      }
      return new PutMessage(descriptor, header, body);
    } catch (java.io.EOFException e) {
      if (body != null) {
        body.close();
      }
      throw malformed("the message ended inside a field");
    } catch (IOException | RuntimeException e) {
      if (body != null) {
        body.close();
      }
      throw e;
    }
  }

  private static Flight.FlightDescriptor parseDescriptor(byte[] bytes) {
    try {
      return Flight.FlightDescriptor.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw malformed("an unreadable descriptor");
    }
  }

  /** Copies straight from gRPC's buffers where it lends them, else through a small array. */
  private static void readFully(InputStream in, ArrowBuf target, int length) throws IOException {
    HasByteBuffer lender = in instanceof HasByteBuffer lends && lends.byteBufferSupported() ? lends : null;
    byte[] chunk = null;
    long at = 0;
    while (at < length) {
      ByteBuffer next = lender == null ? null : lender.getByteBuffer();
      if (next != null && next.hasRemaining()) {
        int n = (int) Math.min(next.remaining(), length - at);
        next.limit(next.position() + n);
        target.setBytes(at, next);
        in.skipNBytes(n);
        at += n;
        continue;
      }
      if (chunk == null) {
        chunk = new byte[(int) Math.min(length - at, 64 * 1024)];
      }
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, length - at));
      if (n < 0) {
        throw malformed("the body ended early");
      }
      target.setBytes(at, chunk, 0, n);
      at += n;
    }
  }

  @Override
  public void close() {
    if (body != null) {
      body.close();
    }
  }

  private static InvalidRequestException malformed(String what) {
    return new InvalidRequestException("Failed to decode FlightData: " + what);
  }
}
