package dev.flightcache.proto;

import static dev.flightcache.proto.BsonDocuments.document;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsDocumentTest {


  @Test
  void decode_int64Fields_inDocumentOrder() {
    byte[] bson = document(w -> {
      w.writeInt64("objects", 3);
      w.writeInt64("storedBytes", 5_000_000_000L);
    });

    assertThat(StatsDocument.decode(bson)).containsExactly(Map.entry("objects", 3L), Map.entry("storedBytes", 5_000_000_000L));
  }

  @Test
  void decode_nestedDocuments_flattenedWithDots() {
    byte[] bson = document(w -> {
      w.writeInt64("objects", 1);
      w.writeStartDocument("evictions");
      w.writeInt64("size", 4);
      w.writeInt64("idle", 0);
      w.writeEndDocument();
      w.writeStartDocument("rejectedWrites");
      w.writeInt64("full", 2);
      w.writeEndDocument();
      w.writeInt64("freeBytes", 9);
    });

    assertThat(StatsDocument.decode(bson)).containsExactly(
        Map.entry("objects", 1L), Map.entry("evictions.size", 4L), Map.entry("evictions.idle", 0L),
        Map.entry("rejectedWrites.full", 2L), Map.entry("freeBytes", 9L));
  }

  @Test
  void decode_int32AndOtherTypes_int32WidenedOthersSkipped() {
    byte[] bson = document(w -> {
      w.writeInt32("small", 7);
      w.writeString("note", "a newer server's text field");
      w.writeDouble("ratio", 0.5);
      w.writeStartArray("list");
      w.writeInt64(1);
      w.writeEndArray();
      w.writeInt64("big", 8L);
    });

    assertThat(StatsDocument.decode(bson)).containsExactly(Map.entry("small", 7L), Map.entry("big", 8L));
  }

  @Test
  void decode_notBson_throwsIllegalArgument() {
    assertThatThrownBy(() -> StatsDocument.decode("OK".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a BSON stats document");
  }
}
