package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input gets a clear error with the right status code, and leaves nothing behind: no
 * new object in list_flights, no new file under objects/ or tmp/.
 */
class BadInputIT {
  private static final Schema TABLE_SCHEMA =
      new Schema(
          List.of(Field.nullable("n", new ArrowType.Int(32, true))),
          Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE));

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

  /** Replaces the default server with one started with these flags, on the same directory. */
  private void restartWith(String... args) throws Exception {
    client.close();
    server.close();
    server = TestServer.start(dir, args);
    client = new RawClient(server.location());
  }

  // ---- put paths -------------------------------------------------------------------------

  static Stream<Arguments> badPutPaths() {
    return Stream.of(
        Arguments.of("component of 256 bytes", "app/s/" + "a".repeat(256), "longer than 255 bytes"),
        Arguments.of("component of 256 UTF-8 bytes in 128 chars", "app/s/" + "é".repeat(128), "longer than 255 bytes"),
        Arguments.of("app of 256 bytes", "a".repeat(256) + "/s", "app is longer than 255 bytes"),
        Arguments.of("empty session", "app//x", "session is empty"),
        Arguments.of("empty app", "/s", "app is empty"),
        Arguments.of("trailing slash", "app/", "session is empty"),
        Arguments.of("empty object id", "app/s/", "object id is empty"),
        Arguments.of("dot session", "app/./x", "must not be '.' or contain '..'"),
        Arguments.of("dot object", "app/s/.", "must not be '.' or contain '..'"),
        Arguments.of("dotdot session", "app/../x", "must not be '.' or contain '..'"),
        Arguments.of("dotdot app", "../s/x", "must not be '.' or contain '..'"),
        Arguments.of("dotdot inside", "app/s/a..b", "must not be '.' or contain '..'"),
        Arguments.of("backslash", "app/s/a\\b", "must not contain '\\'"),
        Arguments.of("newline", "app/s/a\nb", "must not contain control characters"),
        Arguments.of("U+0001", "app/s/a\u0001b", "must not contain control characters"),
        Arguments.of("colon in object id", "app/s/obj:1", "must not contain ':'"),
        Arguments.of("colon in session", "app/s:1", "must not contain ':'"),
        Arguments.of("wildcard put", "app/*", "cannot put to 'app/*'"),
        Arguments.of("wildcard session with object", "app/*/x", "wildcard '*' is only allowed"),
        Arguments.of("wildcard object", "app/s/*", "wildcard '*' is only allowed"),
        Arguments.of("one part", "app", "expected '<app>/<session>'"),
        Arguments.of("four parts", "a/b/c/d", "expected '<app>/<session>'"),
        Arguments.of("empty path", "", "key must be provided in descriptor path or command"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPutPaths")
  void put_badPath_invalidArgumentAndNothingStored(String label, String path, String reason) throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, reason, () -> client.put(path, "x".getBytes(UTF_8)));
    assertUnchanged(before);
  }

  @Test
  void put_pathSplitIntoElements_onlyFirstElementReadLikeFlame() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Invalid key 'app'",
        () -> client.upload(FlightDescriptor.path("app", "s", "x"), Protocol.UPLOAD_SCHEMA, List.of(new byte[] {1})));
    assertUnchanged(before);
  }

  @Test
  void put_componentOf255Bytes_accepted() {
    String key = "app/s/" + "é".repeat(127) + "a";
    ObjectRef ref = client.put(key, "x".getBytes(UTF_8));
    assertThat(ref.version()).isEqualTo(1);
    assertThat(ref.key().toString()).isEqualTo(key);
    assertThat(client.get(key, 0).base()).isEqualTo("x".getBytes(UTF_8));
  }

  @Test
  void put_commandThatIsNotPatch_invalidArgumentAndNothingStored() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "key must be provided in descriptor path or command",
        () -> client.upload(FlightDescriptor.command("HELLO".getBytes(UTF_8)), Protocol.UPLOAD_SCHEMA, List.of(new byte[] {1})));
    assertUnchanged(before);
  }

  // ---- PATCH ------------------------------------------------------------------------------

  static Stream<Arguments> badPatchKeys() {
    return Stream.of(
        Arguments.of("two parts", "app/s", "expected '<app>/<session>/<object>'"),
        Arguments.of("four parts", "app/s/x/y", "expected '<app>/<session>/<object>'"),
        Arguments.of("empty", "", "expected '<app>/<session>/<object>'"),
        Arguments.of("wildcard", "app/*/x", "wildcard '*' is only allowed"),
        Arguments.of("dotdot", "app/s/..", "must not be '.' or contain '..'"),
        Arguments.of("colon", "app/s/x:2", "must not contain ':'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPatchKeys")
  void patch_badKey_invalidArgumentAndObjectUnchanged(String label, String key, String reason) throws IOException {
    client.put("app/s/x", "base".getBytes(UTF_8));
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, reason, () -> client.patch(key, "p".getBytes(UTF_8)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, "base");
  }

  @Test
  void patch_missingObject_notFoundAndNothingStored() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.NOT_FOUND, "object app/s/missing not found",
        () -> client.patch("app/s/missing", "p".getBytes(UTF_8)));
    assertUnchanged(before);
  }

  @Test
  void patch_nativeTableObject_invalidArgumentAndTableUnchanged() throws IOException {
    ObjectRef ref = putTable("app/s/table");
    assertThat(ref.version()).isEqualTo(1);
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "is an Arrow table",
        () -> client.patch("app/s/table", "p".getBytes(UTF_8)));
    assertUnchanged(before);
    RawClient.Response table = client.get("app/s/table", 0);
    assertThat(table.schema().getCustomMetadata()).containsEntry(Protocol.VERSION_KEY, "1");
    assertThat(table.rowCount()).isEqualTo(2);
  }

  @Test
  void patch_bodyIsNativeTable_invalidArgumentAndObjectUnchanged() throws IOException {
    client.put("app/s/x", "base".getBytes(UTF_8));
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "a patch is bytes",
        () -> upload(FlightDescriptor.command("PATCH:app/s/x".getBytes(UTF_8)), TABLE_SCHEMA, fillInts(1)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, "base");
  }

  // ---- tickets ----------------------------------------------------------------------------

  static Stream<Arguments> badTickets() {
    return Stream.of(
        Arguments.of("two-part key", "app/s:1".getBytes(UTF_8), "expected '<app>/<session>/<object>'"),
        Arguments.of("negative version", "a/b/c:-1".getBytes(UTF_8), "Invalid version"),
        Arguments.of("word version", "a/b/c:abc".getBytes(UTF_8), "Invalid version"),
        Arguments.of("empty version", "a/b/c:".getBytes(UTF_8), "Invalid version"),
        Arguments.of("space before version", "a/b/c: 1".getBytes(UTF_8), "Invalid version"),
        Arguments.of("second colon", "a/b/c:1:2".getBytes(UTF_8), "Invalid version"),
        Arguments.of("version 2^64", "a/b/c:18446744073709551616".getBytes(UTF_8), "too large"),
        Arguments.of("empty ticket", new byte[0], "expected '<app>/<session>/<object>'"),
        Arguments.of("wildcard session", "app/*/x:0".getBytes(UTF_8), "wildcard '*' is only allowed"),
        Arguments.of("dotdot", "app/../x:0".getBytes(UTF_8), "must not be '.' or contain '..'"),
        Arguments.of("not UTF-8", new byte[] {'a', '/', 'b', '/', (byte) 0xff, (byte) 0xfe}, "not valid UTF-8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTickets")
  void get_badTicket_invalidArgument(String label, byte[] ticket, String reason) {
    client.put("a/b/c", "abc".getBytes(UTF_8));
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, reason, () -> client.get(ticket, false));
  }

  @Test
  void get_missingKey_notFound() {
    assertRejected(FlightStatusCode.NOT_FOUND, "object app/s/x not found", () -> client.get("app/s/x", 0));
  }

  @Test
  void get_largestVersion_acceptedAsUnsignedAndAnsweredInFull() {
    client.put("a/b/c", "abc".getBytes(UTF_8));
    RawClient.Response response = client.get("a/b/c:18446744073709551615".getBytes(UTF_8), false);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("base", 1L));
    assertThat(response.base()).isEqualTo("abc".getBytes(UTF_8));
  }

  // ---- actions ----------------------------------------------------------------------------

  @Test
  void action_unknownType_invalidArgument() {
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Unknown action type: PUT",
        () -> client.action("PUT", "app/s/x".getBytes(UTF_8)));
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Unknown action type: delete",
        () -> client.action("delete", "app/s/x".getBytes(UTF_8)));
  }

  static Stream<Arguments> badDeleteBodies() {
    return Stream.of(
        Arguments.of("one part", "a".getBytes(UTF_8), "expected '<app>/<session>'"),
        Arguments.of("four parts", "a/b/c/d".getBytes(UTF_8), "expected '<app>/<session>'"),
        Arguments.of("empty", new byte[0], "expected '<app>/<session>'"),
        Arguments.of("wildcard with object", "app/*/x".getBytes(UTF_8), "wildcard '*' is only allowed"),
        Arguments.of("dotdot", "app/..".getBytes(UTF_8), "must not be '.' or contain '..'"),
        Arguments.of("not UTF-8", new byte[] {'a', '/', (byte) 0xc3}, "Invalid action body: not valid UTF-8"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDeleteBodies")
  void delete_badBody_invalidArgumentAndNothingRemoved(String label, byte[] body, String reason) throws IOException {
    client.put("a/b/c", "abc".getBytes(UTF_8));
    client.put("app/s/x", "x".getBytes(UTF_8));
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, reason, () -> client.action(Protocol.ACTION_DELETE, body));
    assertUnchanged(before);
  }

  @Test
  void delete_nothingMatches_oneOkResultAndNothingRemoved() throws IOException {
    client.put("app/s/x", "x".getBytes(UTF_8));
    Stored before = stored();
    assertThat(client.delete("app/other/x")).containsExactly("OK");
    assertThat(client.delete("app/other")).containsExactly("OK");
    assertThat(client.delete("other/*")).containsExactly("OK");
    assertThat(client.delete("app/s/y")).containsExactly("OK");
    assertUnchanged(before);
    assertObject("app/s/x", 1, "x");
  }

  // ---- wrong schemas ----------------------------------------------------------------------

  static Stream<Arguments> wrongSchemas() {
    return Stream.of(
        Arguments.of("version is signed int32",
            schema(field("version", new ArrowType.Int(32, true)), field("data", ArrowType.Binary.INSTANCE))),
        Arguments.of("version is signed int64",
            schema(field("version", new ArrowType.Int(64, true)), field("data", ArrowType.Binary.INSTANCE))),
        Arguments.of("data is utf8",
            schema(field("version", new ArrowType.Int(64, false)), field("data", ArrowType.Utf8.INSTANCE))),
        Arguments.of("data is large binary",
            schema(field("version", new ArrowType.Int(64, false)), field("data", ArrowType.LargeBinary.INSTANCE))),
        Arguments.of("columns swapped",
            schema(field("data", ArrowType.Binary.INSTANCE), field("version", new ArrowType.Int(64, false)))),
        Arguments.of("single uint64 column", schema(field("version", new ArrowType.Int(64, false)))),
        Arguments.of("single binary column", schema(field("data", ArrowType.Binary.INSTANCE))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongSchemas")
  void put_wrongSchema_invalidArgumentAndNothingStored(String label, Schema schema) throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "Invalid upload schema",
        () -> upload(FlightDescriptor.path("app/s/x"), schema, root -> root.setRowCount(1)));
    assertUnchanged(before);
  }

  @Test
  void put_extraColumnsAndOtherNames_acceptedByPosition() {
    Schema schema =
        schema(field("v", new ArrowType.Int(64, false)), field("d", ArrowType.Binary.INSTANCE), field("note", ArrowType.Utf8.INSTANCE));
    ObjectRef ref =
        upload(FlightDescriptor.path("app/s/x"), schema, root -> {
          ((UInt8Vector) root.getVector(0)).setSafe(0, 99);
          ((VarBinaryVector) root.getVector(1)).setSafe(0, "payload".getBytes(UTF_8));
          ((VarCharVector) root.getVector(2)).setSafe(0, "ignored".getBytes(UTF_8));
          root.setRowCount(1);
        });
    assertThat(ref.version()).isEqualTo(1);
    assertObject("app/s/x", 1, "payload");
  }

  // ---- empty payloads ---------------------------------------------------------------------

  @Test
  void put_schemaAndNoBatches_noDataReceived() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "No data received",
        () -> client.upload(FlightDescriptor.path("app/s/x"), Protocol.UPLOAD_SCHEMA, List.of()));
    assertUnchanged(before);
  }

  @Test
  void put_onlyZeroRowBatches_noDataReceived() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "No data received",
        () -> upload(FlightDescriptor.path("app/s/x"), Protocol.UPLOAD_SCHEMA, root -> root.setRowCount(0), root -> root.setRowCount(0)));
    assertUnchanged(before);
  }

  @Test
  void patch_onlyZeroRowBatch_noDataReceivedAndObjectUnchanged() throws IOException {
    client.put("app/s/x", "base".getBytes(UTF_8));
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "No data received",
        () -> upload(FlightDescriptor.command("PATCH:app/s/x".getBytes(UTF_8)), Protocol.UPLOAD_SCHEMA, root -> root.setRowCount(0)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, "base");
  }

  @Test
  void put_tableWithNoBatches_noDataReceived() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "No data received",
        () -> upload(FlightDescriptor.path("app/s/t"), TABLE_SCHEMA));
    assertUnchanged(before);
  }

  @Test
  void put_nullDataValue_invalidArgumentAndNothingStored() throws IOException {
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "row 1 has a null 'data' value",
        () -> upload(FlightDescriptor.path("app/s/x"), Protocol.UPLOAD_SCHEMA, root -> {
          ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
          ((UInt8Vector) root.getVector(0)).setSafe(1, 0);
          ((VarBinaryVector) root.getVector(1)).setSafe(0, "ok".getBytes(UTF_8));
          ((VarBinaryVector) root.getVector(1)).setNull(1);
          root.setRowCount(2);
        }));
    assertUnchanged(before);
  }

  @Test
  void put_zeroByteObject_storedAsOneEmptyBaseRow() {
    ObjectRef ref = client.put("app/s/empty", new byte[0]);
    assertThat(ref.version()).isEqualTo(1);
    for (RawClient.Response response : List.of(client.get("app/s/empty", 0), client.getChunked("app/s/empty", 0))) {
      assertThat(response.batches()).isEqualTo(1);
      assertThat(response.rows()).hasSize(1);
      RawClient.Row row = response.rows().get(0);
      assertThat(row.kind()).isEqualTo("base");
      assertThat(row.version()).isEqualTo(1);
      assertThat(row.data()).isEmpty();
    }
    assertThat(listedKeys()).containsExactly("app/s/empty");
    assertThat(client.get("app/s/empty", 1).notModified()).isTrue();
  }

  @Test
  void put_batchBodyShorterThanItsHeader_invalidArgumentAndNothingStored() throws Exception {
    Flight.FlightData truncated;
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator)) {
      root.allocateNew();
      ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
      ((VarBinaryVector) root.getVector(1)).setSafe(0, random(64 * 1024, 1));
      root.setRowCount(1);
      Flight.FlightData whole = RawPut.batchMessage(root, NoCompressionCodec.INSTANCE);
      truncated = whole.toBuilder().setDataBody(whole.getDataBody().substring(0, 1024)).build();
    }
    Stored before = stored();
    FlightRuntimeException failure;
    try (RawPut raw = new RawPut(server.server().port())) {
      failure = catchThrowableOfType(FlightRuntimeException.class,
          () -> raw.put(List.of(RawPut.schemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA), truncated)));
    }
    assertThat(failure).as("the put fails").isNotNull();
    assertUnchanged(before);
    assertObjectMissing("app/s/x");

    // Arrow 19 leaked such a body (ArrowMessage.asRecordBatch retained it, deserializeRecordBatch
    // threw); the server reads bodies itself now and must free it, which close checks.
    client.close();
    client = new RawClient(server.location());
    assertThatCode(server::close).doesNotThrowAnyException();

    // Undecodable input is the client's fault, and the answer should say what was wrong.
    assertThat(failure.status().code()).as("status of %s", failure).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
    assertThat(failure.status().description()).contains("decode");
  }

  // ---- configured limits ------------------------------------------------------------------

  @Test
  void put_largerThanMaxObjectBytes_invalidArgumentAndOldVersionKept() throws Exception {
    restartWith("--max-object-bytes", "1KiB");
    byte[] old = random(1000, 1);
    assertThat(client.put("app/s/x", old).version()).isEqualTo(1);
    Stored before = stored();

    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit of 1024 bytes",
        () -> client.put("app/s/x", random(2048, 2)));
    assertUnchanged(before);
    // In several batches, so the limit is crossed after bytes were already written.
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit of 1024 bytes",
        () -> client.put("app/s/x", random(700, 3), random(700, 4), random(700, 5)));
    assertUnchanged(before);
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "larger than the limit of 1024 bytes",
        () -> client.put("app/s/new", random(2048, 6)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, old);

    // The limit itself is allowed.
    assertThat(client.put("app/s/x", random(1024, 7)).version()).isEqualTo(2);
    assertObject("app/s/x", 2, random(1024, 7));
  }

  @Test
  void patch_growingPastMaxObjectBytes_invalidArgumentAndObjectUnchanged() throws Exception {
    restartWith("--max-object-bytes", "1KiB");
    byte[] old = random(1000, 1);
    client.put("app/s/x", old);
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "would grow past the limit of 1024 bytes",
        () -> client.patch("app/s/x", random(25, 2)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, old);
    assertThat(client.patch("app/s/x", random(24, 3)).version()).isEqualTo(2);
  }

  @Test
  void patch_beyondMaxPatches_invalidArgumentUntilReplaced() throws Exception {
    restartWith("--max-patches", "2");
    client.put("app/s/x", "base".getBytes(UTF_8));
    assertThat(client.patch("app/s/x", "p2".getBytes(UTF_8)).version()).isEqualTo(2);
    assertThat(client.patch("app/s/x", "p3".getBytes(UTF_8)).version()).isEqualTo(3);
    Stored before = stored();

    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "object app/s/x has reached maximum delta count (2)",
        () -> client.patch("app/s/x", "p4".getBytes(UTF_8)));
    assertUnchanged(before);
    RawClient.Response response = client.get("app/s/x", 0);
    assertThat(response.rows()).extracting(RawClient.Row::version).containsExactly(1L, 2L, 3L);
    assertThat(response.base()).isEqualTo("base".getBytes(UTF_8));
    assertThat(response.patches()).extracting(r -> new String(r.data(), UTF_8)).containsExactly("p2", "p3");

    // A replace clears the patches, so patching works again.
    assertThat(client.put("app/s/x", "new".getBytes(UTF_8)).version()).isEqualTo(4);
    assertThat(client.patch("app/s/x", "p5".getBytes(UTF_8)).version()).isEqualTo(5);
  }

  @Test
  void patch_largerThanMaxPatchBytes_invalidArgumentAndObjectUnchanged() throws Exception {
    restartWith("--max-patch-bytes", "1KiB");
    client.put("app/s/x", "base".getBytes(UTF_8));
    Stored before = stored();
    assertRejected(FlightStatusCode.INVALID_ARGUMENT, "patch of app/s/x is larger than the limit of 1024 bytes",
        () -> client.patch("app/s/x", random(2048, 1)));
    assertUnchanged(before);
    assertObject("app/s/x", 1, "base");
    // The limit itself is allowed.
    assertThat(client.patch("app/s/x", random(1024, 2)).version()).isEqualTo(2);
  }

  // ---- client gone in the middle of a put -------------------------------------------------

  @Test
  void put_clientCancelsMidStream_nothingStoredAndServerStillServes() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient flight = FlightClient.builder(allocator, server.location()).build();
        VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator);
        SyncPutListener listener = new SyncPutListener()) {
      FlightClient.ClientStreamListener stream = flight.startPut(FlightDescriptor.path("app/s/gone"), root, listener);
      for (int i = 0; i < 4; i++) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, random(64 * 1024, i));
        root.setRowCount(1);
        stream.putNext();
      }
      assertThat(poll(() -> tmpBytes() >= 64 * 1024)).as("the server began writing the upload").isTrue();
      stream.error(new RuntimeException("gone"));
    }
    assertGoneWithoutTrace();
  }

  @Test
  void put_connectionDroppedMidStream_nothingStoredAndServerStillServes() throws Exception {
    RawPut raw = new RawPut(server.server().port());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator)) {
      RawPut.Call call = raw.start().send(RawPut.schemaMessage("app/s/gone", Protocol.UPLOAD_SCHEMA));
      for (int i = 0; i < 4; i++) {
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
        ((VarBinaryVector) root.getVector(1)).setSafe(0, random(64 * 1024, i));
        root.setRowCount(1);
        call.send(RawPut.batchMessage(root, NoCompressionCodec.INSTANCE));
      }
      assertThat(poll(() -> tmpBytes() >= 64 * 1024)).as("the server began writing the upload").isTrue();
    } finally {
      raw.close(); // shutdownNow: the stream is never half-closed
    }
    assertGoneWithoutTrace();
  }

  private void assertGoneWithoutTrace() throws Exception {
    assertThat(poll(() -> tmpEntries().isEmpty())).as("tmp/ emptied, still holding %s", tmpEntries()).isTrue();
    assertThat(listedKeys()).isEmpty();
    assertThat(stored().files()).isEmpty();
    assertObjectMissing("app/s/gone");

    byte[] payload = random(200 * 1024, 42);
    assertThat(client.put("app/s/gone", payload).version()).isEqualTo(1);
    assertObject("app/s/gone", 1, payload);
    // Closing the server checks its allocator: the aborted call must not have leaked.
    client.close();
    assertThatCode(server::close).doesNotThrowAnyException();
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** What the server holds: the keys list_flights answers and every path under objects/ and tmp/. */
  record Stored(List<String> keys, Set<String> files) {}

  private Stored stored() throws IOException {
    Set<String> files = new TreeSet<>();
    for (String area : List.of("objects", "tmp")) {
      Path root = server.dir().resolve(area);
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(p -> !p.equals(root)).forEach(p -> files.add(server.dir().relativize(p).toString()));
      }
    }
    return new Stored(listedKeys(), files);
  }

  private void assertUnchanged(Stored before) throws IOException {
    Stored after = stored();
    assertThat(after.keys()).as("keys in list_flights").containsExactlyInAnyOrderElementsOf(before.keys());
    assertThat(after.files()).as("files under objects/ and tmp/").isEqualTo(before.files());
    assertThat(tmpEntries()).as("tmp/").isEmpty();
  }

  private List<String> listedKeys() {
    List<String> keys = new ArrayList<>();
    for (FlightInfo info : client.client.listFlights(Criteria.ALL)) {
      keys.add(new String(info.getEndpoints().get(0).getTicket().getBytes(), UTF_8));
    }
    return keys;
  }

  private List<Path> tmpEntries() {
    try (Stream<Path> list = Files.list(server.dir().resolve("tmp"))) {
      return list.toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private long tmpBytes() {
    long total = 0;
    for (Path p : tmpEntries()) {
      try {
        total += Files.size(p);
      } catch (IOException e) {
        // removed meanwhile
      }
    }
    return total;
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

  private void assertObjectMissing(String key) {
    assertRejected(FlightStatusCode.NOT_FOUND, "object " + key + " not found", () -> client.get(key, 0));
  }

  private void assertObject(String key, long version, String base) {
    assertObject(key, version, base.getBytes(UTF_8));
  }

  private void assertObject(String key, long version, byte[] base) {
    RawClient.Response response = client.get(key, 0);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("base", version));
    assertThat(response.base()).isEqualTo(base);
  }

  static void assertRejected(FlightStatusCode code, String reason, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(FlightRuntimeException.class, e -> {
          assertThat(e.status().code()).as("status of %s", e).isEqualTo(code);
          assertThat(e.status().description()).contains(reason);
        });
  }

  private ObjectRef putTable(String path) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TABLE_SCHEMA, client.allocator)) {
      return client.putTable(path, root, () -> fillInts(2).accept(root));
    }
  }

  private static Consumer<VectorSchemaRoot> fillInts(int rows) {
    return root -> {
      root.allocateNew();
      IntVector n = (IntVector) root.getVector(0);
      for (int i = 0; i < rows; i++) {
        n.setSafe(i, 7 + i);
      }
      root.setRowCount(rows);
    };
  }

  /** A do_put of any schema; each filler fills one batch (after allocateNew) and sets its row count. */
  @SafeVarargs
  private ObjectRef upload(FlightDescriptor descriptor, Schema schema, Consumer<VectorSchemaRoot>... batches) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, client.allocator);
        SyncPutListener listener = new SyncPutListener()) {
      FlightClient.ClientStreamListener stream = client.client.startPut(descriptor, root, listener);
      for (Consumer<VectorSchemaRoot> fill : batches) {
        root.allocateNew();
        fill.accept(root);
        stream.putNext();
      }
      stream.completed();
      stream.getResult();
      try (PutResult result = listener.read()) {
        ArrowBuf metadata = result.getApplicationMetadata();
        byte[] bson = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, bson);
        return ObjectRef.fromBson(bson);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    }
  }

  private static Schema schema(Field... fields) {
    return new Schema(Arrays.asList(fields));
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
