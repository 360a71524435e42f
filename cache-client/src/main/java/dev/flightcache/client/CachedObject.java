package dev.flightcache.client;

import dev.flightcache.proto.ObjectRef;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One version of an object as {@link CacheClient#get(ObjectRef)} returns it: the base bytes and
 * the patches after it, oldest first. Immutable; each accessor returns fresh read-only views, so
 * callers on many threads may read one instance at once.
 */
public final class CachedObject {
  /** One patch: the version at which it was appended and its bytes. */
  public record Patch(long version, ByteBuffer data) {
    public Patch {
      data = data.asReadOnlyBuffer();
    }

    @Override
    public ByteBuffer data() {
      return data.duplicate();
    }
  }

  private final ObjectRef ref;
  private final long baseVersion;
  private final ByteBuffer base;
  private final List<Patch> patches;

  public CachedObject(ObjectRef ref, long baseVersion, ByteBuffer base, List<Patch> patches) {
    this.ref = ref;
    this.baseVersion = baseVersion;
    this.base = base.asReadOnlyBuffer();
    this.patches = List.copyOf(patches);
  }

  /** The ref of this version: its endpoint, key and current version. */
  public ObjectRef ref() {
    return ref;
  }

  /** The current version: the last patch's, or the base's. */
  public long version() {
    return ref.version();
  }

  /** The version at which the base was written. */
  public long baseVersion() {
    return baseVersion;
  }

  /** The base bytes, read-only, positioned at 0. */
  public ByteBuffer base() {
    return base.duplicate();
  }

  /** The patches after the base, oldest first. */
  public List<Patch> patches() {
    return patches;
  }

  /** Bytes held: the base and every patch. */
  public long sizeBytes() {
    long size = base.remaining();
    for (Patch patch : patches) {
      size += patch.data.remaining();
    }
    return size;
  }
}
