package dev.flightcache.bench;

import dev.flightcache.client.CacheStats;
import dev.flightcache.client.CachedObject;
import dev.flightcache.proto.ObjectRef;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * get-not-modified: revalidations of an object the caller's client already holds at its current
 * version. The server answers "not modified" and no payload moves. The client's counters tell
 * whether each get was answered so; any other answer is an error of this workload.
 */
final class NotModifiedWorkload implements Workload {
  private final Fixture fixture;
  private ObjectRef[] refs;
  private CacheStats before;

  NotModifiedWorkload(Fixture fixture) {
    this.fixture = fixture;
  }

  /** A cache budget that holds every object a client of this workload gets. */
  static long cacheBytes(BenchOptions options) {
    int objects = options.sharedObject() || options.clientPerThread() ? 1 : options.clients();
    return objects * (options.sizeBytes() + 4096) + (1 << 20);
  }

  @Override
  public void prepare() throws Exception {
    refs = new ObjectRef[fixture.objectCount()];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = fixture.putObject(i);
    }
    for (int caller = 0; caller < fixture.options().clients(); caller++) {
      fixture.clients().of(caller).get(refs[fixture.objectOf(caller)]); // fills that client's cache
    }
  }

  @Override
  public long operate(int caller) {
    ObjectRef ref = refs[fixture.objectOf(caller)];
    CachedObject object = fixture.clients().of(caller).get(ref);
    if (object.sizeBytes() != fixture.payload().sizeBytes() || object.version() != ref.version()) {
      throw new IllegalStateException("get of " + ref.key() + " returned another version or size");
    }
    return 0;
  }

  @Override
  public void measurementStarts() {
    before = fixture.clients().stats();
  }

  @Override
  public Check measurementEnded(long ops) {
    return judge(ops, before, fixture.clients().stats());
  }

  /**
   * Every successful get must have been answered "not modified", or have shared the call of one
   * that was (coalesced); the shortfall is counted as errors.
   */
  static Check judge(long ops, CacheStats before, CacheStats after) {
    long notModified = after.notModified() - before.notModified();
    long coalesced = after.coalesced() - before.coalesced();
    long misses = after.misses() - before.misses();
    long fetched = after.bytesFetched() - before.bytesFetched();
    long wrong = Math.max(0, ops - notModified - coalesced);
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("not_modified", notModified);
    counters.put("coalesced", coalesced);
    counters.put("misses", misses);
    counters.put("bytes_fetched", fetched);
    String message = wrong == 0 ? null : String.format(
        "%d of %d gets were not answered 'not modified' (%d full fetches, %d payload bytes fetched)", wrong, ops, misses, fetched);
    return new Check(wrong, message, counters);
  }
}
