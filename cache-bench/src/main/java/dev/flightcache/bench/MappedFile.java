package dev.flightcache.bench;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A whole file, memory-mapped in pieces and wrapped as Arrow buffers, so chunks of it are slices
 * of the page cache that Flight can write without a copy. The pieces are a whole number of chunks
 * long, so no chunk straddles two. The mappings live until the garbage collector takes them, and
 * the buffers until {@link #close()}. Thread-safe once built.
 */
final class MappedFile implements AutoCloseable {
  /** The largest chunk: a piece of {@link #PIECE_CHUNKS} of them stays within one mapping's 2 GiB. */
  static final int MAX_CHUNK_BYTES = 8 << 20;
  /** A piece's length in chunks. */
  private static final long PIECE_CHUNKS = 256;

  private final long sizeBytes;
  private final int chunkBytes;
  private final long pieceBytes;
  private final List<MappedByteBuffer> mappings = new ArrayList<>();
  private final List<ArrowBuf> pieces = new ArrayList<>();
  private final long checksum;

  MappedFile(BufferAllocator allocator, Path file, int chunkBytes) throws IOException {
    if (chunkBytes <= 0 || chunkBytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("a chunk must be 1 byte to 8 MiB, not " + chunkBytes);
    }
    this.chunkBytes = chunkBytes;
    this.pieceBytes = PIECE_CHUNKS * chunkBytes;
    CRC32C crc = new CRC32C();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      sizeBytes = channel.size();
      if (sizeBytes == 0) {
        throw new IllegalArgumentException(file + " is empty");
      }
      for (long at = 0; at < sizeBytes; at += pieceBytes) {
        long length = Math.min(pieceBytes, sizeBytes - at);
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, at, length);
        mappings.add(mapped);
        crc.update(mapped.duplicate());
        ArrowBuf piece = allocator.wrapForeignAllocation(
            new ForeignAllocation(length, MemoryUtil.getByteBufferAddress(mapped)) {
              @Override
              protected void release0() {
                // The mapping goes with the garbage collector; `mappings` keeps it until then.
              }
            });
        piece.writerIndex(length);
        pieces.add(piece);
      }
    }
    checksum = crc.getValue();
  }

  long sizeBytes() {
    return sizeBytes;
  }

  /** CRC32C of every byte of the file. */
  long checksum() {
    return checksum;
  }

  int chunks() {
    return (int) ((sizeBytes + chunkBytes - 1) / chunkBytes);
  }

  /** Chunk {@code index} as a slice of its piece; the slice shares the piece's reference count. */
  ArrowBuf chunk(int index) {
    long offset = (long) index * chunkBytes;
    ArrowBuf piece = pieces.get((int) (offset / pieceBytes));
    long within = offset % pieceBytes;
    return piece.slice(within, Math.min(chunkBytes, sizeBytes - offset));
  }

  @Override
  public void close() {
    pieces.forEach(ArrowBuf::close);
    pieces.clear();
  }
}
