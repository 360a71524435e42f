package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class ProtocolTest {

  @Test
  void responseSchema_fields_versionKindDataInOrder() {
    assertThat(Protocol.RESPONSE_SCHEMA.getFields())
        .extracting(Field::getName)
        .containsExactly("version", "kind", "data");
  }

  @Test
  void responseSchema_version_nonNullableUint64() {
    Field version = Protocol.RESPONSE_SCHEMA.getFields().get(0);

    assertThat(version.getType()).isEqualTo(new ArrowType.Int(64, false));
    ArrowType.Int type = (ArrowType.Int) version.getType();
    assertThat(type.getBitWidth()).isEqualTo(64);
    assertThat(type.getIsSigned()).isFalse();
    assertThat(version.isNullable()).isFalse();
    assertThat(version.getChildren()).isEmpty();
  }

  @Test
  void responseSchema_kind_nonNullableUtf8() {
    Field kind = Protocol.RESPONSE_SCHEMA.getFields().get(1);

    assertThat(kind.getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(kind.isNullable()).isFalse();
  }

  @Test
  void responseSchema_data_nonNullableBinary() {
    Field data = Protocol.RESPONSE_SCHEMA.getFields().get(2);

    assertThat(data.getType()).isEqualTo(ArrowType.Binary.INSTANCE);
    assertThat(data.isNullable()).isFalse();
  }

  @Test
  void responseSchema_metadata_empty() {
    assertThat(Protocol.RESPONSE_SCHEMA.getCustomMetadata()).isEmpty();
    assertThat(Protocol.isNativeTable(Protocol.RESPONSE_SCHEMA)).isFalse();
  }

  @Test
  void uploadSchema_fields_versionDataInOrder() {
    List<Field> fields = Protocol.UPLOAD_SCHEMA.getFields();

    assertThat(fields).extracting(Field::getName).containsExactly("version", "data");
    assertThat(fields.get(0).getType()).isEqualTo(new ArrowType.Int(64, false));
    assertThat(fields.get(0).isNullable()).isFalse();
    assertThat(fields.get(1).getType()).isEqualTo(ArrowType.Binary.INSTANCE);
    assertThat(fields.get(1).isNullable()).isFalse();
  }

  @Test
  void responseSchema_announcesBaseBytes_sameColumns() {
    assertThat(Protocol.responseSchema(5_000_000_000L).getFields()).isEqualTo(Protocol.RESPONSE_SCHEMA.getFields());
    assertThat(Protocol.announcedBaseBytes(Protocol.responseSchema(5_000_000_000L))).isEqualTo(5_000_000_000L);
    assertThat(Protocol.announcedBaseBytes(Protocol.responseSchema(0))).isZero();
  }

  @Test
  void announcedBaseBytes_missingOrBad_minusOne() {
    assertThat(Protocol.announcedBaseBytes(Protocol.RESPONSE_SCHEMA)).isEqualTo(-1);
    for (String bad : List.of("", "-1", "12x", "99999999999999999999")) {
      Schema schema = new Schema(Protocol.RESPONSE_SCHEMA.getFields(), Map.of(Protocol.BASE_BYTES_KEY, bad));
      assertThat(Protocol.announcedBaseBytes(schema)).as(bad).isEqualTo(-1);
    }
  }

  @Test
  void uploadSchema_sameColumnsAsResponseWithoutKind() {
    List<Field> response = Protocol.RESPONSE_SCHEMA.getFields();

    assertThat(Protocol.UPLOAD_SCHEMA.getFields()).containsExactly(response.get(0), response.get(2));
  }

  @Test
  void constants_wireStrings_exactValues() {
    assertThat(Protocol.PATCH_COMMAND_PREFIX).isEqualTo("PATCH:");
    assertThat(Protocol.ACTION_DELETE).isEqualTo("DELETE");
    assertThat(Protocol.ACTION_OK).isEqualTo("OK");
    assertThat(Protocol.KIND_BASE).isEqualTo("base");
    assertThat(Protocol.KIND_PATCH).isEqualTo("patch");
    assertThat(Protocol.FORMAT_KEY).isEqualTo("flame.cache.format");
    assertThat(Protocol.FORMAT_ARROW_TABLE).isEqualTo("arrow-table-v1");
    assertThat(Protocol.VERSION_KEY).isEqualTo("flame.cache.version");
    assertThat(Protocol.HEADER_CHUNKED_ROWS).isEqualTo("x-flight-cache-chunked-rows");
  }

  // ---------------------------------------------------------------- isNativeTable

  private static Schema withMetadata(Map<String, String> metadata) {
    return new Schema(List.of(Field.nullable("x", new ArrowType.Int(32, true))), metadata);
  }

  @Test
  void isNativeTable_formatFlag_true() {
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("flame.cache.format", "arrow-table-v1"))))
        .isTrue();
  }

  @Test
  void isNativeTable_formatFlagAmongOtherMetadata_true() {
    Schema schema =
        withMetadata(Map.of("flame.cache.format", "arrow-table-v1", "flame.cache.version", "3", "other", "x"));

    assertThat(Protocol.isNativeTable(schema)).isTrue();
  }

  @Test
  void isNativeTable_noMetadata_false() {
    assertThat(Protocol.isNativeTable(new Schema(List.of(Field.nullable("x", ArrowType.Utf8.INSTANCE)))))
        .isFalse();
  }

  @Test
  void isNativeTable_nullMetadata_false() {
    assertThat(Protocol.isNativeTable(withMetadata(null))).isFalse();
  }

  @Test
  void isNativeTable_emptyMetadata_false() {
    assertThat(Protocol.isNativeTable(withMetadata(Map.of()))).isFalse();
  }

  @Test
  void isNativeTable_otherFormatValue_false() {
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("flame.cache.format", "arrow-table-v2")))).isFalse();
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("flame.cache.format", "ARROW-TABLE-V1")))).isFalse();
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("flame.cache.format", "")))).isFalse();
  }

  @Test
  void isNativeTable_valueUnderOtherKey_false() {
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("format", "arrow-table-v1")))).isFalse();
    assertThat(Protocol.isNativeTable(withMetadata(Map.of("flame.cache.version", "arrow-table-v1")))).isFalse();
  }

  @Test
  void isNativeTable_uploadSchema_false() {
    assertThat(Protocol.isNativeTable(Protocol.UPLOAD_SCHEMA)).isFalse();
  }
}
