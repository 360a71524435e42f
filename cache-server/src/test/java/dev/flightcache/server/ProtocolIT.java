package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flame-object-cache 0.6 protocol surface end to end over loopback with Arrow's FlightClient:
 * put refs, multi-row uploads, empty objects, flight info, schema, listing, actions, delete and
 * the RPCs flame does not offer. Native tables: {@link NativeTableIT}; row chunking: {@link
 * ChunkedRowsIT}.
 */
class ProtocolIT {
  private static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  TestServer server;
  RawClient client;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
  }

  @AfterEach
  void close() throws Exception {
    client.close();
    server.close();
  }

  // ---- do_put ------------------------------------------------------------------------------

  @Test
  void put_sessionPath_generatesLowercaseUuidObjectId() {
    ObjectRef first = client.put("app/s", "abc".getBytes(UTF_8));
    ObjectRef second = client.put("app/s", "abc".getBytes(UTF_8));

    for (ObjectRef ref : List.of(first, second)) {
      assertThat(ref.key().app()).isEqualTo("app");
      assertThat(ref.key().session()).isEqualTo("s");
      String id = ref.key().object();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(UUID.fromString(id).toString()).isEqualTo(id);
      assertThat(UUID.fromString(id).version()).isEqualTo(4);
      assertThat(ref.version()).isEqualTo(1);
    }
    assertThat(first.key()).isNotEqualTo(second.key());
    assertThat(client.get(first.key().toString(), 0).base()).isEqualTo("abc".getBytes(UTF_8));
  }

  @Test
  void put_customId_keepsKey() {
    ObjectRef ref = client.put("app/s/my-object.tar.gz", "xyz".getBytes(UTF_8));

    assertThat(ref.key().toString()).isEqualTo("app/s/my-object.tar.gz");
    assertThat(ref.version()).isEqualTo(1);
    assertThat(client.get("app/s/my-object.tar.gz", 0).base()).isEqualTo("xyz".getBytes(UTF_8));
  }

  @Test
  void put_answer_exactlyOneResultWithBsonRefInFlameFieldOrder() {
    List<byte[]> results =
        WireCalls.putBatches(client, FlightDescriptor.path("app/s"), List.of(List.of("abc".getBytes(UTF_8))));

    assertThat(results).hasSize(1);
    RawBsonDocument ref = new RawBsonDocument(results.get(0));
    assertThat(new ArrayList<>(ref.keySet())).containsExactly("endpoint", "key", "version");
    assertThat(ref.getString("endpoint").getValue()).isEqualTo(server.endpoint());
    assertThat(ref.getString("key").getValue()).startsWith("app/s/");
    BsonValue version = ref.get("version");
    assertThat(version.isInt64()).as("version is BSON int64, got %s", version.getBsonType()).isTrue();
    assertThat(version.asInt64().getValue()).isEqualTo(1L);
  }

  @Test
  void put_replaceAndPatch_eachAnswerOneResultWithNextVersion() {
    ObjectRef ref = client.put("app/s/o", "v1".getBytes(UTF_8));
    List<byte[]> replaced =
        WireCalls.putBatches(client, FlightDescriptor.path("app/s/o"), List.of(List.of("v2".getBytes(UTF_8))));
    List<byte[]> patched = WireCalls.putBatches(client,
        FlightDescriptor.command(("PATCH:" + ref.key()).getBytes(UTF_8)), List.of(List.of("p3".getBytes(UTF_8))));

    assertThat(replaced).hasSize(1);
    assertThat(new RawBsonDocument(replaced.get(0)).getInt64("version").getValue()).isEqualTo(2L);
    assertThat(patched).hasSize(1);
    RawBsonDocument patchRef = new RawBsonDocument(patched.get(0));
    assertThat(new ArrayList<>(patchRef.keySet())).containsExactly("endpoint", "key", "version");
    assertThat(patchRef.getString("key").getValue()).isEqualTo("app/s/o");
    assertThat(patchRef.getInt64("version").getValue()).isEqualTo(3L);
  }

  // ---- multi-row uploads (flame PR #459) -----------------------------------------------------

  @Test
  void upload_oneMibRowsEachInOwnBatch_concatenatedExactly() {
    byte[] file = WireCalls.randomBytes(5 * MIB + 123, 459);
    List<byte[]> rows = WireCalls.split(file, MIB);
    assertThat(rows).hasSize(6);

    ObjectRef ref = client.put("app/pkg/file.bin", rows.toArray(byte[][]::new));

    assertThat(ref.key().toString()).isEqualTo("app/pkg/file.bin");
    assertThat(ref.version()).isEqualTo(1);
    RawClient.Response response = client.get("app/pkg/file.bin", 0);
    assertThat(response.rows()).hasSize(1);
    assertThat(response.rows().get(0).kind()).isEqualTo("base");
    assertThat(response.rows().get(0).data()).isEqualTo(file);
  }

  @Test
  void upload_severalRowsInOneBatch_concatenatedExactly() {
    byte[] file = WireCalls.randomBytes(5 * MIB + 123, 460);

    List<byte[]> results = WireCalls.putBatches(
        client, FlightDescriptor.path("app/pkg/one-batch.bin"), List.of(WireCalls.split(file, MIB)));

    assertThat(results).hasSize(1);
    assertThat(ObjectRef.fromBson(results.get(0)).version()).isEqualTo(1);
    assertThat(client.get("app/pkg/one-batch.bin", 0).rows()).singleElement()
        .satisfies(row -> assertThat(row.data()).isEqualTo(file));
  }

  @Test
  void upload_multiRowBatchesMixed_concatenatedInOrder() {
    byte[] file = WireCalls.randomBytes(5 * MIB + 123, 461);
    List<byte[]> rows = WireCalls.split(file, MIB);

    WireCalls.putBatches(client, FlightDescriptor.path("app/pkg/mixed.bin"),
        List.of(rows.subList(0, 3), rows.subList(3, 4), rows.subList(4, 6)));

    assertThat(client.get("app/pkg/mixed.bin", 0).base()).isEqualTo(file);
  }

  @Test
  void patch_multiRowBatch_concatenatedIntoOnePatchRow() {
    client.put("app/s/o", "base".getBytes(UTF_8));

    WireCalls.putBatches(client, FlightDescriptor.command("PATCH:app/s/o".getBytes(UTF_8)),
        List.of(List.of("ab".getBytes(UTF_8), "cd".getBytes(UTF_8)), List.of("e".getBytes(UTF_8))));

    RawClient.Response response = client.get("app/s/o", 1);
    assertThat(response.rows()).singleElement().satisfies(row -> {
      assertThat(row.kind()).isEqualTo("patch");
      assertThat(row.version()).isEqualTo(2L);
      assertThat(new String(row.data(), UTF_8)).isEqualTo("abcde");
    });
  }

  @Test
  void put_zeroByteObject_roundTripsAsOneEmptyBaseRow() {
    ObjectRef ref = client.put("app/s/empty", new byte[0]);

    assertThat(ref.version()).isEqualTo(1);
    for (RawClient.Response response : List.of(client.get("app/s/empty", 0), client.getChunked("app/s/empty", 0))) {
      assertThat(response.schema().getFields()).isEqualTo(Protocol.RESPONSE_SCHEMA.getFields());
      assertThat(response.batches()).isEqualTo(1);
      assertThat(response.rows()).singleElement().satisfies(row -> {
        assertThat(row.kind()).isEqualTo("base");
        assertThat(row.version()).isEqualTo(1L);
        assertThat(row.data()).isEmpty();
      });
    }
  }

  // ---- do_get: not modified and patch-only ---------------------------------------------------

  @Test
  void get_currentVersion_responseSchemaAndZeroBatches() {
    ObjectRef ref = client.put("app/s/o", "abc".getBytes(UTF_8));

    RawClient.Response response = client.get(ref.key().toString(), 1);

    assertThat(response.schema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
    assertThat(response.schema().getCustomMetadata()).isNullOrEmpty();
    assertThat(response.batches()).isZero();
    assertThat(response.rowCount()).isZero();
  }

  @Test
  void get_afterPatch_patchOnlyRowsOfKindPatch() {
    client.put("app/s/o", "abc".getBytes(UTF_8));
    client.patch("app/s/o", "d".getBytes(UTF_8));

    RawClient.Response response = client.get("app/s/o", 1);

    assertThat(response.schema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
    assertThat(response.batches()).isEqualTo(1);
    assertThat(response.rows()).singleElement().satisfies(row -> {
      assertThat(row.kind()).isEqualTo("patch");
      assertThat(row.version()).isEqualTo(2L);
      assertThat(row.data()).isEqualTo("d".getBytes(UTF_8));
    });
    assertThat(client.get("app/s/o", 2).notModified()).isTrue();
  }

  // ---- get_flight_info, get_schema -----------------------------------------------------------

  @Test
  void getFlightInfo_opaqueObject_responseSchemaSizeAndEndpoint() throws Exception {
    client.put("app/s/o", "hello".getBytes(UTF_8));
    client.patch("app/s/o", "!!".getBytes(UTF_8));

    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app/s/o"));

    assertThat(info.getSchema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
    assertThat(info.getBytes()).isEqualTo(7);
    assertSingleEndpoint(info, "app/s/o");
  }

  @Test
  void getFlightInfo_storedObject_appMetadataIsRef() throws Exception {
    client.put("app/s/o", "hello".getBytes(UTF_8));
    client.patch("app/s/o", "!!".getBytes(UTF_8));

    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app/s/o"));

    ObjectRef ref = ObjectRef.fromBson(info.getAppMetadata());
    assertThat(ref.endpoint()).isEqualTo(server.endpoint());
    assertThat(ref.key().toString()).isEqualTo("app/s/o");
    assertThat(ref.version()).isEqualTo(2);
  }

  @Test
  void getFlightInfo_missingKey_answersWithUnknownSize() throws Exception {
    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app/s/missing"));

    assertThat(info.getBytes()).isEqualTo(-1);
    assertThat(info.getAppMetadata()).isNull();
    assertSingleEndpoint(info, "app/s/missing");
  }

  @Test
  void getFlightInfo_pathElements_joinedWithSlash() throws Exception {
    client.put("app/s/o", "four".getBytes(UTF_8));

    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app", "s", "o"));

    assertThat(info.getBytes()).isEqualTo(4);
    assertSingleEndpoint(info, "app/s/o");
    // As flame: the descriptor comes back as one element holding the joined key.
    assertThat(info.getDescriptor().getPath()).containsExactly("app/s/o");
  }

  @Test
  void getFlightInfo_emptyPath_invalidArgument() {
    WireCalls.assertStatus(CallStatus.INVALID_ARGUMENT, () -> client.client.getInfo(FlightDescriptor.path()));
  }

  @Test
  void getSchema_opaqueKey_responseSchema() {
    client.put("app/s/o", "abc".getBytes(UTF_8));

    assertThat(client.client.getSchema(FlightDescriptor.path("app/s/o")).getSchema())
        .isEqualTo(Protocol.RESPONSE_SCHEMA);
  }

  // ---- list_flights, list_actions ------------------------------------------------------------

  @Test
  void listFlights_all_everyObjectWithKeyTicketEndpointAndSize() throws Exception {
    client.put("app/s/a", "abc".getBytes(UTF_8));
    client.patch("app/s/a", "defg".getBytes(UTF_8));
    client.put("app/s2/b", new byte[10]);
    client.put("other/x/c", new byte[0]);

    Map<String, FlightInfo> listed = list(Criteria.ALL);

    assertThat(listed).containsOnlyKeys("app/s/a", "app/s2/b", "other/x/c");
    assertThat(listed.get("app/s/a").getBytes()).isEqualTo(7);
    assertThat(listed.get("app/s2/b").getBytes()).isEqualTo(10);
    assertThat(listed.get("other/x/c").getBytes()).isZero();
    for (Map.Entry<String, FlightInfo> entry : listed.entrySet()) {
      assertSingleEndpoint(entry.getValue(), entry.getKey());
    }
  }

  @Test
  void listFlights_storedObjects_appMetadataIsRefWithCurrentVersion() throws Exception {
    client.put("app/s/a", "abc".getBytes(UTF_8));
    client.patch("app/s/a", "d".getBytes(UTF_8));
    client.put("app/s/b", "e".getBytes(UTF_8));

    Map<String, FlightInfo> listed = list(Criteria.ALL);

    assertThat(ObjectRef.fromBson(listed.get("app/s/a").getAppMetadata()))
        .isEqualTo(new ObjectRef(server.endpoint(), dev.flightcache.proto.ObjectKey.parse("app/s/a"), 2));
    assertThat(ObjectRef.fromBson(listed.get("app/s/b").getAppMetadata()).version()).isEqualTo(1);
  }

  @Test
  void listFlights_prefixExpression_onlyThatSession() throws Exception {
    client.put("app/s/a", "1".getBytes(UTF_8));
    client.put("app/s/b", "2".getBytes(UTF_8));
    client.put("app/s2/c", "3".getBytes(UTF_8));
    client.put("app/s-extra/d", "4".getBytes(UTF_8));
    client.put("zzz/s/e", "5".getBytes(UTF_8));

    assertThat(list(new Criteria("app/s/".getBytes(UTF_8)))).containsOnlyKeys("app/s/a", "app/s/b");
  }

  @Test
  void listActions_deleteStatsMintTokenAndGetMany() {
    List<ActionType> actions = new ArrayList<>();
    client.client.listActions().forEach(actions::add);

    assertThat(actions).extracting(ActionType::getType).containsExactly("DELETE", "STATS", "MINT_TOKEN", "GET_MANY");
  }

  // ---- DELETE --------------------------------------------------------------------------------

  @Test
  void delete_exactKey_removesOnlyThatObject() throws Exception {
    storeTree();

    assertThat(client.delete("app/s/a")).containsExactly("OK");

    assertThat(list(Criteria.ALL)).containsOnlyKeys("app/s/b", "app/s2/c", "app/s-extra/d", "other/s/e");
    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get("app/s/a", 0));
    assertThat(client.get("app/s/b", 0).base()).isEqualTo("b".getBytes(UTF_8));
  }

  @Test
  void delete_session_noPrefixBleed() throws Exception {
    storeTree();

    assertThat(client.delete("app/s")).containsExactly("OK");

    assertThat(list(Criteria.ALL)).containsOnlyKeys("app/s2/c", "app/s-extra/d", "other/s/e");
    WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get("app/s/b", 0));
    assertThat(client.get("app/s-extra/d", 0).base()).isEqualTo("d".getBytes(UTF_8));
  }

  @Test
  void delete_appWildcard_keepsOtherApps() throws Exception {
    storeTree();

    assertThat(client.delete("app/*")).containsExactly("OK");

    assertThat(list(Criteria.ALL)).containsOnlyKeys("other/s/e");
    assertThat(client.get("other/s/e", 0).base()).isEqualTo("e".getBytes(UTF_8));
  }

  @Test
  void delete_nothingMatched_stillOneOk() {
    assertThat(client.delete("nobody/s")).containsExactly("OK");
  }

  // ---- RPCs flame does not offer -------------------------------------------------------------

  /**
   * Flame answers Handshake with UNIMPLEMENTED (protocol §3.5). Arrow Java's default server (no
   * auth handler, i.e. ServerAuthHandler.NO_OP) would complete it; the server refuses it itself.
   */
  @Test
  void handshake_notOffered_unimplemented() {
    WireCalls.assertStatus(CallStatus.UNIMPLEMENTED, () -> client.client.handshake());
  }

  @Test
  void doExchange_notOffered_unimplemented() {
    WireCalls.assertStatus(CallStatus.UNIMPLEMENTED, () -> {
      try (var exchange = client.client.doExchange(FlightDescriptor.command("x".getBytes(UTF_8)))) {
        FlightStream reader = exchange.getReader();
        reader.next();
      }
    });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void storeTree() {
    client.put("app/s/a", "a".getBytes(UTF_8));
    client.put("app/s/b", "b".getBytes(UTF_8));
    client.put("app/s2/c", "c".getBytes(UTF_8));
    client.put("app/s-extra/d", "d".getBytes(UTF_8));
    client.put("other/s/e", "e".getBytes(UTF_8));
  }

  private Map<String, FlightInfo> list(Criteria criteria) {
    Map<String, FlightInfo> byKey = new TreeMap<>();
    for (FlightInfo info : client.client.listFlights(criteria)) {
      String key = new String(info.getEndpoints().get(0).getTicket().getBytes(), UTF_8);
      assertThat(byKey.put(key, info)).as("listed twice: %s", key).isNull();
    }
    return byKey;
  }

  private void assertSingleEndpoint(FlightInfo info, String key) throws Exception {
    assertThat(info.getEndpoints()).hasSize(1);
    FlightEndpoint endpoint = info.getEndpoints().get(0);
    assertThat(new String(endpoint.getTicket().getBytes(), UTF_8)).isEqualTo(key);
    assertThat(endpoint.getLocations()).containsExactly(new Location(server.endpoint()));
  }
}
