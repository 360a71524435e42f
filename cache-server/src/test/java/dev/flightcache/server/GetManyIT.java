package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany.Get;
import dev.flightcache.proto.Version;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GET_MANY action against a real server: each answer is what a do_get of the same ticket answers. */
class GetManyIT {
  /** 16 KiB, as the protocol document states it. */
  private static final int INLINE_MAX = GetMany.INLINE_MAX_BYTES;

  @TempDir Path dir;
  TestServer server;
  RawClient client;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  private List<GetAnswer<byte[]>> getMany(Get... gets) {
    List<byte[]> results = client.actionResults(GetMany.ACTION, GetMany.encodeRequest(List.of(gets)));
    assertThat(results).hasSize(1);
    return GetMany.decodeAnswers(results.get(0), gets.length);
  }

  private static Get get(String key, long version) {
    return new Get(ObjectKey.parse(key), Version.of(version));
  }

  @Test
  void everyKindOfAnswer_inRequestOrder_matchesDoGet() {
    String key = client.put("app/s", "base".getBytes(UTF_8)).key().toString();
    client.patch(key, "p2".getBytes(UTF_8));
    client.patch(key, "p3".getBytes(UTF_8));
    String plain = client.put("app/s/plain", "only".getBytes(UTF_8)).key().toString();

    List<GetAnswer<byte[]>> answers = getMany(get(key, 0), get(key, 1), get(key, 3), get(key, 99), get(plain, 0), get("app/s/absent", 0));

    GetAnswer.Full<byte[]> full = (GetAnswer.Full<byte[]>) answers.get(0);
    RawClient.Response viaDoGet = client.get(key, 0);
    assertThat(full.base().version().bits()).isEqualTo(1);
    assertThat(full.base().data()).isEqualTo(viaDoGet.base());
    assertThat(full.patches()).extracting(p -> p.version().bits(), p -> new String(p.data(), UTF_8))
        .containsExactly(tuple(2L, "p2"), tuple(3L, "p3"));
    assertThat(((GetAnswer.Patches<byte[]>) answers.get(1)).patches()).extracting(p -> p.version().bits()).containsExactly(2L, 3L);
    assertThat(answers.get(2)).isEqualTo(new GetAnswer.NotModified<>(Version.of(3)));
    assertThat(answers.get(3)).isInstanceOf(GetAnswer.Full.class);
    GetAnswer.Full<byte[]> plainFull = (GetAnswer.Full<byte[]>) answers.get(4);
    assertThat(plainFull.base().data()).isEqualTo("only".getBytes(UTF_8));
    assertThat(plainFull.patches()).isEmpty();
    assertThat(answers.get(5)).isEqualTo(new GetAnswer.Single<>("not_found"));
  }

  @Test
  void sameKeyTwice_answeredTwice() {
    String key = client.put("app/s", "x".getBytes(UTF_8)).key().toString();

    List<GetAnswer<byte[]>> answers = getMany(get(key, 1), get(key, 0));

    assertThat(answers.get(0)).isEqualTo(new GetAnswer.NotModified<>(Version.of(1)));
    assertThat(((GetAnswer.Full<byte[]>) answers.get(1)).base().data()).isEqualTo("x".getBytes(UTF_8));
  }

  @Test
  void inlineLimit_largerObjects_single_butNotModifiedStillAnswered() {
    String fits = client.put("app/s/fits", filled(INLINE_MAX, 1)).key().toString();
    String over = client.put("app/s/over", filled(INLINE_MAX + 1, 2)).key().toString();

    List<GetAnswer<byte[]>> answers = getMany(get(fits, 0), get(over, 0), get(over, 1));

    assertThat(((GetAnswer.Full<byte[]>) answers.get(0)).base().data()).isEqualTo(filled(INLINE_MAX, 1));
    assertThat(answers.get(1)).isEqualTo(new GetAnswer.Single<>("too_large"));
    assertThat(answers.get(2)).isEqualTo(new GetAnswer.NotModified<>(Version.of(1)));
  }

  @Test
  void patchesCountTowardsTheLimit_butOnlyThoseSent() {
    String key = client.put("app/s", filled(INLINE_MAX - 10, 3)).key().toString();
    client.patch(key, filled(20, 4));

    List<GetAnswer<byte[]>> answers = getMany(get(key, 0), get(key, 1));

    assertThat(answers.get(0)).isEqualTo(new GetAnswer.Single<>("too_large"));
    assertThat(((GetAnswer.Patches<byte[]>) answers.get(1)).patches().get(0).data()).isEqualTo(filled(20, 4));
  }

  @Test
  void answerBudget_laterGetsSingle_onceAMebibyteIsSent() {
    List<Get> gets = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      gets.add(get(client.put("app/s/o" + i, filled(15 * 1024, i)).key().toString(), 0));
    }

    List<GetAnswer<byte[]>> answers = getMany(gets.toArray(Get[]::new));

    // 68 x 15 KiB = 1,020 KiB fits in 1 MiB; the 69th would not.
    for (int i = 0; i < 68; i++) {
      assertThat(((GetAnswer.Full<byte[]>) answers.get(i)).base().data()).isEqualTo(filled(15 * 1024, i));
    }
    assertThat(answers.subList(68, 70)).containsOnly(new GetAnswer.Single<>("too_large"));
  }

  @Test
  void nativeTable_single() throws Exception {
    Schema schema = new Schema(
        List.of(new Field("n", FieldType.nullable(new ArrowType.Int(32, true)), null)),
        Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE));
    ObjectRef ref;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, client.allocator)) {
      ref = client.putTable("app/s", root, () -> {
        root.allocateNew();
        ((IntVector) root.getVector("n")).setSafe(0, 7);
        root.setRowCount(1);
      });
    }

    assertThat(getMany(get(ref.key().toString(), 0))).containsExactly(new GetAnswer.Single<>("table"));
  }

  @Test
  void badBodies_invalidArgument_naming_theProblem() {
    assertThat(WireCalls.assertStatus(CallStatus.INVALID_ARGUMENT,
        () -> client.actionResults(GetMany.ACTION, "app/s/x".getBytes(UTF_8))).getMessage())
        .startsWith("Invalid GET_MANY body: not a GET_MANY request");
    byte[] badKey = GetMany.encodeRequest(List.of(get("app/s/x", 0)));
    byte[] dotted = new String(badKey, UTF_8).replace("app/s/x", "app/s/.").getBytes(UTF_8);
    WireCalls.assertStatus(CallStatus.INVALID_ARGUMENT, () -> client.actionResults(GetMany.ACTION, dotted));
  }

  @Test
  void tooManyGets_invalidArgument() {
    // Written by hand: the encoder refuses to write more than MAX_GETS.
    org.bson.io.BasicOutputBuffer buffer = new org.bson.io.BasicOutputBuffer();
    try (org.bson.BsonBinaryWriter writer = new org.bson.BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeStartArray("gets");
      for (int i = 0; i <= GetMany.MAX_GETS; i++) {
        writer.writeStartDocument();
        writer.writeString("key", "app/s/o" + i);
        writer.writeEndDocument();
      }
      writer.writeEndArray();
      writer.writeEndDocument();
    }
    byte[] tooMany = buffer.toByteArray();

    assertThat(WireCalls.assertStatus(CallStatus.INVALID_ARGUMENT, () -> client.actionResults(GetMany.ACTION, tooMany))
        .getMessage()).contains("at most " + GetMany.MAX_GETS);
  }

  @Test
  void metrics_countEachGetByOutcome_andItsBytesForItsApp() throws Exception {
    String key = client.put("billing/s", new byte[1000]).key().toString();
    client.patch(key, new byte[10]);

    getMany(get(key, 0), get(key, 1), get(key, 2), get("billing/s/absent", 0));

    Scrape scrape = Scrape.until(server.server(),
        s -> s.value("flight_cache_calls_seconds_count", "method", "do_action", "status", "OK") == 1);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "full")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "patch_only")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_gets_total", "outcome", "not_modified")).isEqualTo(1);
    assertThat(scrape.value("flight_cache_sent_bytes_total")).isEqualTo(1020);
    assertThat(scrape.value("flight_cache_app_served_bytes_total", "app", "billing")).isEqualTo(1020);
  }

  private static byte[] filled(int size, int seed) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) seed);
    return bytes;
  }
}
