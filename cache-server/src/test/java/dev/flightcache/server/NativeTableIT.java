package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native Arrow-table payloads (flame generation 4): schema metadata {@code
 * flame.cache.format=arrow-table-v1}; stored and answered as the table itself, with the server's
 * {@code flame.cache.version}.
 */
class NativeTableIT {
  private static final List<Field> FIELDS = List.of(
      new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
      new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
      new Field("score", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null));
  private static final String LOGICAL_TYPE_KEY = "flame.cache.logical_type";

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

  /** A batch's rows as text: id, name (null allowed), score (null allowed). */
  record Batch(List<String> rows) {}

  private static final List<Batch> TABLE_V1 = List.of(
      new Batch(List.of("1|alpha|0.5", "2|null|-1.25", "3|gamma|null")),
      new Batch(List.of("4|δέλτα|1.0E300")),
      new Batch(List.of("5|e|5.0", "6|f|6.0", "7|g|7.0", "8|h|8.0", "9||9.0")));

  private static final List<Batch> TABLE_V2 = List.of(
      new Batch(List.of("10|ten|10.0", "11|eleven|11.0")),
      new Batch(List.of("12|twelve|null")),
      new Batch(List.of("13|thirteen|13.5", "14|fourteen|14.5", "15|fifteen|15.5", "16|sixteen|16.5")));

  private static Schema schema(Map<String, String> metadata) {
    return new Schema(FIELDS, metadata);
  }

  private static Map<String, String> clientMetadata() {
    return Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE, LOGICAL_TYPE_KEY, "pyarrow.table");
  }

  private static Map<String, String> answeredMetadata(long version) {
    return Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE, LOGICAL_TYPE_KEY, "pyarrow.table",
        Protocol.VERSION_KEY, Long.toString(version));
  }

  private ObjectRef putTable(String path, Map<String, String> metadata, List<Batch> batches) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(metadata), client.allocator)) {
      Runnable[] fills = batches.stream().map(batch -> (Runnable) () -> fill(root, batch)).toArray(Runnable[]::new);
      return client.putTable(path, root, fills);
    }
  }

  private static void fill(VectorSchemaRoot root, Batch batch) {
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector name = (VarCharVector) root.getVector("name");
    Float8Vector score = (Float8Vector) root.getVector("score");
    for (int i = 0; i < batch.rows().size(); i++) {
      String[] cells = batch.rows().get(i).split("\\|", -1);
      id.setSafe(i, Long.parseLong(cells[0]));
      if (cells[1].equals("null")) {
        name.setNull(i);
      } else {
        name.setSafe(i, cells[1].getBytes(UTF_8));
      }
      if (cells[2].equals("null")) {
        score.setNull(i);
      } else {
        score.setSafe(i, Double.parseDouble(cells[2]));
      }
    }
    root.setRowCount(batch.rows().size());
  }

  /** A do_get answer of a native table: its schema and each batch's rows as text. */
  record TableAnswer(Schema schema, List<Batch> batches) {}

  private TableAnswer getTable(String ticket) throws Exception {
    try (FlightStream stream = client.client.getStream(new Ticket(ticket.getBytes(UTF_8)))) {
      Schema schema = stream.getSchema();
      List<Batch> batches = new ArrayList<>();
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        List<String> rows = new ArrayList<>();
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector name = (VarCharVector) root.getVector("name");
        Float8Vector score = (Float8Vector) root.getVector("score");
        for (int i = 0; i < root.getRowCount(); i++) {
          rows.add(id.get(i) + "|" + (name.isNull(i) ? "null" : new String(name.get(i), UTF_8)) + "|"
              + (score.isNull(i) ? "null" : Double.toString(score.get(i))));
        }
        batches.add(new Batch(rows));
      }
      return new TableAnswer(schema, batches);
    }
  }

  @Test
  void put_nativeTable_versionOne() {
    ObjectRef ref = putTable("app/s", clientMetadata(), TABLE_V1);

    assertThat(ref.version()).isEqualTo(1);
    assertThat(ref.key().session()).isEqualTo("s");
    assertThat(ref.endpoint()).isEqualTo(server.endpoint());
  }

  @Test
  void get_versionZero_ownSchemaMetadataAndEveryBatch() throws Exception {
    String key = putTable("app/s", clientMetadata(), TABLE_V1).key().toString();

    TableAnswer answer = getTable(key + ":0");

    assertThat(answer.schema().getFields()).isEqualTo(FIELDS);
    assertThat(answer.schema().getCustomMetadata()).isEqualTo(answeredMetadata(1));
    assertThat(answer.batches()).isEqualTo(TABLE_V1);
  }

  @Test
  void put_clientSentVersion_overwritten() throws Exception {
    Map<String, String> metadata = new java.util.HashMap<>(clientMetadata());
    metadata.put(Protocol.VERSION_KEY, "42");

    ObjectRef ref = putTable("app/s/t", metadata, TABLE_V1);

    assertThat(ref.version()).isEqualTo(1);
    assertThat(getTable("app/s/t:0").schema().getCustomMetadata()).containsEntry(Protocol.VERSION_KEY, "1");
  }

  @Test
  void update_versionTwo_newBatchesAndMetadata() throws Exception {
    putTable("app/s/t", clientMetadata(), TABLE_V1);

    ObjectRef updated = putTable("app/s/t", clientMetadata(), TABLE_V2);

    assertThat(updated.version()).isEqualTo(2);
    assertThat(updated.key().toString()).isEqualTo("app/s/t");
    TableAnswer answer = getTable("app/s/t:1");
    assertThat(answer.schema().getCustomMetadata()).isEqualTo(answeredMetadata(2));
    assertThat(answer.schema().getFields()).isEqualTo(FIELDS);
    assertThat(answer.batches()).isEqualTo(TABLE_V2);
  }

  @Test
  void get_currentVersion_notModifiedResponseSchemaNoBatches() {
    putTable("app/s/t", clientMetadata(), TABLE_V1);
    putTable("app/s/t", clientMetadata(), TABLE_V2);

    RawClient.Response response = client.get("app/s/t", 2);

    assertThat(response.schema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
    assertThat(response.batches()).isZero();
    assertThat(response.notModified()).isTrue();
  }

  @Test
  void getFlightInfo_nativeTable_nativeSchemaAndKeyTicket() throws Exception {
    putTable("app/s/t", clientMetadata(), TABLE_V1);
    putTable("app/s/t", clientMetadata(), TABLE_V2);

    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app/s/t"));

    assertThat(info.getSchema()).isEqualTo(schema(answeredMetadata(2)));
    assertThat(info.getEndpoints()).hasSize(1);
    FlightEndpoint endpoint = info.getEndpoints().get(0);
    assertThat(new String(endpoint.getTicket().getBytes(), UTF_8)).isEqualTo("app/s/t");
    assertThat(endpoint.getLocations()).containsExactly(new Location(server.endpoint()));
  }

  @Test
  void getFlightInfoTicket_doGet_fullTable() throws Exception {
    putTable("app/s/t", clientMetadata(), TABLE_V1);
    FlightInfo info = client.client.getInfo(FlightDescriptor.path("app/s/t"));

    TableAnswer answer = getTable(new String(info.getEndpoints().get(0).getTicket().getBytes(), UTF_8));

    assertThat(answer.batches()).isEqualTo(TABLE_V1);
  }

  @Test
  void getSchema_nativeTable_sameAsFlightInfo() {
    putTable("app/s/t", clientMetadata(), TABLE_V1);

    Schema schema = client.client.getSchema(FlightDescriptor.path("app/s/t")).getSchema();

    assertThat(schema).isEqualTo(schema(answeredMetadata(1)));
    assertThat(schema).isEqualTo(client.client.getInfo(FlightDescriptor.path("app/s/t")).getSchema());
  }

  @Test
  void put_opaqueOverNativeKey_answersRowsAgain() {
    putTable("app/s/t", clientMetadata(), TABLE_V1);

    ObjectRef ref = client.put("app/s/t", "bytes".getBytes(UTF_8));

    assertThat(ref.version()).isEqualTo(2);
    RawClient.Response response = client.get("app/s/t", 1);
    assertThat(response.schema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
    assertThat(response.base()).isEqualTo("bytes".getBytes(UTF_8));
    assertThat(client.client.getSchema(FlightDescriptor.path("app/s/t")).getSchema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
  }
}
