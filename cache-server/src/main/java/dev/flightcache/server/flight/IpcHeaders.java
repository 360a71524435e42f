package dev.flightcache.server.flight;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The IPC message headers of a do_put, read from their flatbuffers before anything they describe
 * is allocated. Flatbuffers are read without a verifier, so every read may meet garbage: any
 * failure is the caller's bad input, and counts that size a loop are bounded by the header's own
 * length first.
 */
final class IpcHeaders {
  /** Deeper nesting than any real table, and a bound on the schema walk's recursion. */
  private static final int MAX_DEPTH = 64;

  private IpcHeaders() {}

  /** The message flatbuffer, or INVALID_ARGUMENT if it is not one of a supported version. */
  static Message message(byte[] header) {
    try {
      Message message = Message.getRootAsMessage(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN));
      short version = message.version();
      if (version < MetadataVersion.V4 || version > MetadataVersion.V5) {
        throw new InvalidRequestException("Failed to decode message header: IPC metadata version " + version);
      }
      message.headerType();
      return message;
    } catch (InvalidRequestException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidRequestException("Failed to decode message header: " + e);
    }
  }

  /**
   * The schema a Schema message carries, with every column of a type whose layout {@link
   * BatchDecoder} checks; dictionary-encoded columns are refused.
   */
  static Schema schema(Message message, int headerBytes) {
    Schema schema;
    try {
      org.apache.arrow.flatbuf.Schema flat =
          (org.apache.arrow.flatbuf.Schema) message.header(new org.apache.arrow.flatbuf.Schema());
      // A flatbuffer may point many parents at one child: count every field visited, so a small
      // header cannot describe a huge (or exponential) tree.
      int[] budget = {Math.max(16, headerBytes / 4)};
      for (int i = 0; i < bounded(flat.fieldsLength(), budget[0]); i++) {
        walk(flat.fields(i), budget, 0);
      }
      schema = MessageSerializer.deserializeSchema(message);
    } catch (InvalidRequestException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidRequestException("Failed to decode schema: " + e);
    }
    for (Field field : schema.getFields()) {
      checkSupported(field);
    }
    return schema;
  }

  private static void walk(org.apache.arrow.flatbuf.Field field, int[] budget, int depth) {
    if (--budget[0] < 0 || depth > MAX_DEPTH) {
      throw new InvalidRequestException("Failed to decode schema: more fields than its header can hold");
    }
    for (int i = 0; i < bounded(field.childrenLength(), budget[0]); i++) {
      walk(field.children(i), budget, depth + 1);
    }
  }

  private static int bounded(int count, int budget) {
    if (count < 0 || count > budget) {
      throw new InvalidRequestException("Failed to decode schema: more fields than its header can hold");
    }
    return count;
  }

  private static void checkSupported(Field field) {
    if (field.getDictionary() != null) {
      throw new InvalidRequestException("dictionary-encoded column '" + field.getName() + "' is not supported");
    }
    if (BatchDecoder.layoutOf(field.getType()) == null) {
      throw new InvalidRequestException(
          "column '" + field.getName() + "' has type " + field.getType() + ", which uploads do not support");
    }
    if (field.getType() instanceof ArrowType.FixedSizeList list && list.getListSize() < 0) {
      throw new InvalidRequestException("column '" + field.getName() + "' has a negative list size");
    }
    for (Field child : field.getChildren()) {
      checkSupported(child);
    }
  }
}
