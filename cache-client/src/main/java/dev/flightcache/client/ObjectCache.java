package dev.flightcache.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Version;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The caller-side cache: raw bases and patches keyed by (endpoint, key), bounded in bytes.
 *
 * <p>Every get revalidates with the server by sending the cached version: "not modified" is
 * answered from the cache, a patch-only answer is appended, a full answer replaces the entry.
 * Concurrent gets of one key share one call. Thread-safe.
 */
final class ObjectCache {
  /** Reads one version of an object from the server. */
  @FunctionalInterface
  public interface Fetcher {
    GetAnswer<ByteBuffer> fetch(Version held);
  }

  private record Key(String endpoint, String key) {}

  /** One cached version with its decoded values, per decoder. Immutable but for the memo. */
  private static final class Entry {
    final CachedObject object;
    final Map<ObjectDecoder<?>, Object> decoded = new ConcurrentHashMap<>();

    Entry(CachedObject object) {
      this.object = object;
    }

    int weight() {
      return (int) Math.min(Integer.MAX_VALUE, object.sizeBytes() + 128);
    }
  }

  private final long maxBytes;
  private final Cache<Key, Entry> entries;
  private final Map<Key, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder notModified = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder bytesFetched = new LongAdder();
  private final LongAdder bytesSaved = new LongAdder();

  /** @param maxBytes the budget for cached bases and patches; 0 caches nothing */
  public ObjectCache(long maxBytes) {
    this.maxBytes = maxBytes;
    this.entries = Caffeine.newBuilder().maximumWeight(maxBytes).weigher((Key k, Entry e) -> e.weight()).build();
  }

  /** The current version of the object, from the cache where the server says it is current. */
  public CachedObject get(ObjectRef ref, String endpoint, Fetcher fetcher) {
    return entry(ref, endpoint, fetcher).object;
  }

  /** The decoded current version, memoized per decoder and version. */
  @SuppressWarnings("unchecked")
  public <T> T get(ObjectRef ref, String endpoint, Fetcher fetcher, ObjectDecoder<T> decoder) {
    Entry entry = entry(ref, endpoint, fetcher);
    Object value = entry.decoded.get(decoder);
    if (value == null) {
      value = decoder.decode(entry.object.base(), entry.object.patches().stream().map(CachedObject.Patch::data).toList());
      if (value != null) {
        Object raced = entry.decoded.putIfAbsent(decoder, value);
        value = raced != null ? raced : value;
      }
    }
    return (T) value;
  }

  private Entry entry(ObjectRef ref, String endpoint, Fetcher fetcher) {
    Key key = new Key(endpoint, ref.key().toString());
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      coalesced.increment();
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
      }
    }
    try {
      Entry entry = revalidate(key, ref, fetcher);
      mine.complete(entry);
      return entry;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private Entry revalidate(Key key, ObjectRef ref, Fetcher fetcher) {
    Entry cached = ref.version() == 0 ? null : entries.getIfPresent(key);
    Version held = cached == null ? Version.NONE : Version.of(cached.object.version());
    GetAnswer<ByteBuffer> answer = fetcher.fetch(held);
    if (answer instanceof GetAnswer.NotModified) {
      if (cached == null) {
        // The server answers "not modified" only to a non-zero version; a bypass sends 0.
        throw new IllegalStateException("server answered 'not modified' to a get of " + key.key() + " at version 0");
      }
      hits.increment();
      notModified.increment();
      bytesSaved.add(cached.object.sizeBytes());
      return cached;
    }
    if (answer instanceof GetAnswer.Patches<ByteBuffer> patches) {
      if (cached == null) {
        throw new IllegalStateException("server answered patches only to a get of " + key.key() + " at version 0");
      }
      hits.increment();
      bytesFetched.add(patches.payloadBytes());
      bytesSaved.add(cached.object.sizeBytes());
      List<CachedObject.Patch> all = new ArrayList<>(cached.object.patches());
      all.addAll(patches(patches.patches()));
      ObjectRef current = new ObjectRef(ref.endpoint(), ref.key(), patches.version().bits());
      return store(key, new Entry(new CachedObject(current, cached.object.baseVersion(), cached.object.base(), all)));
    }
    if (!(answer instanceof GetAnswer.Full<ByteBuffer> full)) {
      throw new IllegalStateException("unexpected answer to a get of " + key.key() + ": " + answer);
    }
    misses.increment();
    bytesFetched.add(full.payloadBytes());
    ObjectRef current = new ObjectRef(ref.endpoint(), ref.key(), full.version().bits());
    CachedObject object = new CachedObject(current, full.base().version().bits(), full.base().data(), patches(full.patches()));
    return store(key, new Entry(object));
  }

  private static List<CachedObject.Patch> patches(List<GetAnswer.Part<ByteBuffer>> parts) {
    List<CachedObject.Patch> patches = new ArrayList<>(parts.size());
    for (GetAnswer.Part<ByteBuffer> part : parts) {
      patches.add(new CachedObject.Patch(part.version().bits(), part.data()));
    }
    return patches;
  }

  private Entry store(Key key, Entry entry) {
    if (entry.weight() <= maxBytes) {
      entries.put(key, entry);
    } else {
      // Larger than the whole budget: keeping it would only evict everything else.
      entries.invalidate(key);
    }
    return entry;
  }

  /** Drops the entry of one key at one endpoint. */
  public void invalidate(String endpoint, ObjectKey key) {
    entries.invalidate(new Key(endpoint, key.toString()));
  }

  /** Drops every entry the path matches, at every endpoint, by the server's delete rules. */
  public void invalidate(KeyPath path) {
    entries.asMap().keySet().removeIf(k -> path.matches(ObjectKey.parse(k.key())));
  }

  public CacheStats stats() {
    return new CacheStats(hits.sum(), notModified.sum(), misses.sum(), coalesced.sum(), bytesFetched.sum(), bytesSaved.sum());
  }
}
