package dev.flightcache.server.auth;

import java.nio.ByteBuffer;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;

/** Whole BSON documents to and from bytes, for signed token payloads and MINT_TOKEN bodies. */
public final class BsonDocuments {
  private BsonDocuments() {}

  /**
   * Decodes exactly one document that fills {@code bytes}.
   *
   * @throws IllegalArgumentException if the bytes are not one well-formed document
   */
  public static BsonDocument decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    try (BsonBinaryReader reader = new BsonBinaryReader(buffer)) {
      BsonDocument document = new BsonDocumentCodec().decode(reader, DecoderContext.builder().build());
      if (buffer.hasRemaining()) {
        throw new IllegalArgumentException("bytes after the end of the document");
      }
      return document;
    } catch (org.bson.BSONException | IndexOutOfBoundsException
        | java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("not a BSON document: " + e.getMessage(), e);
    }
  }

  /** The document's bytes. */
  public static byte[] encode(BsonDocument document) {
    RawBsonDocument raw = new RawBsonDocument(document, new BsonDocumentCodec());
    ByteBuffer buffer = raw.getByteBuffer().asNIO();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
