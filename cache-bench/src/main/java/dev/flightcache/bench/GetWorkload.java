package dev.flightcache.bench;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheStats;
import dev.flightcache.client.CachedObject;
import dev.flightcache.proto.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * get and download of the whole object. In memory, through {@link CacheClient#get(ObjectRef)}
 * with the caller-side cache off, every byte is checksummed against what was put. Through a
 * file, {@link CacheClient#download(ObjectRef, Path)} writes a temp file in --temp-dir (synced,
 * as download always does), its size is checked, and it is deleted.
 */
final class GetWorkload implements Workload {
  private final Fixture fixture;
  private final boolean viaFile;
  private ObjectRef[] refs;
  private CacheStats before;

  GetWorkload(Fixture fixture, boolean viaFile) {
    this.fixture = fixture;
    this.viaFile = viaFile;
  }

  @Override
  public void prepare() throws Exception {
    refs = new ObjectRef[fixture.objectCount()];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = fixture.putObject(i);
    }
  }

  @Override
  public long operate(int caller) throws Exception {
    ObjectRef ref = refs[fixture.objectOf(caller)];
    CacheClient client = fixture.clients().of(caller);
    long expected = fixture.payload().sizeBytes();
    if (viaFile) {
      Path file = fixture.tempFile("c" + caller + ".bin");
      try {
        client.download(ref, file);
        long size = Files.size(file);
        if (size != expected) {
          throw new IllegalStateException("download of " + ref.key() + " wrote " + size + " bytes, not " + expected);
        }
        return size;
      } finally {
        Files.deleteIfExists(file);
      }
    }
    CachedObject object = client.get(ref);
    CRC32C crc = new CRC32C();
    crc.update(object.base());
    if (object.sizeBytes() != expected || !object.patches().isEmpty() || crc.getValue() != fixture.payload().checksum()) {
      throw new IllegalStateException("get of " + ref.key() + " returned other bytes than were put");
    }
    return object.sizeBytes();
  }

  @Override
  public void measurementStarts() {
    before = fixture.clients().stats();
  }

  @Override
  public Check measurementEnded(long ops) {
    if (viaFile) {
      return Check.PASSED;
    }
    CacheStats after = fixture.clients().stats();
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("misses", after.misses() - before.misses());
    counters.put("bytes_fetched", after.bytesFetched() - before.bytesFetched());
    return new Check(0, null, counters);
  }

  @Override
  public String via() {
    return viaFile ? "file" : "memory";
  }
}
