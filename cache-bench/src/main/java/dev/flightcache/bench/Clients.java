package dev.flightcache.bench;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CacheStats;
import java.util.ArrayList;
import java.util.List;

/** The CacheClients of one workload: one shared by every caller, or one per caller. Thread-safe. */
final class Clients implements AutoCloseable {
  private final List<CacheClient> clients;

  private Clients(List<CacheClient> clients) {
    this.clients = clients;
  }

  /** @param cacheMaxBytes the caller-side cache budget of each client; 0 caches nothing */
  static Clients open(BenchOptions options, long cacheMaxBytes) {
    int count = options.clientPerThread() ? options.clients() : 1;
    List<CacheClient> clients = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      clients.add(CacheClient.builder()
          .endpoint(options.endpoint())
          .callTimeout(options.callTimeout())
          .transferTimeout(options.callTimeout())
          .cacheMaxBytes(cacheMaxBytes)
          .build());
    }
    return new Clients(List.copyOf(clients));
  }

  /** The client caller {@code caller} uses. */
  CacheClient of(int caller) {
    return clients.get(clients.size() == 1 ? 0 : caller);
  }

  /** The counters of every client, added up. */
  CacheStats stats() {
    long hits = 0;
    long notModified = 0;
    long misses = 0;
    long coalesced = 0;
    long fetched = 0;
    long saved = 0;
    for (CacheClient client : clients) {
      CacheStats s = client.stats();
      hits += s.hits();
      notModified += s.notModified();
      misses += s.misses();
      coalesced += s.coalesced();
      fetched += s.bytesFetched();
      saved += s.bytesSaved();
    }
    return new CacheStats(hits, notModified, misses, coalesced, fetched, saved);
  }

  /** Closes every client, then throws the first failure, if any. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (CacheClient client : clients) {
      try {
        client.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
