package dev.flightcache.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil.CodecType;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * do_put bodies compressed with ZSTD or LZ4_FRAME (IPC BodyCompression, as pyarrow and arrow-rs
 * send them) are decompressed and stored as the plain bytes. Java's FlightClient cannot compress,
 * so these uploads are raw gRPC FlightData built with {@link RawPut}.
 */
class CompressedUploadIT {
  private static final byte[] COMPRESSIBLE = compressible(300 * 1024);
  private static final byte[] RANDOM = BadInputIT.random(100 * 1024, 7);

  @TempDir Path dir;
  TestServer server;
  RawClient client;
  RawPut raw;
  BufferAllocator allocator;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    client = new RawClient(server.location());
    raw = new RawPut(server.server().port());
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() throws Exception {
    raw.close();
    allocator.close(); // fails on a leak of the batches built here
    client.close();
    server.close(); // fails on a leak in the server
  }

  @ParameterizedTest
  @EnumSource(value = CodecType.class, names = {"ZSTD", "LZ4_FRAME"})
  void put_compressedBatches_storedDecompressed(CodecType type) throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
    String key = "app/s/" + type.name().toLowerCase();
    List<byte[]> chunks = chunks(COMPRESSIBLE, 100 * 1024);
    chunks.addAll(chunks(RANDOM, 50 * 1024));

    List<Flight.FlightData> messages = new ArrayList<>();
    messages.add(RawPut.schemaMessage(key, Protocol.UPLOAD_SCHEMA));
    for (byte[] chunk : chunks) {
      messages.add(batch(codec, chunk));
    }
    // The batches really are compressed with the codec, and the compressible ones shrank.
    for (Flight.FlightData message : messages.subList(1, messages.size())) {
      assertThat(compressionOf(message)).isEqualTo(type.getType());
    }
    assertThat(messages.get(1).getDataBody().size()).isLessThan(100 * 1024 / 4);

    ObjectRef ref = raw.put(messages);

    assertThat(ref.key().toString()).isEqualTo(key);
    assertThat(ref.version()).isEqualTo(1);
    assertThat(ref.endpoint()).isEqualTo(server.endpoint());
    RawClient.Response response = client.get(key, 0);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("base", 1L));
    assertThat(response.base()).isEqualTo(concat(COMPRESSIBLE, RANDOM));
    assertThat(Files.size(server.dir().resolve("objects").resolve(key).resolve("1.base")))
        .isEqualTo(COMPRESSIBLE.length + RANDOM.length);
  }

  @ParameterizedTest
  @EnumSource(value = CodecType.class, names = {"ZSTD", "LZ4_FRAME"})
  void patch_compressedBatch_storedDecompressed(CodecType type) throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
    client.put("app/s/x", "base".getBytes(UTF_8));
    byte[] delta = compressible(64 * 1024);

    ObjectRef ref =
        raw.put(List.of(RawPut.patchSchemaMessage("app/s/x", Protocol.UPLOAD_SCHEMA), batch(codec, delta)));

    assertThat(ref.version()).isEqualTo(2);
    RawClient.Response response = client.get("app/s/x", 1);
    assertThat(response.rows()).extracting(RawClient.Row::kind, RawClient.Row::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("patch", 2L));
    assertThat(response.patches().get(0).data()).isEqualTo(delta);
  }

  @Test
  void put_compressedAndPlainBatchesMixed_concatenatedInOrder() throws Exception {
    byte[] a = compressible(40 * 1024);
    byte[] b = BadInputIT.random(10 * 1024, 1);
    byte[] c = compressible(30 * 1024);
    ObjectRef ref =
        raw.put(List.of(
            RawPut.schemaMessage("app/s/mixed", Protocol.UPLOAD_SCHEMA),
            batch(CommonsCompressionFactory.INSTANCE.createCodec(CodecType.ZSTD), a),
            batch(NoCompressionCodec.INSTANCE, b),
            batch(CommonsCompressionFactory.INSTANCE.createCodec(CodecType.LZ4_FRAME), c)));
    assertThat(ref.version()).isEqualTo(1);
    assertThat(client.get("app/s/mixed", 0).base()).isEqualTo(concat(a, b, c));
  }

  @Test
  void put_compressedNativeTable_storedAndServed() throws Exception {
    Schema schema =
        new Schema(
            List.of(Field.notNullable("n", new ArrowType.Int(32, true))),
            Map.of(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE));
    Flight.FlightData compressed;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      IntVector n = (IntVector) root.getVector(0);
      for (int i = 0; i < 10_000; i++) {
        n.setSafe(i, i % 10);
      }
      root.setRowCount(10_000);
      compressed = RawPut.batchMessage(root, CommonsCompressionFactory.INSTANCE.createCodec(CodecType.ZSTD));
    }
    assertThat(compressionOf(compressed)).isEqualTo(CodecType.ZSTD.getType());

    ObjectRef ref = raw.put(List.of(RawPut.schemaMessage("app/s/table", schema), compressed));

    assertThat(ref.version()).isEqualTo(1);
    RawClient.Response response = client.get("app/s/table", 0);
    assertThat(response.rowCount()).isEqualTo(10_000);
    assertThat(response.schema().getCustomMetadata()).containsEntry(Protocol.VERSION_KEY, "1");
  }

  /**
   * A body that does not decompress is the client's fault: INVALID_ARGUMENT naming the decode
   * failure, as flame names it ("Failed to decode batch: ..."), not INTERNAL "internal error".
   */
  @ParameterizedTest
  @EnumSource(value = CodecType.class, names = {"ZSTD", "LZ4_FRAME"})
  void put_corruptCompressedBody_invalidArgumentNamingDecodeFailure(CodecType type) throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
    Flight.FlightData corrupt = corruptLastBuffer(batch(codec, COMPRESSIBLE));

    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "decode",
        () -> raw.put(List.of(RawPut.schemaMessage("app/s/corrupt", Protocol.UPLOAD_SCHEMA), corrupt)));

    closeServerCheckingNoLeak();
  }

  @ParameterizedTest
  @EnumSource(value = CodecType.class, names = {"ZSTD", "LZ4_FRAME"})
  void put_corruptCompressedBody_nothingStoredAndServerStillServes(CodecType type) throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(type);
    Flight.FlightData corrupt = corruptLastBuffer(batch(codec, COMPRESSIBLE));

    assertPutFails(List.of(
        RawPut.schemaMessage("app/s/corrupt", Protocol.UPLOAD_SCHEMA), batch(codec, RANDOM), corrupt));

    assertNothingStored();
    assertServesAfterwards(codec);
    closeServerCheckingNoLeak();
  }

  @Test
  void put_zstdBodyClaimingHugeLength_nothingStoredAndServerStillServes() throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(CodecType.ZSTD);
    // The 8-byte uncompressed-length prefix of the data buffer says 1 TiB: refused before
    // anything is allocated, since a batch may not decompress to more than max-message-bytes.
    Flight.FlightData lying = rewriteLastBuffer(batch(codec, COMPRESSIBLE), (body, offset, length) -> setLongLe(body, offset, 1L << 40));

    assertPutFails(List.of(RawPut.schemaMessage("app/s/huge", Protocol.UPLOAD_SCHEMA), lying));

    assertNothingStored();
    assertServesAfterwards(codec);
    closeServerCheckingNoLeak();
  }

  /**
   * The uncompressed-length prefix is the most a buffer may inflate to: an LZ4 frame that holds
   * more than its prefix claims is refused (Arrow 19's codec ignored the prefix and inflated the
   * whole frame onto the heap first, so a small frame could claim 16 bytes and take gigabytes).
   */
  @Test
  void put_lz4BodyWithWrongLengthPrefix_invalidArgumentAndNothingStored() throws Exception {
    CompressionCodec codec = CommonsCompressionFactory.INSTANCE.createCodec(CodecType.LZ4_FRAME);
    Flight.FlightData lying = rewriteLastBuffer(batch(codec, COMPRESSIBLE), (body, offset, length) -> setLongLe(body, offset, 16));

    BadInputIT.assertRejected(FlightStatusCode.INVALID_ARGUMENT, "more than the 16 bytes it claims",
        () -> raw.put(List.of(RawPut.schemaMessage("app/s/lz4", Protocol.UPLOAD_SCHEMA), lying)));

    assertNothingStored();
    closeServerCheckingNoLeak();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private void assertNothingStored() throws IOException {
    List<String> keys = new ArrayList<>();
    for (FlightInfo info : client.client.listFlights(Criteria.ALL)) {
      keys.add(new String(info.getEndpoints().get(0).getTicket().getBytes(), UTF_8));
    }
    assertThat(keys).isEmpty();
    for (String area : List.of("objects", "tmp")) {
      try (Stream<Path> entries = Files.list(server.dir().resolve(area))) {
        assertThat(entries.toList()).as(area).isEmpty();
      }
    }
  }

  private void assertServesAfterwards(CompressionCodec codec) throws Exception {
    ObjectRef ref = raw.put(List.of(RawPut.schemaMessage("app/s/after", Protocol.UPLOAD_SCHEMA), batch(codec, COMPRESSIBLE)));
    assertThat(ref.version()).isEqualTo(1);
    assertThat(client.get("app/s/after", 0).base()).isEqualTo(COMPRESSIBLE);
  }

  /** The put fails with a status the server chose (not a transport failure). */
  private void assertPutFails(List<Flight.FlightData> messages) {
    assertThatThrownBy(() -> raw.put(messages))
        .isInstanceOfSatisfying(FlightRuntimeException.class, e ->
            assertThat(e.status().code()).as("status of %s", e).isIn(FlightStatusCode.INVALID_ARGUMENT, FlightStatusCode.INTERNAL));
  }

  /**
   * apache/arrow-java#1037 (Arrow 19): when one buffer of a column fails to decompress, Arrow's
   * VectorLoader keeps the column's earlier buffers and the whole body leaked. The server decodes
   * uploads itself now: the refused body must be freed, which closing the server checks.
   */
  private void closeServerCheckingNoLeak() throws Exception {
    client.close();
    client = new RawClient(server.location());
    assertThatCode(server::close).doesNotThrowAnyException();
  }

  private static void setLongLe(byte[] bytes, int offset, long value) {
    for (int i = 0; i < 8; i++) {
      bytes[offset + i] = (byte) (value >>> (8 * i));
    }
  }

  /** One single-row (version, data) batch, compressed by {@code codec}. */
  private Flight.FlightData batch(CompressionCodec codec, byte[] data) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.UPLOAD_SCHEMA, allocator)) {
      root.allocateNew();
      ((UInt8Vector) root.getVector(0)).setSafe(0, 0);
      ((VarBinaryVector) root.getVector(1)).setSafe(0, data);
      root.setRowCount(1);
      return RawPut.batchMessage(root, codec);
    }
  }

  private static RecordBatch recordBatchOf(Flight.FlightData message) {
    Message header = Message.getRootAsMessage(message.getDataHeader().asReadOnlyByteBuffer());
    assertThat(header.headerType()).isEqualTo(MessageHeader.RecordBatch);
    return (RecordBatch) header.header(new RecordBatch());
  }

  /** The codec a record batch message declares; NO_COMPRESSION's code when it has none. */
  private static byte compressionOf(Flight.FlightData message) {
    RecordBatch batch = recordBatchOf(message);
    return batch.compression() == null ? CodecType.NO_COMPRESSION.getType() : batch.compression().codec();
  }

  interface BufferEdit {
    void apply(byte[] body, int offset, int length);
  }

  /** A copy of the message with the body bytes of its last buffer (the data values) edited. */
  private static Flight.FlightData rewriteLastBuffer(Flight.FlightData message, BufferEdit edit) {
    RecordBatch batch = recordBatchOf(message);
    org.apache.arrow.flatbuf.Buffer last = batch.buffers(batch.buffersLength() - 1);
    byte[] body = message.getDataBody().toByteArray();
    edit.apply(body, (int) last.offset(), (int) last.length());
    return message.toBuilder().setDataBody(ByteString.copyFrom(body)).build();
  }

  /** Keeps the 8-byte length prefix and overwrites the compressed frame after it with garbage. */
  private static Flight.FlightData corruptLastBuffer(Flight.FlightData message) {
    return rewriteLastBuffer(message, (body, offset, length) -> {
      for (int i = 8; i < length; i++) {
        body[offset + i] = (byte) (0x5A ^ i);
      }
    });
  }

  private static List<byte[]> chunks(byte[] data, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int from = 0; from < data.length; from += size) {
      out.add(java.util.Arrays.copyOfRange(data, from, Math.min(data.length, from + size)));
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Text with some variety, which compresses well. */
  private static byte[] compressible(int size) {
    StringBuilder text = new StringBuilder(size + 64);
    for (int i = 0; text.length() < size; i++) {
      text.append("line ").append(i % 977).append(": the quick brown fox jumps over the lazy dog\n");
    }
    return text.substring(0, size).getBytes(UTF_8);
  }
}
