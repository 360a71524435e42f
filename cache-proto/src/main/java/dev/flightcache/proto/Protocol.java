package dev.flightcache.proto;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Names, schemas and markers of the flame-object-cache 0.6 protocol, and our one extension. */
public final class Protocol {
  /** do_put command prefix that appends a patch: {@code PATCH:app/session/object}. */
  public static final String PATCH_COMMAND_PREFIX = "PATCH:";

  /** do_action type that removes a key, a session or an app. */
  public static final String ACTION_DELETE = "DELETE";

  /**
   * do_action type that answers the server's counters as one BSON document of int64 fields
   * ({@link StatsDocument}). Our extension; flame has no such action.
   */
  public static final String ACTION_STATS = "STATS";

  /**
   * do_action type that signs a delegation token: body BSON {@code {grants: [{scope, perms}],
   * ttl_seconds, label?}}, result the token as UTF-8 (docs/security.md). Our extension.
   */
  public static final String ACTION_MINT_TOKEN = "MINT_TOKEN";

  /** The one result body of a successful action. */
  public static final String ACTION_OK = "OK";

  /** Value of the {@code kind} column for the object's base bytes. */
  public static final String KIND_BASE = "base";

  /** Value of the {@code kind} column for one patch. */
  public static final String KIND_PATCH = "patch";

  /** Schema metadata key that marks a native Arrow table payload. */
  public static final String FORMAT_KEY = "flame.cache.format";

  /** {@link #FORMAT_KEY} value for native Arrow tables. */
  public static final String FORMAT_ARROW_TABLE = "arrow-table-v1";

  /** Schema metadata key the server sets to the version of a native table it answers. */
  public static final String VERSION_KEY = "flame.cache.version";

  /**
   * Call header by which a client says it concatenates consecutive {@code base} rows. Without it,
   * objects up to the single-row limit come back as one base row, as flame's Python client needs.
   */
  public static final String HEADER_CHUNKED_ROWS = "x-flight-cache-chunked-rows";

  /** The columns of every opaque do_get answer, including "not modified". */
  public static final Schema RESPONSE_SCHEMA =
      new Schema(
          List.of(
              notNull("version", new ArrowType.Int(64, false)),
              notNull("kind", ArrowType.Utf8.INSTANCE),
              notNull("data", ArrowType.Binary.INSTANCE)));

  /**
   * Schema metadata key of a full opaque answer: the size in bytes of its base, as a decimal
   * string, so a client can size its buffer once instead of growing it row by row. Absent from
   * "not modified" and patch-only answers, and from flame's server.
   */
  public static final String BASE_BYTES_KEY = "flight-cache.base-bytes";

  /** {@link #RESPONSE_SCHEMA} carrying {@link #BASE_BYTES_KEY}. */
  public static Schema responseSchema(long baseBytes) {
    return new Schema(RESPONSE_SCHEMA.getFields(), java.util.Map.of(BASE_BYTES_KEY, Long.toString(baseBytes)));
  }

  /** The base size a full answer's schema announces, or -1 if it announces none or a bad one. */
  public static long announcedBaseBytes(Schema schema) {
    String value = schema.getCustomMetadata().get(BASE_BYTES_KEY);
    if (value == null) {
      return -1;
    }
    try {
      long bytes = Long.parseLong(value);
      return bytes < 0 ? -1 : bytes;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The columns of an opaque upload: the server reads column 0 as version, column 1 as data. */
  public static final Schema UPLOAD_SCHEMA =
      new Schema(
          List.of(
              notNull("version", new ArrowType.Int(64, false)),
              notNull("data", ArrowType.Binary.INSTANCE)));

  private Protocol() {}

  /**
   * Decodes bytes as UTF-8, refusing malformed input rather than replacing it, as keys, tickets
   * and action bodies must be read.
   *
   * @throws java.nio.charset.CharacterCodingException if the bytes are not UTF-8
   */
  public static String strictUtf8(byte[] bytes) throws java.nio.charset.CharacterCodingException {
    return java.nio.charset.StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
        .decode(java.nio.ByteBuffer.wrap(bytes))
        .toString();
  }

  /** Whether a do_put schema carries a native Arrow table rather than opaque rows. */
  public static boolean isNativeTable(Schema schema) {
    Map<String, String> metadata = schema.getCustomMetadata();
    return metadata != null && FORMAT_ARROW_TABLE.equals(metadata.get(FORMAT_KEY));
  }

  private static Field notNull(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }
}
