package dev.flightcache.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonBinary;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.BsonType;
import org.bson.io.BasicOutputBuffer;

/**
 * The {@code GET_MANY} action: several gets in one call, for small objects (docs/protocol.md).
 * Not part of flame's protocol; flame's clients never send it.
 *
 * <p>The body is {@code {gets: [{key: string, version: int64}, ...]}}: each key with the version
 * the caller holds, 0 for none, as in a do_get ticket. The answer is one result, {@code {answers:
 * [...]}}, one answer per get in the same order. An answer is what a do_get with the same ticket
 * would have answered ("not modified", the patches after the caller's version, or the whole
 * object), or {@code single}: the server did not answer this one here (too large, a table, not
 * found, not allowed), and the caller asks a do_get, which answers it, errors included.
 */
public final class GetMany {
  /** The action type. */
  public static final String ACTION = "GET_MANY";
  /** The most gets one call may carry. */
  public static final int MAX_GETS = 256;
  /** The most payload (base and patches) one get is answered with inline; larger ones are {@code single}. */
  public static final int INLINE_MAX_BYTES = 16 * 1024;
  /** The most payload one answer carries; gets after that are {@code single}. */
  public static final int ANSWER_MAX_BYTES = 1024 * 1024;

  private GetMany() {}

  /** One get: a key and the version the caller holds, {@link Version#NONE} for none. */
  public record Get(ObjectKey key, Version version) {
    public Get {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(version, "version");
    }
  }

  public static byte[] encodeRequest(List<Get> gets) {
    if (gets.isEmpty() || gets.size() > MAX_GETS) {
      throw new IllegalArgumentException("a GET_MANY carries 1 to " + MAX_GETS + " gets, not " + gets.size());
    }
    BasicOutputBuffer buffer = new BasicOutputBuffer(64 + 96 * gets.size());
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeStartArray("gets");
      for (Get get : gets) {
        writer.writeStartDocument();
        writer.writeString("key", get.key().toString());
        writer.writeInt64("version", get.version().bits());
        writer.writeEndDocument();
      }
      writer.writeEndArray();
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }

  /**
   * @throws IllegalArgumentException if the body is not such a document, or carries no gets or
   *     more than {@link #MAX_GETS}
   * @throws InvalidKeyException if a key breaks the key rules
   */
  public static List<Get> decodeRequest(byte[] body) {
    List<Get> gets = new ArrayList<>();
    try (BsonBinaryReader reader = reader(body, "GET_MANY request")) {
      reader.readStartDocument();
      boolean seen = false;
      while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
        if (!reader.readName().equals("gets")) {
          reader.skipValue();
          continue;
        }
        seen = true;
        reader.readStartArray();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
          if (gets.size() == MAX_GETS) {
            throw new IllegalArgumentException("a GET_MANY carries at most " + MAX_GETS + " gets");
          }
          gets.add(readGet(reader));
        }
        reader.readEndArray();
      }
      reader.readEndDocument();
      if (!seen || gets.isEmpty()) {
        throw new IllegalArgumentException("a GET_MANY request needs a non-empty 'gets' array");
      }
    } catch (BsonSerializationException | BsonInvalidOperationException e) {
      throw new IllegalArgumentException("not a GET_MANY request: " + e.getMessage(), e);
    }
    return gets;
  }

  private static Get readGet(BsonBinaryReader reader) {
    String key = null;
    long version = 0;
    reader.readStartDocument();
    while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
      switch (reader.readName()) {
        case "key" -> key = reader.readString();
        case "version" -> version = readLong(reader, "version");
        default -> reader.skipValue();
      }
    }
    reader.readEndDocument();
    if (key == null) {
      throw new IllegalArgumentException("a get in a GET_MANY request lacks its 'key'");
    }
    return new Get(ObjectKey.parse(key), Version.of(version));
  }

  /**
   * @param answers {@link GetAnswer.NotModified}, {@link GetAnswer.Patches}, {@link GetAnswer.Full}
   *     or {@link GetAnswer.Single}; a native table is answered {@code single}
   */
  public static byte[] encodeAnswers(List<GetAnswer<byte[]>> answers) {
    int bytes = 64;
    for (GetAnswer<byte[]> answer : answers) {
      bytes += 64 + answer.payloadBytes();
    }
    BasicOutputBuffer buffer = new BasicOutputBuffer(bytes);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeStartArray("answers");
      for (GetAnswer<byte[]> answer : answers) {
        writer.writeStartDocument();
        if (answer instanceof GetAnswer.NotModified<byte[]> notModified) {
          writer.writeString("status", "not_modified");
          writer.writeInt64("version", notModified.version().bits());
        } else if (answer instanceof GetAnswer.Patches<byte[]> patches) {
          writer.writeString("status", "patches");
          writeParts(writer, patches.patches());
        } else if (answer instanceof GetAnswer.Full<byte[]> full) {
          writer.writeString("status", "full");
          writer.writeInt64("baseVersion", full.base().version().bits());
          writer.writeBinaryData("base", new BsonBinary(full.base().data()));
          writeParts(writer, full.patches());
        } else {
          writer.writeString("status", "single");
          writer.writeString("reason", answer instanceof GetAnswer.Single<byte[]> single ? single.reason() : "table");
        }
        writer.writeEndDocument();
      }
      writer.writeEndArray();
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }

  /**
   * @param expected how many gets the request carried
   * @throws IllegalArgumentException if the bytes are not such a document, or hold another number
   *     of answers
   */
  public static List<GetAnswer<byte[]>> decodeAnswers(byte[] body, int expected) {
    List<GetAnswer<byte[]>> answers = new ArrayList<>(expected);
    try (BsonBinaryReader reader = reader(body, "GET_MANY answer")) {
      reader.readStartDocument();
      while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
        if (!reader.readName().equals("answers")) {
          reader.skipValue();
          continue;
        }
        reader.readStartArray();
        while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
          answers.add(readAnswer(reader));
        }
        reader.readEndArray();
      }
      reader.readEndDocument();
    } catch (BsonSerializationException | BsonInvalidOperationException e) {
      throw new IllegalArgumentException("not a GET_MANY answer: " + e.getMessage(), e);
    }
    if (answers.size() != expected) {
      throw new IllegalArgumentException("a GET_MANY answer holds " + answers.size() + " answers for " + expected + " gets");
    }
    return answers;
  }

  private static GetAnswer<byte[]> readAnswer(BsonBinaryReader reader) {
    String status = null;
    String reason = null;
    Long version = null;
    Long baseVersion = null;
    byte[] base = null;
    List<GetAnswer.Part<byte[]>> patches = List.of();
    reader.readStartDocument();
    while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
      switch (reader.readName()) {
        case "status" -> status = reader.readString();
        case "reason" -> reason = reader.readString();
        case "version" -> version = readLong(reader, "version");
        case "baseVersion" -> baseVersion = readLong(reader, "baseVersion");
        case "base" -> base = reader.readBinaryData().getData();
        case "patches" -> patches = readParts(reader);
        default -> reader.skipValue();
      }
    }
    reader.readEndDocument();
    if (status == null) {
      throw new IllegalArgumentException("an answer in a GET_MANY answer lacks its 'status'");
    }
    return switch (status) {
      case "not_modified" -> new GetAnswer.NotModified<>(Version.of(required(version, "version", status)));
      case "patches" -> new GetAnswer.Patches<>(patches);
      case "full" -> new GetAnswer.Full<>(
          GetAnswer.Part.of(Version.of(required(baseVersion, "baseVersion", status)), required(base, "base", status)), patches);
      case "single" -> new GetAnswer.Single<>(reason == null ? "" : reason);
      default -> throw new IllegalArgumentException("unknown GET_MANY answer status '" + status + "'");
    };
  }

  private static void writeParts(BsonBinaryWriter writer, List<GetAnswer.Part<byte[]>> parts) {
    writer.writeStartArray("patches");
    for (GetAnswer.Part<byte[]> part : parts) {
      writer.writeStartDocument();
      writer.writeInt64("version", part.version().bits());
      writer.writeBinaryData("data", new BsonBinary(part.data()));
      writer.writeEndDocument();
    }
    writer.writeEndArray();
  }

  private static List<GetAnswer.Part<byte[]>> readParts(BsonBinaryReader reader) {
    List<GetAnswer.Part<byte[]>> parts = new ArrayList<>();
    reader.readStartArray();
    while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
      Long version = null;
      byte[] data = null;
      reader.readStartDocument();
      while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
        switch (reader.readName()) {
          case "version" -> version = readLong(reader, "version");
          case "data" -> data = reader.readBinaryData().getData();
          default -> reader.skipValue();
        }
      }
      reader.readEndDocument();
      parts.add(GetAnswer.Part.of(Version.of(required(version, "version", "patch")), required(data, "data", "patch")));
    }
    reader.readEndArray();
    return parts;
  }

  /** Versions are unsigned 64-bit and travel as int64; an int32 is taken too, if not negative. */
  private static long readLong(BsonBinaryReader reader, String field) {
    BsonType type = reader.getCurrentBsonType();
    if (type == BsonType.INT64) {
      return reader.readInt64();
    }
    if (type == BsonType.INT32) {
      int small = reader.readInt32();
      if (small < 0) {
        throw new IllegalArgumentException("'" + field + "' is negative: " + small);
      }
      return small;
    }
    throw new IllegalArgumentException("'" + field + "' is " + type + ", not an integer");
  }

  private static <T> T required(T value, String field, String what) {
    if (value == null) {
      throw new IllegalArgumentException("a '" + what + "' answer in a GET_MANY answer lacks '" + field + "'");
    }
    return value;
  }

  private static BsonBinaryReader reader(byte[] bson, String what) {
    if (bson.length < 5 || ByteBuffer.wrap(bson, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() != bson.length) {
      throw new IllegalArgumentException("not a " + what + ": its length prefix does not match its " + bson.length + " bytes");
    }
    return new BsonBinaryReader(ByteBuffer.wrap(bson));
  }
}
