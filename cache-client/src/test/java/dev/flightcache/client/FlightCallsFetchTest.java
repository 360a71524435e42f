package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.GetTicket;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Version;
import dev.flightcache.proto.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FlightCalls#fetch} against answers written by Arrow's own Flight server: the shapes our
 * server sends, and the ones it never sends but flame's server or a broken peer might (several
 * rows a batch, no announced size, unknown kinds, other schemas). Version 0 reads through
 * {@link DirectGet} and {@link AnswerReader}, other versions through Flight's reader; the cases
 * that matter to both run both ways.
 */
class FlightCallsFetchTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final List<String> chunkedRowsHeaders = new CopyOnWriteArrayList<>();
  private FlightServer server;
  private Connections connections;
  private FlightCalls calls;

  /** One batch of {@code (version, kind, data)} rows. */
  private record Row(long version, String kind, String data) {}

  /** What the server answers for each object name. */
  private final Map<String, List<List<Row>>> answers = Map.of(
      "multi", List.of(List.of(new Row(7, "base", "abc"), new Row(7, "base", "defg")), List.of(new Row(7, "base", "h"))),
      "patched", List.of(List.of(new Row(3, "base", "base"), new Row(4, "patch", "+p4"), new Row(5, "patch", "+p5"))),
      "patches", List.of(List.of(new Row(4, "patch", "+p4")), List.of(new Row(5, "patch", "+p5"))),
      "current", List.of(),
      "empty", List.of(List.of(new Row(9, "base", ""))),
      "badkind", List.of(List.of(new Row(1, "delta", "x"))),
      "backwards", List.of(List.of(new Row(5, "patch", "a"), new Row(4, "patch", "b"))));

  @BeforeEach
  void start() throws Exception {
    server = FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer())
        .headerAuthenticator(headers -> {
          chunkedRowsHeaders.add(String.valueOf(headers.get(Protocol.HEADER_CHUNKED_ROWS)));
          return () -> "";
        })
        .build()
        .start();
    connections = new Connections(allocator, null, Duration.ofSeconds(5));
    calls = new FlightCalls(allocator);
  }

  @AfterEach
  void stop() throws Exception {
    connections.close();
    server.close();
    allocator.close();
  }

  @Test
  void fetch_severalRowsPerBatchWithoutAnnouncedSize_concatenatesTheBase() {
    GetAnswer.Full<ByteBuffer> full = (GetAnswer.Full<ByteBuffer>) fetch("multi", 0);
    assertThat(text(full.base().data())).isEqualTo("abcdefgh");
    assertThat(full.version().bits()).isEqualTo(7);
    assertThat(full.payloadBytes()).isEqualTo(8);
    assertThat(full.patches()).isEmpty();
  }

  @Test
  void fetch_baseAndPatchesInOneBatch_keepsThemApart() {
    GetAnswer.Full<ByteBuffer> full = (GetAnswer.Full<ByteBuffer>) fetch("patched", 0);
    assertThat(text(full.base().data())).isEqualTo("base");
    assertThat(full.patches()).extracting(patch -> patch.version().bits()).containsExactly(4L, 5L);
    assertThat(full.patches()).extracting(patch -> text(patch.data())).containsExactly("+p4", "+p5");
    assertThat(full.version().bits()).isEqualTo(5);
  }

  @Test
  void fetch_patchesOnly_answersPatches() {
    GetAnswer.Patches<ByteBuffer> patches = (GetAnswer.Patches<ByteBuffer>) fetch("patches", 3);
    assertThat(patches.patches()).extracting(patch -> patch.version().bits()).containsExactly(4L, 5L);
    assertThat(patches.payloadBytes()).isEqualTo(6);
  }

  @Test
  void directGet_patchesOnly_answersPatches() {
    GetAnswer.Patches<ByteBuffer> patches = (GetAnswer.Patches<ByteBuffer>) DirectGet.fetch(connection().channel(), key("patches"), Version.of(3));
    assertThat(patches.patches()).extracting(patch -> text(patch.data())).containsExactly("+p4", "+p5");
  }

  @Test
  void fetch_schemaOnly_notModified() {
    assertThat(fetch("current", 5)).isInstanceOf(GetAnswer.NotModified.class);
    assertThat(DirectGet.fetch(connection().channel(), key("current"), Version.of(5))).isInstanceOf(GetAnswer.NotModified.class);
  }

  @Test
  void fetch_revalidationAnsweredInFull_replacesTheBase() {
    GetAnswer.Full<ByteBuffer> full = (GetAnswer.Full<ByteBuffer>) fetch("multi", 6);
    assertThat(text(full.base().data())).isEqualTo("abcdefgh");
  }

  @Test
  void fetch_emptyBase_fullAndEmpty() {
    GetAnswer.Full<ByteBuffer> full = (GetAnswer.Full<ByteBuffer>) fetch("empty", 0);
    assertThat(full.base().data().remaining()).isZero();
    assertThat(full.version().bits()).isEqualTo(9);
  }

  @Test
  void fetch_announcedSize_isUsedAndTheBytesStillCount() {
    GetAnswer.Full<ByteBuffer> full = (GetAnswer.Full<ByteBuffer>) fetch("announced", 0);
    assertThat(text(full.base().data())).isEqualTo("0123456789");
  }

  @Test
  void fetch_sendsTheCallersHeaders() {
    FlightCallHeaders headers = new FlightCallHeaders();
    headers.insert(Protocol.HEADER_CHUNKED_ROWS, "1");
    calls.fetch(connection(), key("current"), Version.of(0), new HeaderCallOption(headers));
    calls.fetch(connection(), key("current"), Version.of(1), new HeaderCallOption(headers));
    assertThat(chunkedRowsHeaders).containsExactly("1", "1");
  }

  @Test
  void fetch_nativeTable_invalidRequest() {
    assertThatThrownBy(() -> fetch("table", 0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("is an Arrow table");
  }

  @Test
  void fetch_otherSchema_protocolError() {
    assertThatThrownBy(() -> fetch("strings", 0)).isInstanceOf(IllegalStateException.class).hasMessageContaining("schema");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1})
  void fetch_unknownKind_protocolError(long version) {
    assertThatThrownBy(() -> fetch("badkind", version)).isInstanceOf(IllegalStateException.class).hasMessageContaining("'delta'");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1})
  void fetch_patchVersionsGoingBack_protocolError(long version) {
    assertThatThrownBy(() -> fetch("backwards", version)).isInstanceOf(IllegalStateException.class).hasMessageContaining("increase");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1})
  void fetch_nativeTableEitherWay_invalidRequest(long version) {
    assertThatThrownBy(() -> fetch("table", version)).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void fetch_serverError_surfacesAsFlightsException() {
    assertThatThrownBy(() -> fetch("missing", 0))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
          assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
          assertThat(e.getMessage()).contains("no such object");
        });
  }

  @Test
  void fetch_deadlinePasses_timedOut() {
    CallOption deadline = CallOptions.timeout(200, TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> calls.fetch(connection(), key("silent"), Version.of(0), deadline))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.TIMED_OUT));
  }

  @Test
  void fetch_interrupted_cancelsAndSaysSo() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> fetch("silent", 0)).isInstanceOf(IllegalStateException.class).hasMessage("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  private GetAnswer<ByteBuffer> fetch(String name, long version) {
    return calls.fetch(connection(), key(name), Version.of(version));
  }

  private Connections.Connection connection() {
    return connections.get(Endpoint.parse("grpc://127.0.0.1:" + server.getPort()));
  }

  private static ObjectKey key(String name) {
    return ObjectKey.parse("app/session/" + name);
  }

  private static String text(ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
  }

  private final class Producer extends NoOpFlightProducer {
    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      String name = GetTicket.parse(ticket.getBytes()).key().object();
      switch (name) {
        case "missing" -> listener.error(CallStatus.NOT_FOUND.withDescription("no such object").toRuntimeException());
        case "silent" -> { }
        case "table" -> sendSchemaOnly(listener, new Schema(
            Protocol.RESPONSE_SCHEMA.getFields(), Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE)));
        case "strings" -> sendSchemaOnly(listener, new Schema(List.of(
            org.apache.arrow.vector.types.pojo.Field.notNullable("text", org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE))));
        case "announced" -> send(listener, Protocol.responseSchema(10), List.of(List.of(new Row(2, "base", "01234"), new Row(2, "base", "56789"))));
        default -> send(listener, Protocol.RESPONSE_SCHEMA, answers.get(name));
      }
    }

    /**
     * The root is closed before the call completes: the client may see the end, and the test
     * close the allocator, as soon as completed() is sent.
     */
    private void sendSchemaOnly(ServerStreamListener listener, Schema schema) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
        listener.start(root);
      }
      listener.completed();
    }

    private void send(ServerStreamListener listener, Schema schema, List<List<Row>> batches) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
        listener.start(root);
        for (List<Row> batch : batches) {
          root.allocateNew();
          for (int i = 0; i < batch.size(); i++) {
            Row row = batch.get(i);
            ((UInt8Vector) root.getVector(0)).setSafe(i, row.version());
            ((VarCharVector) root.getVector(1)).setSafe(i, row.kind().getBytes(StandardCharsets.UTF_8));
            ((VarBinaryVector) root.getVector(2)).setSafe(i, row.data().getBytes(StandardCharsets.UTF_8));
          }
          root.setRowCount(batch.size());
          listener.putNext();
        }
      }
      listener.completed();
    }
  }
}
