package dev.flightcache.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.BsonBinaryReader;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.BsonType;

/**
 * Reads the body of the {@link Protocol#ACTION_STATS} result, a BSON document of counters such as
 * {@code {objects: 12, storedBytes: 4096, evictions: {size: 3, idle: 0}}}, into one flat map:
 * nested documents become dotted names ({@code evictions.size}). int32 values are widened, and
 * fields of other types are skipped, so a server may add fields without breaking older readers.
 * docs/protocol.md lists the fields.
 */
public final class StatsDocument {
  private StatsDocument() {}

  /**
   * The counters in document order, as an unmodifiable map.
   *
   * @throws IllegalArgumentException if the bytes are not a BSON document
   */
  public static Map<String, Long> decode(byte[] bson) {
    if (bson.length < 5 || ByteBuffer.wrap(bson, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() != bson.length) {
      throw new IllegalArgumentException("not a BSON stats document: its length prefix does not match its " + bson.length + " bytes");
    }
    Map<String, Long> counters = new LinkedHashMap<>();
    try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bson))) {
      reader.readStartDocument();
      readFields(reader, "", counters);
      reader.readEndDocument();
    } catch (BsonSerializationException | BsonInvalidOperationException e) {
      throw new IllegalArgumentException("not a BSON stats document: " + e.getMessage(), e);
    }
    return Collections.unmodifiableMap(counters);
  }

  private static void readFields(BsonBinaryReader reader, String prefix, Map<String, Long> counters) {
    while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
      String name = prefix + reader.readName();
      switch (reader.getCurrentBsonType()) {
        case INT64 -> counters.put(name, reader.readInt64());
        case INT32 -> counters.put(name, (long) reader.readInt32());
        case DOCUMENT -> {
          reader.readStartDocument();
          readFields(reader, name + ".", counters);
          reader.readEndDocument();
        }
        default -> reader.skipValue();
      }
    }
  }
}
