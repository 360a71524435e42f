package dev.flightcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadTest {
  @TempDir Path dir;

  @Test
  void of_sameSeed_sameBytes_otherSeed_otherBytes() {
    assertThat(Payload.of(4096, 1).array()).isEqualTo(Payload.of(4096, 1).array());
    assertThat(Payload.of(4096, 1).array()).isNotEqualTo(Payload.of(4096, 2).array());
  }

  @Test
  void of_randomNotZeros() {
    byte[] bytes = Payload.of(1 << 16, 42).array();
    long zeros = 0;
    for (byte b : bytes) {
      zeros += b == 0 ? 1 : 0;
    }
    assertThat(zeros).isLessThan(bytes.length / 100);
  }

  @Test
  void streamFileAndArray_sameBytesAndChecksum_acrossBlocks() throws Exception {
    long size = Payload.BLOCK_BYTES + 12345L;
    Payload payload = Payload.of(size, 3);
    byte[] array = payload.array();
    byte[] streamed;
    try (InputStream in = payload.stream()) {
      streamed = in.readAllBytes();
    }
    Path file = dir.resolve("p.bin");
    payload.writeTo(file);
    assertThat(streamed).isEqualTo(array);
    assertThat(Files.readAllBytes(file)).isEqualTo(array);
    CRC32C crc = new CRC32C();
    crc.update(array);
    assertThat(payload.checksum()).isEqualTo(crc.getValue());
    assertThat(array.length).isEqualTo(size);
  }
}
