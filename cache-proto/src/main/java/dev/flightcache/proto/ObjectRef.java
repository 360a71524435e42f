package dev.flightcache.proto;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.BsonType;
import org.bson.io.BasicOutputBuffer;

/**
 * A reference to one version of one object, as a put answers it and as jobs pass it around.
 *
 * <p>Its BSON form is flame's: a document {@code {endpoint: string, key: string, version: int64}}
 * in that order. Decoding also takes an int32 version (what Python's {@code bson} writes for small
 * numbers), treats a missing version as 0, and ignores unknown fields.
 *
 * @param endpoint where the object lives, such as {@code grpc://10.0.0.5:9090}
 * @param version the server-assigned version; 0 means "no particular version"
 */
public record ObjectRef(String endpoint, ObjectKey key, long version) {

  public ObjectRef {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(key, "key");
  }

  /** The BSON document flame's clients decode. */
  public byte[] toBson() {
    BasicOutputBuffer buffer = new BasicOutputBuffer(96);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeString("endpoint", endpoint);
      writer.writeString("key", key.toString());
      writer.writeInt64("version", version);
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }

  /**
   * Decodes a ref from its BSON form.
   *
   * @throws IllegalArgumentException if the bytes are not such a document
   * @throws InvalidKeyException if the key breaks the key rules
   */
  public static ObjectRef fromBson(byte[] bson) {
    String endpoint = null;
    String key = null;
    long version = 0;
    if (bson.length < 5 || ByteBuffer.wrap(bson, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() != bson.length) {
      throw new IllegalArgumentException("not a BSON object ref: its length prefix does not match its " + bson.length + " bytes");
    }
    try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bson))) {
      reader.readStartDocument();
      while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
        String name = reader.readName();
        switch (name) {
          case "endpoint" -> endpoint = reader.readString();
          case "key" -> key = reader.readString();
          case "version" -> version = readVersion(reader);
          default -> reader.skipValue();
        }
      }
      reader.readEndDocument();
    } catch (BsonSerializationException | BsonInvalidOperationException e) {
      throw new IllegalArgumentException("not a BSON object ref: " + e.getMessage(), e);
    }
    if (endpoint == null || key == null) {
      throw new IllegalArgumentException("BSON object ref lacks 'endpoint' or 'key'");
    }
    return new ObjectRef(endpoint, ObjectKey.parse(key), version);
  }

  private static long readVersion(BsonBinaryReader reader) {
    BsonType type = reader.getCurrentBsonType();
    switch (type) {
      case INT32:
        int small = reader.readInt32();
        if (small < 0) {
          throw new IllegalArgumentException("BSON object ref 'version' is negative: " + small);
        }
        return small;
      case INT64:
        // Versions are unsigned 64-bit; an int64 carries their bits as flame writes them.
        return reader.readInt64();
      default:
        throw new IllegalArgumentException("BSON object ref 'version' is " + type + ", not an integer");
    }
  }
}
