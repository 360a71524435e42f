package dev.flightcache.client;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns an object's base bytes and its patches, in version order, into a value. The server never
 * merges patches: a decoder does. {@link CacheClient#get(dev.flightcache.proto.ObjectRef,
 * ObjectDecoder)} memoizes its result per decoder and version, so a decoder must be a pure
 * function of its input.
 *
 * @param <T> the decoded type
 */
@FunctionalInterface
public interface ObjectDecoder<T> {
  /**
   * @param base read-only, positioned at 0
   * @param patches read-only, each positioned at 0, oldest first
   * @return the value; null is allowed and is not memoized
   */
  T decode(ByteBuffer base, List<ByteBuffer> patches);
}
