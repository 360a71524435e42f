package dev.flightcache.proto;

import static dev.flightcache.proto.BsonDocuments.document;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bson.BsonType;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectRefTest {

  private static final String ENDPOINT = "grpc://10.0.0.5:9090";
  private static final ObjectKey KEY = ObjectKey.parse("app/session/550e8400-e29b-41d4-a716-446655440000");


  // ---------------------------------------------------------------- constructor

  @Test
  void constructor_nullEndpoint_throwsNullPointer() {
    assertThatThrownBy(() -> new ObjectRef(null, KEY, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("endpoint");
  }

  @Test
  void constructor_nullKey_throwsNullPointer() {
    assertThatThrownBy(() -> new ObjectRef(ENDPOINT, null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
  }

  // ---------------------------------------------------------------- toBson

  @Test
  void toBson_ref_fieldsEndpointKeyVersionInOrder() {
    byte[] bytes = new ObjectRef(ENDPOINT, KEY, 7).toBson();

    RawBsonDocument doc = new RawBsonDocument(bytes);
    assertThat(doc.keySet()).containsExactly("endpoint", "key", "version");
    assertThat(doc.size()).isEqualTo(3);
  }

  @Test
  void toBson_ref_valuesAndTypes() {
    byte[] bytes = new ObjectRef(ENDPOINT, KEY, 7).toBson();

    RawBsonDocument doc = new RawBsonDocument(bytes);
    assertThat(doc.get("endpoint").getBsonType()).isEqualTo(BsonType.STRING);
    assertThat(doc.getString("endpoint").getValue()).isEqualTo(ENDPOINT);
    assertThat(doc.get("key").getBsonType()).isEqualTo(BsonType.STRING);
    assertThat(doc.getString("key").getValue()).isEqualTo(KEY.toString());
    assertThat(doc.get("version").isInt64()).isTrue();
    assertThat(doc.getInt64("version").getValue()).isEqualTo(7L);
  }

  @Test
  void toBson_smallVersion_stillInt64() {
    RawBsonDocument doc = new RawBsonDocument(new ObjectRef(ENDPOINT, KEY, 0).toBson());

    assertThat(doc.get("version").isInt64()).isTrue();
    assertThat(doc.get("version").isInt32()).isFalse();
    assertThat(doc.getInt64("version").getValue()).isZero();
  }

  @Test
  void toBson_ref_exactBytes() {
    byte[] bytes = new ObjectRef("e", ObjectKey.parse("a/b/c"), 1).toBson();

    // int32 total | 0x02 "endpoint\0" int32(2) "e\0" | 0x02 "key\0" int32(6) "a/b/c\0"
    // | 0x12 "version\0" int64(1) | 0x00
    byte[] expected =
        concat(
            le32(4 + (1 + 9 + 4 + 2) + (1 + 4 + 4 + 6) + (1 + 8 + 8) + 1),
            new byte[] {0x02},
            ascii("endpoint\0"),
            le32(2),
            ascii("e\0"),
            new byte[] {0x02},
            ascii("key\0"),
            le32(6),
            ascii("a/b/c\0"),
            new byte[] {0x12},
            ascii("version\0"),
            new byte[] {1, 0, 0, 0, 0, 0, 0, 0},
            new byte[] {0x00});
    assertThat(bytes).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- round trip

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, 123456789012L, Long.MAX_VALUE, -1L, Long.MIN_VALUE})
  void fromBson_toBsonOutput_roundTrips(long version) {
    ObjectRef ref = new ObjectRef(ENDPOINT, KEY, version);

    ObjectRef decoded = ObjectRef.fromBson(ref.toBson());

    assertThat(decoded).isEqualTo(ref);
    assertThat(decoded.endpoint()).isEqualTo(ENDPOINT);
    assertThat(decoded.key()).isEqualTo(KEY);
    assertThat(decoded.version()).isEqualTo(version);
  }

  @Test
  void fromBson_unicodeKeyAndEndpoint_roundTrips() {
    ObjectRef ref = new ObjectRef("grpc://høst:1", ObjectKey.parse("应用/sitzung ü/🚀"), 5);

    assertThat(ObjectRef.fromBson(ref.toBson())).isEqualTo(ref);
  }

  // ---------------------------------------------------------------- lenient decoding

  @Test
  void fromBson_int32Version_accepted() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", KEY.toString());
              w.writeInt32("version", 42);
            });
    assertThat(new RawBsonDocument(bytes).get("version").isInt32()).isTrue();

    ObjectRef ref = ObjectRef.fromBson(bytes);

    assertThat(ref).isEqualTo(new ObjectRef(ENDPOINT, KEY, 42));
  }

  @Test
  void fromBson_int32MaxVersion_accepted() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", KEY.toString());
              w.writeInt32("version", Integer.MAX_VALUE);
            });

    assertThat(ObjectRef.fromBson(bytes).version()).isEqualTo(2147483647L);
  }

  @Test
  void fromBson_missingVersion_versionZero() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", KEY.toString());
            });

    ObjectRef ref = ObjectRef.fromBson(bytes);

    assertThat(ref).isEqualTo(new ObjectRef(ENDPOINT, KEY, 0));
  }

  @Test
  void fromBson_unknownExtraFields_ignored() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("extra", "ignored");
              w.writeString("endpoint", ENDPOINT);
              w.writeInt32("size", 1000);
              w.writeString("key", KEY.toString());
              w.writeStartDocument("nested");
              w.writeString("key", "not/the/key");
              w.writeInt64("version", 99);
              w.writeEndDocument();
              w.writeInt64("version", 9);
              w.writeStartArray("tags");
              w.writeString("a");
              w.writeEndArray();
              w.writeBoolean("flag", true);
            });

    ObjectRef ref = ObjectRef.fromBson(bytes);

    assertThat(ref).isEqualTo(new ObjectRef(ENDPOINT, KEY, 9));
  }

  @Test
  void fromBson_fieldsInOtherOrder_accepted() {
    byte[] bytes =
        document(
            w -> {
              w.writeInt64("version", 3);
              w.writeString("key", KEY.toString());
              w.writeString("endpoint", ENDPOINT);
            });

    assertThat(ObjectRef.fromBson(bytes)).isEqualTo(new ObjectRef(ENDPOINT, KEY, 3));
  }

  // ---------------------------------------------------------------- rejected documents

  @Test
  void fromBson_missingKey_rejected() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeInt64("version", 1);
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("BSON object ref lacks 'endpoint' or 'key'");
  }

  @Test
  void fromBson_missingEndpoint_rejected() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("key", KEY.toString());
              w.writeInt64("version", 1);
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("BSON object ref lacks 'endpoint' or 'key'");
  }

  @Test
  void fromBson_emptyDocument_rejected() {
    byte[] bytes = document(w -> {});

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks");
  }

  @Test
  void fromBson_versionAsString_rejected() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", KEY.toString());
              w.writeString("version", "3");
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("BSON object ref 'version' is STRING, not an integer");
  }

  @Test
  void fromBson_versionAsDouble_rejected() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", KEY.toString());
              w.writeDouble("version", 3.0);
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("BSON object ref 'version' is DOUBLE, not an integer");
  }

  @Test
  void fromBson_keyAsInt_rejected() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeInt32("key", 5);
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a BSON object ref: ");
  }

  @Test
  void fromBson_garbageBytes_rejected() {
    byte[] garbage = {1, 2, 3};

    assertThatThrownBy(() -> ObjectRef.fromBson(garbage))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a BSON object ref: ");
  }

  @Test
  void fromBson_emptyBytes_rejected() {
    assertThatThrownBy(() -> ObjectRef.fromBson(new byte[0]))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a BSON object ref: ");
  }

  @Test
  void fromBson_textBytes_rejected() {
    byte[] text = "{\"endpoint\": \"x\", \"key\": \"a/b/c\"}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ObjectRef.fromBson(text))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(InvalidKeyException.class);
  }

  @Test
  void fromBson_truncatedDocument_rejected() {
    byte[] full = new ObjectRef(ENDPOINT, KEY, 7).toBson();
    byte[] truncated = Arrays.copyOf(full, full.length - 6);

    assertThatThrownBy(() -> ObjectRef.fromBson(truncated))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a BSON object ref: ");
  }

  @Test
  void fromBson_unknownBsonType_rejected() {
    byte[] bytes = new ObjectRef("e", ObjectKey.parse("a/b/c"), 1).toBson();
    bytes[4] = 0x7e; // type byte of the first element: not a BSON type

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a BSON object ref: ");
  }

  @Test
  void fromBson_badKey_throwsInvalidKey() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", "app/../object");
              w.writeInt64("version", 1);
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/../object': session must not be '.' or contain '..'");
  }

  @Test
  void fromBson_twoPartKey_throwsInvalidKey() {
    byte[] bytes =
        document(
            w -> {
              w.writeString("endpoint", ENDPOINT);
              w.writeString("key", "app/session");
            });

    assertThatThrownBy(() -> ObjectRef.fromBson(bytes))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session': expected '<app>/<session>/<object>'");
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] le32(int value) {
    return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
