package dev.flightcache.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CachedObject;
import dev.flightcache.client.InvalidKeyException;
import dev.flightcache.client.InvalidRequestException;
import dev.flightcache.client.ObjectNotFoundException;
import dev.flightcache.proto.ObjectRef;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every call of the client against the real server. */
class ClientCallsIT {
  @TempDir Path dir;
  RunningServer server;
  CacheClient client;

  @BeforeEach
  void start() throws Exception {
    server = RunningServer.start(dir.resolve("data"));
    client = server.client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void put_sessionPath_generatesKeyAtVersionOne() {
    ObjectRef ref = client.put("app/s", "hello".getBytes(UTF_8));
    assertThat(ref.version()).isEqualTo(1);
    assertThat(ref.endpoint()).isEqualTo(server.endpoint());
    assertThat(UUID.fromString(ref.key().object()).toString()).isEqualTo(ref.key().object());
    assertThat(utf8(client.get(ref).base())).isEqualTo("hello");
  }

  @Test
  void put_byteBufferAndStream_storeTheSameBytes() {
    ByteBuffer buffer = ByteBuffer.wrap("xxpayloadyy".getBytes(UTF_8), 2, 7);
    ObjectRef fromBuffer = client.put("app/s/buffer", buffer);
    assertThat(buffer.position()).isEqualTo(2);
    ObjectRef fromStream = client.put("app/s/stream", new ByteArrayInputStream("payload".getBytes(UTF_8)));
    assertThat(utf8(client.get(fromBuffer).base())).isEqualTo("payload");
    assertThat(utf8(client.get(fromStream).base())).isEqualTo("payload");
  }

  @Test
  void put_emptyBytes_storesEmptyObject() {
    ObjectRef ref = client.put("app/s/empty", new byte[0]);
    assertThat(client.get(ref).base().remaining()).isZero();
  }

  @Test
  void update_thenPatch_versionsAdvanceAndGetReturnsBasePlusPatches() {
    ObjectRef v1 = client.put("app/s/o", "a".getBytes(UTF_8));
    ObjectRef v2 = client.update(v1, "b".getBytes(UTF_8));
    ObjectRef v3 = client.patch(v2, "+c".getBytes(UTF_8));
    ObjectRef v4 = client.patch(v3, "+d".getBytes(UTF_8));
    assertThat(List.of(v1.version(), v2.version(), v3.version(), v4.version())).containsExactly(1L, 2L, 3L, 4L);
    CachedObject object = client.get(v4);
    assertThat(object.version()).isEqualTo(4);
    assertThat(object.baseVersion()).isEqualTo(2);
    assertThat(utf8(object.base())).isEqualTo("b");
    assertThat(object.patches()).extracting(CachedObject.Patch::version).containsExactly(3L, 4L);
    assertThat(object.patches()).extracting(p -> utf8(p.data())).containsExactly("+c", "+d");
  }

  @Test
  void get_withDecoder_mergesBaseAndPatches() {
    ObjectRef ref = client.patch(client.put("app/s/o", "x".getBytes(UTF_8)), "y".getBytes(UTF_8));
    String merged = client.get(ref, (base, patches) -> utf8(base) + patches.stream().map(ClientCallsIT::utf8).reduce("", String::concat));
    assertThat(merged).isEqualTo("xy");
  }

  @Test
  void delete_keySessionAndApp_removeWhatMatchesOnly() {
    ObjectRef one = client.put("app/s/one", "1".getBytes(UTF_8));
    ObjectRef two = client.put("app/s/two", "2".getBytes(UTF_8));
    ObjectRef other = client.put("app/s2/x", "3".getBytes(UTF_8));
    ObjectRef app2 = client.put("app2/s/x", "4".getBytes(UTF_8));
    client.delete("app/s/one");
    assertThatThrownBy(() -> client.get(one)).isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("not found");
    assertThat(utf8(client.get(two).base())).isEqualTo("2");
    client.delete("app/s");
    assertThatThrownBy(() -> client.get(two)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(utf8(client.get(other).base())).isEqualTo("3");
    client.delete("app/*");
    assertThatThrownBy(() -> client.get(other)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(utf8(client.get(app2).base())).isEqualTo("4");
  }

  @Test
  void uploadAndDownload_file_roundTrips() throws Exception {
    Path source = dir.resolve("source.bin");
    byte[] bytes = new byte[3 * 1024 * 1024 + 123];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(source, bytes);
    ObjectRef ref = client.upload("app/pkg/source.bin", source);
    assertThat(ref.key().toString()).isEqualTo("app/pkg/source.bin");
    Path target = dir.resolve("target.bin");
    client.download(ref, target);
    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    Path viaUrl = dir.resolve("via-url.bin");
    client.download(URI.create("grpc://127.0.0.1:" + server.port() + "/app/pkg/source.bin"), viaUrl);
    assertThat(Files.readAllBytes(viaUrl)).isEqualTo(bytes);
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".part"));
    }
  }

  @Test
  void download_patchedObject_refusedAndNoFileLeft() throws Exception {
    ObjectRef ref = client.patch(client.put("app/s/o", "a".getBytes(UTF_8)), "b".getBytes(UTF_8));
    Path target = dir.resolve("out.bin");
    assertThatThrownBy(() -> client.download(ref, target)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("patches");
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("data");
    }
  }

  @Test
  void putTableAndGetTable_roundTripRowsAndMetadata() {
    Schema schema = new Schema(List.of(
        new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)), Map.of("origin", "test"));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = VectorSchemaRoot.create(schema, allocator)) {
      BigIntVector ids = (BigIntVector) table.getVector("id");
      VarCharVector names = (VarCharVector) table.getVector("name");
      for (int i = 0; i < 3; i++) {
        ids.setSafe(i, 10 + i);
        names.setSafe(i, ("n" + i).getBytes(UTF_8));
      }
      table.setRowCount(3);
      ObjectRef ref = client.putTable("app/tables", table);
      assertThat(ref.version()).isEqualTo(1);
      try (VectorSchemaRoot back = client.getTable(ref, allocator)) {
        assertThat(back.getRowCount()).isEqualTo(3);
        assertThat(((BigIntVector) back.getVector("id")).get(2)).isEqualTo(12);
        assertThat(new String(((VarCharVector) back.getVector("name")).get(1), UTF_8)).isEqualTo("n1");
        assertThat(back.getSchema().getCustomMetadata()).containsEntry("origin", "test").containsEntry("flame.cache.version", "1");
      }
      assertThatThrownBy(() -> client.get(ref)).isInstanceOf(InvalidRequestException.class).hasMessageContaining("Arrow table");
    }
  }

  @Test
  void invalidKeys_rejectedBeforeAnyCall() {
    assertThatThrownBy(() -> client.put("app/*", new byte[1])).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> client.put("app/../x", new byte[1])).isInstanceOf(InvalidKeyException.class).hasMessageContaining("..");
    assertThatThrownBy(() -> client.delete("app")).isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> client.download(URI.create("grpc://127.0.0.1:1/app/s"), dir.resolve("x")))
        .isInstanceOf(InvalidKeyException.class);
    assertThat(client.stats().misses()).isZero();
  }

  @Test
  void patch_ofMissingObject_notFound() {
    ObjectRef ghost = new ObjectRef(server.endpoint(), dev.flightcache.proto.ObjectKey.parse("app/s/ghost"), 1);
    assertThatThrownBy(() -> client.patch(ghost, new byte[1])).isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("app/s/ghost");
  }

  @Test
  void callsOnARef_goToTheRefsServer_putAndDeleteToTheConfiguredOne() throws Exception {
    try (RunningServer elsewhere = RunningServer.start(dir.resolve("elsewhere"));
        CacheClient writer = elsewhere.client()) {
      ObjectRef remote = writer.put("app/s/remote", "on B".getBytes(UTF_8));
      assertThat(remote.endpoint()).isEqualTo(elsewhere.endpoint()).isNotEqualTo(server.endpoint());
      // `client` is configured for server A; the ref sends get, update and patch to server B.
      assertThat(utf8(client.get(remote).base())).isEqualTo("on B");
      ObjectRef patched = client.patch(client.update(remote, "B2".getBytes(UTF_8)), "!".getBytes(UTF_8));
      assertThat(patched.endpoint()).isEqualTo(elsewhere.endpoint());
      assertThat(patched.version()).isEqualTo(3);
      // delete goes to the configured server A, which does not hold the key.
      client.delete("app/s/remote");
      assertThat(utf8(writer.get(patched).base())).isEqualTo("B2");
    }
  }

  static String utf8(ByteBuffer buffer) {
    return UTF_8.decode(buffer.duplicate()).toString();
  }
}
