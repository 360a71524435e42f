package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flightcache.proto.Protocol;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * do_put fed what no honest client sends, or abandoned half-way: every such call answers at once
 * with INVALID_ARGUMENT (or UNAUTHORIZED for a caller that may not write) and leaves no call
 * thread, temp file, quota charge or Arrow memory behind. The servers run with 4 call threads and
 * a quota of 5 objects, so a single leaked thread or charge shows within a few repetitions.
 */
class MalformedPutIT {
  private static final String[] SMALL = {"--call-threads", "4"};

  @TempDir Path dir;
  TestServer server;
  RawPut raw;
  BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() throws Exception {
    if (raw != null) {
      raw.close();
    }
    allocator.close();
    if (server != null) {
      server.close(); // fails if the server leaked Arrow memory
    }
  }

  private void start(String... extraArgs) throws Exception {
    Path quotas = Files.writeString(dir.resolve("quotas.txt"), "app 1G 5\n");
    String[] args = Stream.concat(Stream.of(SMALL), Stream.of("--app-quotas-file", quotas.toString()))
        .toArray(String[]::new);
    server = TestServer.start(dir.resolve("data"), Stream.concat(Stream.of(args), Stream.of(extraArgs)).toArray(String[]::new));
    raw = new RawPut(server.server().port());
  }

  static Stream<Arguments> malformedFirstMessages() {
    Flight.FlightData schema = RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA);
    return Stream.of(
        Arguments.of("descriptor with an empty header", List.of(RawPut.descriptorOnly("app/s/x")), "must carry its schema"),
        Arguments.of("half-close with no message", List.of(), "ended before its schema"),
        Arguments.of("garbage data_header",
            List.of(schema.toBuilder().setDataHeader(ByteString.copyFromUtf8("not a flatbuffer at all")).build()),
            "Failed to decode"),
        Arguments.of("descriptor type UNKNOWN",
            List.of(schema.toBuilder().setFlightDescriptor(Flight.FlightDescriptor.newBuilder()
                .setType(Flight.FlightDescriptor.DescriptorType.UNKNOWN).addPath("app/s/x")).build()),
            "descriptor type UNKNOWN"),
        Arguments.of("no descriptor", List.of(schema.toBuilder().clearFlightDescriptor().build()), "must carry its descriptor"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedFirstMessages")
  void put_malformedFirstMessage_invalidArgumentEveryTimeAndNothingLeft(
      String label, List<Flight.FlightData> messages, String reason) throws Exception {
    start();
    for (int i = 0; i < 20; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, reason, () -> send(messages));
    }
    assertNothingLeft();
  }

  @Test
  void put_batchBeforeSchema_invalidArgumentAndNothingLeft() throws Exception {
    start();
    Flight.FlightData batch = oneRow(1024, 1).toBuilder()
        .setFlightDescriptor(RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA).getFlightDescriptor())
        .build();
    for (int i = 0; i < 20; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "must carry its schema, not a batch",
          () -> send(List.of(batch)));
    }
    assertNothingLeft();
  }

  @Test
  void put_rowCountOfIntMax_invalidArgumentWithoutAllocating() throws Exception {
    start();
    Flight.FlightData lie;
    try (VectorSchemaRoot root = row(1024, 1)) {
      lie = RawPut.lyingBatchMessage(root, Integer.MAX_VALUE);
    }
    assertThat(lie.getSerializedSize()).isLessThan(2048);
    for (int i = 0; i < 20; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "are needed",
          () -> send(List.of(RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA), lie)));
    }
    assertNothingLeft();
  }

  @Test
  void put_corruptBinaryOffsets_invalidArgumentNotInternal() throws Exception {
    start();
    Flight.FlightData honest = oneRow(1024, 2);
    byte[] body = honest.getDataBody().toByteArray();
    // Buffers: version validity, values (8 bytes, padded to 8), data validity, offsets, data.
    // The offsets buffer starts at 24 (three 8-byte buffers before it); make the end offset huge.
    java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24 + 4, 1 << 30);
    Flight.FlightData corrupt = honest.toBuilder().setDataBody(ByteString.copyFrom(body)).build();
    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Failed to decode batch",
        () -> send(List.of(RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA), corrupt)));
    assertNothingLeft();
  }

  @Test
  void put_tableRowCountOfIntMax_invalidArgumentWithoutAllocating() throws Exception {
    start();
    Schema table = new Schema(
        List.of(Field.nullable("n", new ArrowType.Int(32, true))), Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE));
    Flight.FlightData lie;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(table, allocator)) {
      root.allocateNew();
      ((IntVector) root.getVector(0)).setSafe(0, 7);
      root.setRowCount(1);
      lie = RawPut.lyingBatchMessage(root, Integer.MAX_VALUE);
    }
    double baseline = arrowBytes();
    for (int i = 0; i < 20; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "are needed",
          () -> send(List.of(RawPut.schemaMessage("app/s/table", table), lie)));
    }
    assertThat(arrowBytes()).isEqualTo(baseline);
    assertNothingLeft();
  }

  /** Bad input is the caller's fault: nothing at WARN or above, and no stack trace, per request. */
  @Test
  void put_badInput_loggedWithoutWarningsOrStackTraces() throws Exception {
    start();
    Flight.FlightData honest = oneRow(1024, 6);
    byte[] body = honest.getDataBody().toByteArray();
    java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24 + 4, 1 << 30);
    Flight.FlightData corruptOffsets = honest.toBuilder().setDataBody(ByteString.copyFrom(body)).build();
    Flight.FlightData schema = RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA);
    Flight.FlightData garbageHeader = schema.toBuilder().setDataHeader(ByteString.copyFromUtf8("garbage")).build();
    Flight.FlightData truncated = honest.toBuilder().setDataBody(honest.getDataBody().substring(0, 100)).build();

    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    root.addAppender(appender);
    try {
      for (List<Flight.FlightData> messages : List.of(
          List.of(schema, corruptOffsets), List.of(garbageHeader), List.of(schema, truncated))) {
        BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Failed to decode", () -> send(messages));
      }
    } finally {
      root.detachAppender(appender);
    }
    assertThat(appender.list)
        .filteredOn(event -> event.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN) || event.getThrowableProxy() != null)
        .isEmpty();
    assertNothingLeft();
  }

  /** Arrow 19 leaked each truncated body for good; 1,000 of them must leave the allocator as it was. */
  @Test
  void put_truncatedBody1000Times_arrowMemoryBackToBaseline() throws Exception {
    start();
    double baseline = arrowBytes();
    Flight.FlightData whole = oneRow(64 * 1024 + 4096, 3);
    Flight.FlightData truncated = whole.toBuilder().setDataBody(whole.getDataBody().substring(0, 64 * 1024)).build();
    Flight.FlightData schema = RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA);
    long deadline = System.nanoTime() + 120_000_000_000L;
    for (int i = 0; i < 1000 && System.nanoTime() < deadline; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Failed to decode batch",
          () -> send(List.of(schema, truncated)));
    }
    Flight.FlightData large = oneRow(4 * 1024 * 1024 + 4096, 4);
    Flight.FlightData largeCut = large.toBuilder().setDataBody(large.getDataBody().substring(0, 4 * 1024 * 1024)).build();
    for (int i = 0; i < 10; i++) {
      BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Failed to decode batch",
          () -> send(List.of(schema, largeCut)));
    }
    assertThat(poll(() -> arrowBytes() == baseline)).as("Arrow memory back to %s, is %s", baseline, arrowBytes()).isTrue();
    assertNothingLeft();
  }

  /**
   * Arrow 19 parked a call thread in FlightStream for good per early cancel; with 4 call threads
   * and a quota of 5 objects, 40 cancels would have left no thread and no quota.
   */
  @Test
  void put_cancelledEarly40Times_threadsTempFilesAndQuotaReleased() throws Exception {
    start();
    Flight.FlightData row = oneRow(256 * 1024, 5);
    for (int i = 0; i < 40; i++) {
      RawPut.Call call = raw.start().send(RawPut.schemaMessage("app/s/gone-" + i, Protocol.UPLOAD_SCHEMA));
      if (i % 2 == 0) {
        call.send(row).send(row);
      }
      call.cancel();
    }
    assertThat(poll(() -> tmpEntries().isEmpty())).as("tmp/ emptied, still %s", tmpEntries()).isTrue();
    assertThat(poll(() -> parkedInFlightStream() == 0)).as("threads parked in FlightStream").isTrue();
    assertNothingLeft();
  }

  @Test
  void put_malformedFromCallerWithoutWrite_unauthorizedAndNothingLeft() throws Exception {
    try (SecuredServer secured = SecuredServer.start(Files.createDirectories(dir.resolve("secured")), SMALL)) {
      Metadata bearer = new Metadata();
      bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + SecuredServer.TEAM_B);
      io.grpc.ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", secured.server.server().port())
          .sslContext(GrpcSslContexts.forClient().trustManager(secured.pki.caFile.toFile()).build())
          .intercept(MetadataUtils.newAttachHeadersInterceptor(bearer))
          .build();
      try (RawPut teamB = new RawPut(channel)) {
        Flight.FlightData garbage = RawPut.schemaMessage("team-a/s/x", Protocol.UPLOAD_SCHEMA).toBuilder()
            .setDataHeader(ByteString.copyFromUtf8("garbage")).build();
        for (int i = 0; i < 20; i++) {
          BadInputIT.assertRejected(FlightStatusCode.UNAUTHORIZED, "write", () -> {
            RawPut.Call call = teamB.start();
            call.send(garbage);
            call.finish();
          });
        }
      }
      try (Stream<Path> tmp = Files.list(secured.server.dir().resolve("tmp"))) {
        assertThat(tmp.toList()).isEmpty();
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private void send(List<Flight.FlightData> messages) throws Exception {
    RawPut.Call call = raw.start();
    messages.forEach(call::send);
    call.finish();
  }

  /** tmp/ is empty, Arrow memory is free, every call thread serves, and the quota of 5 objects is whole. */
  private void assertNothingLeft() throws Exception {
    assertThat(poll(() -> tmpEntries().isEmpty())).as("tmp/ emptied, still %s", tmpEntries()).isTrue();
    for (int i = 0; i < 5; i++) {
      byte[] payload = BadInputIT.random(1024, i);
      assertThat(raw.put(List.of(RawPut.schemaMessage("app/s/ok-" + i, Protocol.UPLOAD_SCHEMA), oneRow(payload)))
          .version()).isEqualTo(1);
    }
  }

  private Flight.FlightData oneRow(int bytes, long seed) {
    return oneRow(BadInputIT.random(bytes, seed));
  }

  private Flight.FlightData oneRow(byte[] payload) {
    try (VectorSchemaRoot root = row(payload)) {
      return RawPut.batchMessage(root, NoCompressionCodec.INSTANCE);
    }
  }

  private VectorSchemaRoot row(int bytes, long seed) {
    return row(BadInputIT.random(bytes, seed));
  }

  private VectorSchemaRoot row(byte[] payload) {
    VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator);
    root.allocateNew();
    ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
    ((VarBinaryVector) root.getVector(1)).setSafe(0, payload);
    root.setRowCount(1);
    return root;
  }

  private double arrowBytes() {
    try {
      return Scrape.of(server.server()).value("flight_cache_arrow_allocated_bytes");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<Path> tmpEntries() {
    try (Stream<Path> list = Files.list(server.dir().resolve("tmp"))) {
      return list.toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Threads of this JVM (the server runs in it) waiting inside Arrow's FlightStream. */
  private static long parkedInFlightStream() {
    return Thread.getAllStackTraces().values().stream()
        .filter(stack -> Stream.of(stack).anyMatch(frame -> frame.getClassName().startsWith("org.apache.arrow.flight.FlightStream")))
        .count();
  }

  /** Polls up to 100 × 50 ms. */
  private static boolean poll(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }
}
