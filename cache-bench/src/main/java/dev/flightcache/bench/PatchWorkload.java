package dev.flightcache.bench;

import dev.flightcache.proto.ObjectRef;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * patch: appends a patch of --size bytes to the caller's object. The server caps the patches
 * per object (1,000 by default), so before that, and before the patches pass 256 MiB, the object
 * is replaced by a fresh 1 KiB base; that reset is not measured.
 */
final class PatchWorkload implements Workload {
  private static final int MAX_PATCHES = 500;
  private static final long MAX_PATCHED_BYTES = 256L << 20;

  private final Fixture fixture;
  private final byte[] base;
  private final int patchesPerBase;
  private AtomicReferenceArray<ObjectRef> refs;
  private int[] patches;

  PatchWorkload(Fixture fixture) {
    this.fixture = fixture;
    this.base = Payload.of(1024, fixture.options().seed() + 1).array();
    this.patchesPerBase = (int) Math.max(1, Math.min(MAX_PATCHES, MAX_PATCHED_BYTES / fixture.payload().sizeBytes()));
  }

  @Override
  public void prepare() {
    fixture.payload().array();
    refs = new AtomicReferenceArray<>(fixture.objectCount());
    patches = new int[fixture.objectCount()];
    for (int i = 0; i < refs.length(); i++) {
      refs.set(i, fixture.clients().of(i).put(fixture.key(i), base));
    }
  }

  @Override
  public void beforeOperation(int caller) {
    int object = fixture.objectOf(caller);
    synchronized (patches) {
      if (patches[object] >= patchesPerBase) {
        refs.set(object, fixture.clients().of(caller).put(fixture.key(object), base));
        patches[object] = 0;
      }
      patches[object]++;
    }
  }

  @Override
  public long operate(int caller) {
    int object = fixture.objectOf(caller);
    ObjectRef ref = refs.get(object);
    ObjectRef patched = fixture.clients().of(caller).patch(ref, fixture.payload().array());
    if (patched.version() <= ref.version()) {
      throw new IllegalStateException("patch of " + patched.key() + " did not raise the version");
    }
    return fixture.payload().sizeBytes();
  }
}
