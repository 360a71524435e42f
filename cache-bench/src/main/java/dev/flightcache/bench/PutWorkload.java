package dev.flightcache.bench;

import dev.flightcache.client.CacheClient;
import dev.flightcache.proto.ObjectRef;
import java.io.InputStream;

/**
 * put: each caller creates or replaces its object (or, with --shared-object, the one object).
 * Objects up to 1 GiB are put from one array, as a job holding the bytes would; larger ones are
 * streamed. The server acknowledges each put once it is fsynced and committed.
 */
final class PutWorkload implements Workload {
  private final Fixture fixture;

  PutWorkload(Fixture fixture) {
    this.fixture = fixture;
  }

  @Override
  public void prepare() {
    if (inMemory()) {
      fixture.payload().array(); // made once here, not in the first measured put
    }
  }

  @Override
  public long operate(int caller) throws Exception {
    String key = fixture.key(fixture.objectOf(caller));
    CacheClient client = fixture.clients().of(caller);
    ObjectRef ref;
    if (inMemory()) {
      ref = client.put(key, fixture.payload().array());
    } else {
      try (InputStream in = fixture.payload().stream()) {
        ref = client.put(key, in);
      }
    }
    if (!ref.key().toString().equals(key)) {
      throw new IllegalStateException("put of " + key + " answered a ref of " + ref.key());
    }
    return fixture.payload().sizeBytes();
  }

  private boolean inMemory() {
    return fixture.payload().sizeBytes() <= WorkloadKind.IN_MEMORY_MAX_BYTES;
  }
}
