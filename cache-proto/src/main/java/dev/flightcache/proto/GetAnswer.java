package dev.flightcache.proto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a get answers, whichever way it travels: a do_get's rows, one answer of a {@code GET_MANY},
 * what the client's caller-side cache is handed. flame's decision table is {@link #decide}, the one
 * place that chooses between the answers (docs/protocol.md, do_get).
 *
 * @param <D> how a part's bytes are held: an open file in the server's store, a {@code byte[]} in a
 *     {@code GET_MANY} document, a {@code ByteBuffer} in the client
 */
public sealed interface GetAnswer<D> {
  /** The object's current version; {@link Version#NONE} for {@link Single}. */
  Version version();

  /** Bytes of the parts the answer carries: the base (or table) and the patches; 0 for the others. */
  default long payloadBytes() {
    return 0;
  }

  /**
   * One stored part: a base, a patch or a native table's stream, with the version at which it was
   * written.
   *
   * @param data its bytes, or null where the reader has not opened them (a patch at or below the
   *     version the caller holds, or a decision made before any file is opened)
   */
  record Part<D>(Version version, long sizeBytes, D data) {
    public Part {
      Objects.requireNonNull(version, "version");
      if (sizeBytes < 0) {
        throw new IllegalArgumentException("a part of " + sizeBytes + " bytes");
      }
    }

    /** A part whose bytes are {@code data}, whole. */
    public static Part<byte[]> of(Version version, byte[] data) {
      return new Part<>(version, data.length, data);
    }
  }

  /** The caller's version is current: nothing else is sent. */
  record NotModified<D>(Version version) implements GetAnswer<D> {
    public NotModified {
      Objects.requireNonNull(version, "version");
    }
  }

  /** A native Arrow table: its stored IPC stream, whole (tables are never patched). */
  record Table<D>(Part<D> table) implements GetAnswer<D> {
    public Table {
      Objects.requireNonNull(table, "table");
    }

    @Override
    public Version version() {
      return table.version();
    }

    @Override
    public long payloadBytes() {
      return table.sizeBytes();
    }
  }

  /** Only the patches after the caller's version, oldest first; at least one. */
  record Patches<D>(List<Part<D>> patches) implements GetAnswer<D> {
    public Patches {
      patches = List.copyOf(patches);
      if (patches.isEmpty()) {
        throw new IllegalArgumentException("a patch-only answer has at least one patch");
      }
    }

    @Override
    public Version version() {
      return patches.get(patches.size() - 1).version();
    }

    @Override
    public long payloadBytes() {
      return bytesOf(patches);
    }
  }

  /** The whole object: its base and every patch, oldest first. */
  record Full<D>(Part<D> base, List<Part<D>> patches) implements GetAnswer<D> {
    public Full {
      Objects.requireNonNull(base, "base");
      patches = List.copyOf(patches);
    }

    @Override
    public Version version() {
      return patches.isEmpty() ? base.version() : patches.get(patches.size() - 1).version();
    }

    @Override
    public long payloadBytes() {
      return base.sizeBytes() + bytesOf(patches);
    }
  }

  /**
   * Not answered here: a do_get of the key answers it, errors included. Only a {@code GET_MANY}
   * answers this (docs/protocol.md); {@code reason} is for people.
   */
  record Single<D>(String reason) implements GetAnswer<D> {
    public Single {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public Version version() {
      return Version.NONE;
    }
  }

  /**
   * flame's decision table, in order, for a caller holding {@code held} ({@link Version#NONE} for
   * nothing) and an object whose base is {@code base} and whose patches are {@code patches}
   * (versions base + 1, + 2, ...):
   *
   * <ol>
   *   <li>held is not none and is the current version: {@link NotModified};
   *   <li>the object is a native table: {@link Table};
   *   <li>held is not none and base ≤ held &lt; current: {@link Patches}, those after held;
   *   <li>otherwise (none, below the base, above the current): {@link Full}.
   * </ol>
   */
  static <D> GetAnswer<D> decide(Version held, boolean table, Part<D> base, List<Part<D>> patches) {
    Version current = patches.isEmpty() ? base.version() : patches.get(patches.size() - 1).version();
    if (!held.isNone() && held.equals(current)) {
      return new NotModified<>(current);
    }
    if (table) {
      return new Table<>(base);
    }
    if (!held.isNone() && !held.isBefore(base.version()) && held.isBefore(current)) {
      List<Part<D>> after = new ArrayList<>(patches.size());
      for (Part<D> patch : patches) {
        if (patch.version().isAfter(held)) {
          after.add(patch);
        }
      }
      return new Patches<>(after);
    }
    return new Full<>(base, patches);
  }

  private static long bytesOf(List<? extends Part<?>> parts) {
    long sum = 0;
    for (Part<?> part : parts) {
      sum += part.sizeBytes();
    }
    return sum;
  }
}
