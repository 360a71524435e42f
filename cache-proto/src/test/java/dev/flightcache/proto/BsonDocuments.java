package dev.flightcache.proto;

import java.util.function.Consumer;
import org.bson.BsonBinaryWriter;
import org.bson.io.BasicOutputBuffer;

/** Test documents written field by field, as another client's encoder might write them. */
final class BsonDocuments {
  private BsonDocuments() {}

  /** One BSON document with whatever fields {@code fields} writes. */
  static byte[] document(Consumer<BsonBinaryWriter> fields) {
    BasicOutputBuffer buffer = new BasicOutputBuffer();
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      fields.accept(writer);
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }
}
