package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.Protocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpaqueRowsTest {
  private final BufferAllocator allocator = new RootAllocator();
  @TempDir Path dir;

  @AfterEach
  void close() {
    allocator.close(); // fails the test if any row, window or mapping was not released
  }

  @Test
  void mappedRowsCrossWindowsAndMatchTheFileByteForByte() throws IOException {
    // 2.5 windows of data, with a last row shorter than the others and a row size that does not
    // divide the window, so window edges fall at row edges that are not powers of two.
    long rowBytes = 3 * 100_003;
    byte[] content = random((int) (OpaqueRows.WINDOW_BYTES * 5 / 2) + 17);
    Path file = write("base", content);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        OpaqueRows rows = new OpaqueRows(allocator, List.of(new OpaqueRows.Part(7, true, channel, content.length, rowBytes)), true)) {
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      int batches = 0;
      while (rows.loadNext()) {
        assertThat(rows.root().getRowCount()).isEqualTo(1);
        assertThat(((UInt8Vector) rows.root().getVector(0)).get(0)).isEqualTo(7);
        assertThat(new String(((VarCharVector) rows.root().getVector(1)).get(0), StandardCharsets.UTF_8)).isEqualTo("base");
        byte[] row = ((VarBinaryVector) rows.root().getVector(2)).get(0);
        assertThat(row.length).isEqualTo(rows.loadedBytes()).isLessThanOrEqualTo((int) rowBytes);
        received.write(row);
        batches++;
      }
      assertThat(received.toByteArray()).isEqualTo(content);
      assertThat(batches).isEqualTo((int) ((content.length + rowBytes - 1) / rowBytes));
      assertThat(Protocol.announcedBaseBytes(rows.root().getSchema())).isEqualTo(content.length);
    }
  }

  @Test
  void smallFilesAreReadAndPatchesFollowTheBase() throws IOException {
    byte[] base = random(1000);
    byte[] patch = random((int) OpaqueRows.MAP_THRESHOLD_BYTES + 5); // mapped
    try (FileChannel baseFile = FileChannel.open(write("b", base), StandardOpenOption.READ);
        FileChannel patchFile = FileChannel.open(write("p", patch), StandardOpenOption.READ);
        OpaqueRows rows =
            new OpaqueRows(
                allocator,
                List.of(
                    new OpaqueRows.Part(3, true, baseFile, base.length, base.length),
                    new OpaqueRows.Part(4, false, patchFile, patch.length, patch.length)),
                false)) {
      assertThat(rows.root().getSchema()).isEqualTo(Protocol.RESPONSE_SCHEMA);
      assertThat(rows.loadNext()).isTrue();
      assertThat(((VarBinaryVector) rows.root().getVector(2)).get(0)).isEqualTo(base);
      assertThat(rows.loadNext()).isTrue();
      assertThat(((UInt8Vector) rows.root().getVector(0)).get(0)).isEqualTo(4);
      assertThat(new String(((VarCharVector) rows.root().getVector(1)).get(0), StandardCharsets.UTF_8)).isEqualTo("patch");
      assertThat(((VarBinaryVector) rows.root().getVector(2)).get(0)).isEqualTo(patch);
      assertThat(rows.loadNext()).isFalse();
    }
  }

  @Test
  void closingMidStreamReleasesTheWindow() throws IOException {
    byte[] content = random((int) OpaqueRows.WINDOW_BYTES + 1);
    try (FileChannel channel = FileChannel.open(write("c", content), StandardOpenOption.READ)) {
      OpaqueRows rows = new OpaqueRows(allocator, List.of(new OpaqueRows.Part(1, true, channel, content.length, 1 << 18)), true);
      assertThat(rows.loadNext()).isTrue();
      assertThat(allocator.getAllocatedMemory()).isGreaterThanOrEqualTo(OpaqueRows.WINDOW_BYTES);
      rows.close();
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
