package dev.flightcache.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The bytes of a benchmark object, the same for the same size and seed: a pseudo-random block of
 * up to 16 MiB, repeated to the size. Random rather than zeros, because storage layers may
 * short-cut zeros; never compressed by our server either way. Thread-safe.
 */
final class Payload {
  static final int BLOCK_BYTES = 16 << 20;

  private final long sizeBytes;
  private final byte[] block;
  private final long checksum;
  private volatile byte[] whole;

  private Payload(long sizeBytes, byte[] block) {
    this.sizeBytes = sizeBytes;
    this.block = block;
    this.checksum = computeChecksum();
  }

  static Payload of(long sizeBytes, long seed) {
    byte[] block = new byte[(int) Math.min(sizeBytes, BLOCK_BYTES)];
    ByteBuffer out = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom random = new SplittableRandom(seed);
    while (out.remaining() >= Long.BYTES) {
      out.putLong(random.nextLong());
    }
    while (out.hasRemaining()) {
      out.put((byte) random.nextInt());
    }
    return new Payload(sizeBytes, block);
  }

  long sizeBytes() {
    return sizeBytes;
  }

  /** CRC32C of all the bytes. */
  long checksum() {
    return checksum;
  }

  /**
   * All the bytes as one array, made on first use and kept; do not modify it.
   *
   * @throws IllegalStateException above 1 GiB: use {@link #stream()} or {@link #writeTo(Path)}
   */
  byte[] array() {
    byte[] bytes = whole;
    if (bytes != null) {
      return bytes; // every put reads it: no lock once it is made
    }
    synchronized (this) {
      if (whole == null) {
        if (sizeBytes > WorkloadKind.IN_MEMORY_MAX_BYTES) {
          throw new IllegalStateException("a payload of " + Units.formatSize(sizeBytes) + " is not held in memory");
        }
        bytes = new byte[(int) sizeBytes];
        for (int off = 0; off < bytes.length; off += block.length) {
          System.arraycopy(block, 0, bytes, off, Math.min(block.length, bytes.length - off));
        }
        whole = bytes;
      }
      return whole;
    }
  }

  /** A fresh stream of all the bytes; holds only the block. */
  InputStream stream() {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        if (position >= sizeBytes) {
          return -1;
        }
        return block[(int) (position++ % block.length)] & 0xff;
      }

      @Override
      public int read(byte[] into, int off, int len) {
        if (position >= sizeBytes) {
          return -1;
        }
        int inBlock = (int) (position % block.length);
        int n = (int) Math.min(Math.min(len, block.length - inBlock), sizeBytes - position);
        System.arraycopy(block, inBlock, into, off, n);
        position += n;
        return n;
      }
    };
  }

  /** Writes all the bytes to {@code file}, replacing it, and syncs it. */
  void writeTo(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = sizeBytes; left > 0; left -= Math.min(left, block.length)) {
        out.write(block, 0, (int) Math.min(left, block.length));
      }
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  private long computeChecksum() {
    CRC32C crc = new CRC32C();
    for (long left = sizeBytes; left > 0; left -= Math.min(left, block.length)) {
      crc.update(block, 0, (int) Math.min(left, block.length));
    }
    return crc.getValue();
  }
}
