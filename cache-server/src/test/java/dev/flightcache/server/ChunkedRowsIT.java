package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.Protocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-row rule: flame's clients read one base row, so without the chunked-rows header an
 * object up to --single-row-max-bytes comes back as exactly one base row; with the header (or
 * when the object is larger) the base is split into rows of --chunk-bytes. Patches are always
 * one row each.
 */
class ChunkedRowsIT {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;
  private static final int CHUNK = 64 * KIB;

  @TempDir Path dir;

  /** A server with 64 KiB chunks and a 1 MiB single-row limit. */
  private TestServer smallRows() throws Exception {
    return TestServer.start(dir, "--chunk-bytes", "64KiB", "--single-row-max-bytes", "1MiB");
  }

  @Test
  void get_defaultLimitWithoutHeader_threeMibIsOneBaseRow() throws Exception {
    byte[] object = WireCalls.randomBytes(3 * MIB, 1);
    try (TestServer server = TestServer.start(dir); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", WireCalls.split(object, MIB).toArray(byte[][]::new));

      RawClient.Response response = client.get("app/s/o", 0);

      assertThat(response.schema()).as("flame's schema exactly, no metadata").isEqualTo(Protocol.RESPONSE_SCHEMA);
      assertThat(response.batches()).isEqualTo(1);
      assertThat(response.rows()).singleElement().satisfies(row -> {
        assertThat(row.kind()).isEqualTo("base");
        assertThat(row.version()).isEqualTo(1L);
        assertThat(row.data()).isEqualTo(object);
      });
    }
  }

  @Test
  void get_withHeader_baseInChunkSizedRows() throws Exception {
    byte[] object = WireCalls.randomBytes(3 * CHUNK + 5, 2);
    try (TestServer server = smallRows(); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", object);

      RawClient.Response response = client.getChunked("app/s/o", 0);

      assertChunkedBase(response, object, 1L);
      assertThat(response.rows()).extracting(r -> r.data().length).containsExactly(CHUNK, CHUNK, CHUNK, 5);
      assertThat(Protocol.announcedBaseBytes(response.schema())).as("base size announced to our clients").isEqualTo(object.length);
    }
  }

  @Test
  void get_withHeader_exactMultipleOfChunk_noEmptyTailRow() throws Exception {
    byte[] object = WireCalls.randomBytes(2 * CHUNK, 3);
    try (TestServer server = smallRows(); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", object);

      RawClient.Response response = client.getChunked("app/s/o", 0);

      assertChunkedBase(response, object, 1L);
      assertThat(response.rows()).extracting(r -> r.data().length).containsExactly(CHUNK, CHUNK);
    }
  }

  @Test
  void get_withoutHeader_underSingleRowLimit_oneBaseRow() throws Exception {
    byte[] object = WireCalls.randomBytes(3 * CHUNK + 5, 4);
    byte[] atLimit = WireCalls.randomBytes(MIB, 5);
    try (TestServer server = smallRows(); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", object);
      client.put("app/s/limit", atLimit);

      assertThat(client.get("app/s/o", 0).rows()).singleElement()
          .satisfies(row -> assertThat(row.data()).isEqualTo(object));
      assertThat(client.get("app/s/limit", 0).rows()).singleElement()
          .satisfies(row -> assertThat(row.data()).isEqualTo(atLimit));
    }
  }

  @Test
  void get_withoutHeader_overSingleRowLimit_chunkedAnyway() throws Exception {
    byte[] object = WireCalls.randomBytes(MIB + 1, 6);
    try (TestServer server = smallRows(); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", object);

      RawClient.Response response = client.get("app/s/o", 0);

      assertChunkedBase(response, object, 1L);
      assertThat(response.rows()).hasSize(MIB / CHUNK + 1);
      assertThat(response.rows().get(response.rows().size() - 1).data()).hasSize(1);
    }
  }

  @Test
  void get_patchesLargerThanChunk_oneRowEachInBothModes() throws Exception {
    byte[] base = WireCalls.randomBytes(2 * CHUNK + 7, 7);
    byte[] patch2 = WireCalls.randomBytes(3 * CHUNK + 1, 8);
    byte[] patch3 = WireCalls.randomBytes(10, 9);
    try (TestServer server = smallRows(); RawClient client = new RawClient(server.location())) {
      client.put("app/s/o", base);
      client.patch("app/s/o", patch2);
      client.patch("app/s/o", patch3);

      RawClient.Response chunked = client.getChunked("app/s/o", 0);
      assertThat(chunked.rows()).extracting(RawClient.Row::kind)
          .containsExactly("base", "base", "base", "patch", "patch");
      assertThat(chunked.base()).isEqualTo(base);
      assertPatches(chunked.patches(), patch2, patch3);

      RawClient.Response single = client.get("app/s/o", 0);
      assertThat(single.rows()).extracting(RawClient.Row::kind).containsExactly("base", "patch", "patch");
      assertThat(single.rows().get(0).data()).isEqualTo(base);
      assertPatches(single.patches(), patch2, patch3);

      for (RawClient.Response patchOnly : List.of(client.get("app/s/o", 1), client.getChunked("app/s/o", 1))) {
        assertThat(patchOnly.rows()).extracting(RawClient.Row::kind).containsExactly("patch", "patch");
        assertPatches(patchOnly.patches(), patch2, patch3);
      }
    }
  }

  private static void assertChunkedBase(RawClient.Response response, byte[] object, long version) {
    assertThat(response.schema().getFields()).isEqualTo(Protocol.RESPONSE_SCHEMA.getFields());
    List<RawClient.Row> rows = response.rows();
    assertThat(response.batches()).isEqualTo(rows.size());
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.kind()).isEqualTo("base");
      assertThat(row.version()).isEqualTo(version);
    });
    for (int i = 0; i < rows.size() - 1; i++) {
      assertThat(rows.get(i).data()).as("row %d", i).hasSize(CHUNK);
    }
    assertThat(rows.get(rows.size() - 1).data().length).isBetween(1, CHUNK);
    assertThat(response.base()).isEqualTo(object);
  }

  private static void assertPatches(List<RawClient.Row> patches, byte[] patch2, byte[] patch3) {
    assertThat(patches).extracting(RawClient.Row::version).containsExactly(2L, 3L);
    assertThat(patches.get(0).data()).isEqualTo(patch2);
    assertThat(patches.get(1).data()).isEqualTo(patch3);
  }
}
