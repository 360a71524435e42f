package dev.flightcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.client.CacheClient;
import dev.flightcache.proto.ObjectRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file up and down through the client, in a JVM with a 256 MiB heap (this module's
 * surefire setting) that also runs the server: both sides must stream.
 */
class LargeTransferIT {
  private static final long SIZE = 1L << 30;

  @TempDir Path dir;

  @Test
  void uploadAndDownload_oneGibibyte_streamsWithASmallHeap() throws Exception {
    Path source = dir.resolve("source.bin");
    byte[] expected = writeRandomFile(source, SIZE);
    try (RunningServer server = RunningServer.start(dir.resolve("data"));
        CacheClient client = server.client()) {
      ObjectRef ref = client.upload("ml/models/weights.bin", source);
      assertThat(ref.version()).isEqualTo(1);
      Files.delete(source);
      Path target = dir.resolve("target.bin");
      client.download(ref, target);
      assertThat(Files.size(target)).isEqualTo(SIZE);
      assertThat(sha256(target)).isEqualTo(expected);
    }
    assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L << 20);
  }

  private static byte[] writeRandomFile(Path file, long size) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    Random random = new Random(42);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += chunk.length) {
        random.nextBytes(chunk);
        digest.update(chunk);
        out.write(chunk);
      }
    }
    return digest.digest();
  }

  private static byte[] sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw e;
    }
    return digest.digest();
  }
}
