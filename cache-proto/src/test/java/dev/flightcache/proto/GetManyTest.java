package dev.flightcache.proto;

import static dev.flightcache.proto.BsonDocuments.document;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.GetMany.Get;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

class GetManyTest {
  private static final ObjectKey A = ObjectKey.parse("app/s/a");
  private static final ObjectKey B = ObjectKey.parse("app/s/b");


  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void request_roundTrips_inOrder_withUnsignedVersions() {
    List<Get> gets = List.of(new Get(A, Version.of(0)), new Get(B, Version.of(-2L)), new Get(A, Version.of(7)));

    assertThat(GetMany.decodeRequest(GetMany.encodeRequest(gets))).containsExactlyElementsOf(gets);
  }

  @Test
  void request_isTheDocumentTheProtocolNames() {
    BsonDocument doc = new RawBsonDocument(GetMany.encodeRequest(List.of(new Get(A, Version.of(3)))));

    assertThat(doc.getArray("gets")).hasSize(1);
    BsonDocument get = doc.getArray("gets").get(0).asDocument();
    assertThat(get.getString("key").getValue()).isEqualTo("app/s/a");
    assertThat(get.getInt64("version").getValue()).isEqualTo(3);
  }

  @Test
  void request_takesInt32Versions_andIgnoresUnknownFields() {
    byte[] body = document(w -> {
      w.writeString("client", "python");
      w.writeStartArray("gets");
      w.writeStartDocument();
      w.writeString("key", "app/s/a");
      w.writeInt32("version", 5);
      w.writeBoolean("extra", true);
      w.writeEndDocument();
      w.writeEndArray();
    });

    assertThat(GetMany.decodeRequest(body)).containsExactly(new Get(A, Version.of(5)));
  }

  @Test
  void request_withoutVersion_meansNoneHeld() {
    byte[] body = document(w -> {
      w.writeStartArray("gets");
      w.writeStartDocument();
      w.writeString("key", "app/s/a");
      w.writeEndDocument();
      w.writeEndArray();
    });

    assertThat(GetMany.decodeRequest(body)).containsExactly(new Get(A, Version.of(0)));
  }

  @Test
  void request_empty_orMissing_orTooMany_isRefused() {
    assertThatThrownBy(() -> GetMany.encodeRequest(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GetMany.decodeRequest(document(w -> {})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty 'gets'");
    assertThatThrownBy(() -> GetMany.decodeRequest(document(w -> {
      w.writeStartArray("gets");
      w.writeEndArray();
    }))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty 'gets'");

    List<Get> tooMany = new ArrayList<>();
    for (int i = 0; i <= GetMany.MAX_GETS; i++) {
      tooMany.add(new Get(A, Version.of(i)));
    }
    assertThatThrownBy(() -> GetMany.encodeRequest(tooMany)).isInstanceOf(IllegalArgumentException.class);
    byte[] body = document(w -> {
      w.writeStartArray("gets");
      for (Get get : tooMany) {
        w.writeStartDocument();
        w.writeString("key", get.key().toString());
        w.writeEndDocument();
      }
      w.writeEndArray();
    });
    assertThatThrownBy(() -> GetMany.decodeRequest(body))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most " + GetMany.MAX_GETS);
  }

  @Test
  void request_badKey_isAnInvalidKey() {
    byte[] body = document(w -> {
      w.writeStartArray("gets");
      w.writeStartDocument();
      w.writeString("key", "app/../x");
      w.writeEndDocument();
      w.writeEndArray();
    });

    assertThatThrownBy(() -> GetMany.decodeRequest(body)).isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void request_garbage_orWrongTypes_isRefusedClearly() {
    assertThatThrownBy(() -> GetMany.decodeRequest(bytes("app/s/a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length prefix");
    assertThatThrownBy(() -> GetMany.decodeRequest(document(w -> w.writeString("gets", "app/s/a"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a GET_MANY request");
    assertThatThrownBy(() -> GetMany.decodeRequest(document(w -> {
      w.writeStartArray("gets");
      w.writeStartDocument();
      w.writeString("key", "app/s/a");
      w.writeString("version", "1");
      w.writeEndDocument();
      w.writeEndArray();
    }))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'version' is STRING");
    assertThatThrownBy(() -> GetMany.decodeRequest(document(w -> {
      w.writeStartArray("gets");
      w.writeStartDocument();
      w.writeInt64("version", 1);
      w.writeEndDocument();
      w.writeEndArray();
    }))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks its 'key'");
  }

  @Test
  void answers_roundTrip_everyKind() {
    List<GetAnswer<byte[]>> answers = List.of(
        new GetAnswer.NotModified<>(Version.of(9)),
        new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(4), bytes("base")), List.of(GetAnswer.Part.of(Version.of(5), bytes("p5")), GetAnswer.Part.of(Version.of(6), new byte[0]))),
        new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(1), new byte[0]), List.of()),
        new GetAnswer.Patches<>(List.of(GetAnswer.Part.of(Version.of(-1L), bytes("last")))),
        new GetAnswer.Single<>("too_large"));

    List<GetAnswer<byte[]>> decoded = GetMany.decodeAnswers(GetMany.encodeAnswers(answers), answers.size());

    assertThat(decoded).hasSize(5);
    assertThat(decoded.get(0)).isEqualTo(new GetAnswer.NotModified<>(Version.of(9)));
    GetAnswer.Full<byte[]> full = (GetAnswer.Full<byte[]>) decoded.get(1);
    assertThat(full.base().version().bits()).isEqualTo(4);
    assertThat(full.base().data()).isEqualTo(bytes("base"));
    assertThat(full.patches()).extracting(part -> part.version().bits()).containsExactly(5L, 6L);
    assertThat(full.patches().get(0).data()).isEqualTo(bytes("p5"));
    assertThat(full.patches().get(1).data()).isEmpty();
    GetAnswer.Full<byte[]> empty = (GetAnswer.Full<byte[]>) decoded.get(2);
    assertThat(empty.base().data()).isEmpty();
    assertThat(empty.patches()).isEmpty();
    GetAnswer.Patches<byte[]> patches = (GetAnswer.Patches<byte[]>) decoded.get(3);
    assertThat(patches.patches().get(0).version().bits()).isEqualTo(-1L);
    assertThat(patches.patches().get(0).data()).isEqualTo(bytes("last"));
    assertThat(decoded.get(4)).isEqualTo(new GetAnswer.Single<>("too_large"));
    assertThat(decoded).extracting(GetAnswer::payloadBytes).containsExactly(0L, 6L, 0L, 4L, 0L);
  }

  @Test
  void answers_areTheDocumentTheProtocolNames() {
    byte[] encoded = GetMany.encodeAnswers(List.of(
        new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(4), bytes("base")), List.of(GetAnswer.Part.of(Version.of(5), bytes("p")))), new GetAnswer.Single<>("table")));
    BsonDocument doc = new RawBsonDocument(encoded);

    BsonDocument full = doc.getArray("answers").get(0).asDocument();
    assertThat(full.getString("status").getValue()).isEqualTo("full");
    assertThat(full.getInt64("baseVersion").getValue()).isEqualTo(4);
    assertThat(full.getBinary("base").getData()).isEqualTo(bytes("base"));
    BsonDocument patch = full.getArray("patches").get(0).asDocument();
    assertThat(patch.getInt64("version").getValue()).isEqualTo(5);
    assertThat(patch.getBinary("data").getData()).isEqualTo(bytes("p"));
    BsonDocument single = doc.getArray("answers").get(1).asDocument();
    assertThat(single.getString("status").getValue()).isEqualTo("single");
    assertThat(single.getString("reason").getValue()).isEqualTo("table");
  }

  @Test
  void answers_ofAnotherCount_orUnknownStatus_orMissingFields_areRefused() {
    byte[] two = GetMany.encodeAnswers(List.of(new GetAnswer.NotModified<>(Version.of(1)), new GetAnswer.NotModified<>(Version.of(2))));
    assertThatThrownBy(() -> GetMany.decodeAnswers(two, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 answers for 3 gets");

    byte[] unknown = document(w -> {
      w.writeStartArray("answers");
      w.writeStartDocument();
      w.writeString("status", "maybe");
      w.writeEndDocument();
      w.writeEndArray();
    });
    assertThatThrownBy(() -> GetMany.decodeAnswers(unknown, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown GET_MANY answer status 'maybe'");

    byte[] noBase = document(w -> {
      w.writeStartArray("answers");
      w.writeStartDocument();
      w.writeString("status", "full");
      w.writeInt64("baseVersion", 3);
      w.writeEndDocument();
      w.writeEndArray();
    });
    assertThatThrownBy(() -> GetMany.decodeAnswers(noBase, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks 'base'");
  }

  @Test
  void patchOnlyAnswer_needsAPatch() {
    assertThatThrownBy(() -> new GetAnswer.Patches<>(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodedAnswer_holdsEachPayloadOnce() {
    byte[] payload = new byte[64 * 1024];
    Arrays.fill(payload, (byte) 7);

    byte[] encoded = GetMany.encodeAnswers(List.of(new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(1), payload), List.of())));

    assertThat(encoded.length).isBetween(payload.length, payload.length + 128);
  }
}
