package dev.flightcache.server.flight;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only window of a stored file, memory-mapped and wrapped as an {@link ArrowBuf}, so rows
 * are slices of the page cache and no byte is copied on the server. The mapping is unmapped as
 * soon as the last slice is released (after gRPC has written it), which keeps the resident size
 * of a stream to a window or two however large the object.
 *
 * <p>Stored files are immutable once committed (a replace renames a new file in; a delete unlinks,
 * which leaves an open mapping intact), so a mapping never sees its file shrink.
 */
final class MappedWindow {
  private static final Logger logger = LoggerFactory.getLogger(MappedWindow.class);
  private static final Unmapper UNMAPPER = Unmapper.find();

  private MappedWindow() {}

  /** Maps {@code length} bytes of {@code file} from {@code position}; the caller owns the buffer. */
  static ArrowBuf map(BufferAllocator allocator, FileChannel file, long position, long length) throws IOException {
    MappedByteBuffer mapped = file.map(FileChannel.MapMode.READ_ONLY, position, length);
    long address = MemoryUtil.getByteBufferAddress(mapped);
    ArrowBuf buffer =
        allocator.wrapForeignAllocation(
            new ForeignAllocation(length, address) {
              @Override
              protected void release0() {
                UNMAPPER.unmap(mapped);
              }
            });
    buffer.writerIndex(length);
    return buffer;
  }

  /**
   * Unmaps through {@code sun.misc.Unsafe.invokeCleaner}, the JDK's supported way to release a
   * mapping before the garbage collector does. Without it, mappings are released by the collector,
   * which is correct but lets resident size grow with the bytes sent.
   */
  private record Unmapper(sun.misc.Unsafe unsafe) {
    static Unmapper find() {
      try {
        Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        return new Unmapper((sun.misc.Unsafe) field.get(null));
      } catch (ReflectiveOperationException | RuntimeException e) {
        logger.warn("Mapped windows will be released by the garbage collector: {}", e.toString());
        return new Unmapper(null);
      }
    }

    void unmap(MappedByteBuffer mapped) {
      if (unsafe != null) {
        unsafe.invokeCleaner(mapped);
      }
    }
  }
}
