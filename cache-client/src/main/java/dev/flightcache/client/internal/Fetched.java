package dev.flightcache.client.internal;

import dev.flightcache.client.CachedObject;
import java.nio.ByteBuffer;
import java.util.List;

/** What a do_get answered: not modified, only newer patches, or the whole object. */
public sealed interface Fetched {
  /** The caller's version is current; nothing was sent. */
  record NotModified() implements Fetched {}

  /** The patches after the caller's version, oldest first. */
  record Patches(List<CachedObject.Patch> patches, long payloadBytes) implements Fetched {}

  /** The base (rows concatenated) and every patch. */
  record Full(long baseVersion, ByteBuffer base, List<CachedObject.Patch> patches, long payloadBytes) implements Fetched {
    public long version() {
      return patches.isEmpty() ? baseVersion : patches.get(patches.size() - 1).version();
    }
  }
}
