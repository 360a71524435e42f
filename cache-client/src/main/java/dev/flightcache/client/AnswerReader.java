package dev.flightcache.client;

import dev.flightcache.proto.FlightDataFields;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Protocol;
import dev.flightcache.proto.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the FlightData messages of an opaque do_get answer straight from gRPC's message streams.
 * Each row's bytes are copied once, from gRPC's buffers into the answer's array. Flight Java 19's
 * own reader first copies each body into a heap array and then into an Arrow buffer, and the rows
 * were then copied out of that buffer: three copies of every byte where this makes one.
 *
 * <p>A FlightData message is protobuf: field 2 is the Arrow IPC message header (a flatbuffer),
 * field 1000 the body its buffers point into, and fields 1 and 3 (descriptor, app_metadata) are
 * skipped. Every Flight writer (Java, C++, Go) puts the header before the body, as protobuf's field
 * order asks. The body is read front to back: everything before the data column's bytes (versions,
 * kinds, offsets) into a small array, then each row straight to where it belongs. Not thread-safe:
 * gRPC hands one answer's messages over one at a time.
 */
final class AnswerReader {
  /** Buffers of a (version uint64, kind utf8, data binary) batch, in order. */
  private static final int BUFFERS = 8;
  private static final int VERSION_VALUES = 1;
  private static final int KIND_OFFSETS = 3;
  private static final int KIND_VALUES = 4;
  private static final int DATA_OFFSETS = 6;
  private static final int DATA_VALUES = 7;
  private static final List<ArrowType> COLUMN_TYPES =
      Protocol.RESPONSE_SCHEMA.getFields().stream().map(Field::getType).toList();

  private final ObjectKey key;
  private final Version held;
  private OpaqueAnswer answer;

  /** @param held the version the caller holds, which a "not modified" answer confirms */
  AnswerReader(ObjectKey key, Version held) {
    this.key = key;
    this.held = held;
  }

  /** Reads one FlightData message whole. */
  void read(InputStream in) throws IOException {
    Message header = null;
    boolean bodySeen = false;
    FlightDataFields fields = new FlightDataFields(in, this::protocolError);
    int field;
    while ((field = fields.next()) >= 0) {
      long lengthBytes = fields.lengthBytes();
      if (lengthBytes < 0 || lengthBytes > Integer.MAX_VALUE) {
        throw protocolError("a field of " + Long.toUnsignedString(lengthBytes) + " bytes");
      }
      if (field == FlightDataFields.HEADER) {
        header = parseHeader(in.readNBytes((int) lengthBytes), (int) lengthBytes);
      } else if (field == FlightDataFields.BODY) {
        if (header == null) {
          throw protocolError("a message body before its header");
        }
        readMessage(header, (int) lengthBytes, in);
        bodySeen = true;
      } else {
        in.skipNBytes(lengthBytes);
      }
    }
    if (header != null && !bodySeen) {
      readMessage(header, 0, InputStream.nullInputStream());
    }
  }

  /** The answer once every message was read. */
  GetAnswer<java.nio.ByteBuffer> result() {
    if (answer == null) {
      throw protocolError("no schema");
    }
    return answer.result();
  }

  private Message parseHeader(byte[] bytes, int lengthBytes) {
    if (bytes.length != lengthBytes) {
      throw protocolError("a message ended inside its header");
    }
    try {
      return Message.getRootAsMessage(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    } catch (RuntimeException e) {
      throw protocolError("an unreadable message header");
    }
  }

  private void readMessage(Message header, int bodyBytes, InputStream body) throws IOException {
    switch (header.headerType()) {
      case MessageHeader.Schema -> {
        readSchema(header);
        body.skipNBytes(bodyBytes);
      }
      case MessageHeader.RecordBatch -> readBatch((RecordBatch) header.header(new RecordBatch()), bodyBytes, body);
      default -> throw protocolError("an IPC message of type " + MessageHeader.name(header.headerType()));
    }
  }

  private void readSchema(Message header) {
    if (answer != null) {
      throw protocolError("a second schema");
    }
    Schema schema;
    try {
      schema = MessageSerializer.deserializeSchema(header);
    } catch (RuntimeException e) {
      throw protocolError("an unreadable schema");
    }
    OpaqueAnswer.requireOpaque(key, schema);
    if (!schema.getFields().stream().map(Field::getType).toList().equals(COLUMN_TYPES)) {
      throw protocolError("schema " + schema + ", not (version, kind, data)");
    }
    answer = OpaqueAnswer.of(key, held, schema);
  }

  private void readBatch(RecordBatch batch, int bodyBytes, InputStream body) throws IOException {
    if (answer == null) {
      throw protocolError("a batch before the schema");
    }
    if (batch.compression() != null) {
      throw protocolError("a compressed batch");
    }
    if (batch.buffersLength() != BUFFERS || batch.length() < 0 || batch.length() > Integer.MAX_VALUE / 8) {
      throw protocolError("a batch of " + batch.buffersLength() + " buffers and " + batch.length() + " rows");
    }
    int rows = (int) batch.length();
    Buffer values = batch.buffers(DATA_VALUES);
    long valuesStart = values.offset();
    if (valuesStart < 0 || values.length() < 0 || valuesStart + values.length() > bodyBytes) {
      throw protocolError("a data buffer outside its body");
    }
    for (int i = 0; i < DATA_VALUES; i++) {
      Buffer buffer = batch.buffers(i);
      if (buffer.offset() < 0 || buffer.length() < 0 || buffer.offset() + buffer.length() > valuesStart) {
        throw protocolError("buffers out of order");
      }
    }
    byte[] prefixBytes = new byte[(int) valuesStart];
    OpaqueAnswer.readFully(body, prefixBytes, 0, prefixBytes.length);
    ByteBuffer prefix = ByteBuffer.wrap(prefixBytes).order(ByteOrder.LITTLE_ENDIAN);
    int versionsAt = slot(batch, VERSION_VALUES, (long) rows * Long.BYTES);
    int kindOffsetsAt = slot(batch, KIND_OFFSETS, rows == 0 ? 0 : (rows + 1L) * Integer.BYTES);
    int kindValuesAt = (int) batch.buffers(KIND_VALUES).offset();
    long kindValuesBytes = batch.buffers(KIND_VALUES).length();
    int dataOffsetsAt = slot(batch, DATA_OFFSETS, rows == 0 ? 0 : (rows + 1L) * Integer.BYTES);
    OpaqueAnswer.RowBytes rowBytes = OpaqueAnswer.RowBytes.of(body);
    long position = 0;
    for (int row = 0; row < rows; row++) {
      int kindStart = prefix.getInt(kindOffsetsAt + row * Integer.BYTES);
      int kindEnd = prefix.getInt(kindOffsetsAt + (row + 1) * Integer.BYTES);
      int start = prefix.getInt(dataOffsetsAt + row * Integer.BYTES);
      int end = prefix.getInt(dataOffsetsAt + (row + 1) * Integer.BYTES);
      if (kindStart < 0 || kindStart > kindEnd || kindEnd > kindValuesBytes || start < position || start > end || end > values.length()) {
        throw protocolError("row offsets out of order");
      }
      boolean isBase = answer.isBase(Arrays.copyOfRange(prefixBytes, kindValuesAt + kindStart, kindValuesAt + kindEnd));
      body.skipNBytes(start - position);
      answer.row(prefix.getLong(versionsAt + row * Long.BYTES), isBase, end - start, rowBytes);
      position = end;
    }
    body.skipNBytes(bodyBytes - valuesStart - position);
  }

  /** Where buffer {@code index} starts in the prefix, checked to hold {@code neededBytes}. */
  private int slot(RecordBatch batch, int index, long neededBytes) {
    Buffer buffer = batch.buffers(index);
    if (buffer.length() < neededBytes) {
      throw protocolError("buffer " + index + " holds " + buffer.length() + " bytes, not " + neededBytes);
    }
    return (int) buffer.offset();
  }

  private IllegalStateException protocolError(String what) {
    return OpaqueAnswer.protocolError(key, what);
  }
}
