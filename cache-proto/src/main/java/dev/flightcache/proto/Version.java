package dev.flightcache.proto;

/**
 * An object version: an unsigned 64-bit number, where 0 means "none" (a caller that holds
 * nothing, a ref with no particular version). The one place that compares versions, so no caller
 * compares the raw bits signed. Versions travel as the bits of an int64 (BSON, the answer's UInt64
 * column) and as unsigned decimal text (tickets).
 *
 * @param bits the version's 64 bits, read as unsigned
 */
public record Version(long bits) implements Comparable<Version> {
  /** No version. */
  public static final Version NONE = new Version(0);

  /** The version whose unsigned bits are {@code bits}. */
  public static Version of(long bits) {
    return bits == 0 ? NONE : new Version(bits);
  }

  /** Whether this is {@link #NONE}. */
  public boolean isNone() {
    return bits == 0;
  }

  /** Unsigned order: {@code NONE} first, {@code 2^64 - 1} last. */
  @Override
  public int compareTo(Version other) {
    return Long.compareUnsigned(bits, other.bits);
  }

  /** Whether this comes after {@code other}. */
  public boolean isAfter(Version other) {
    return compareTo(other) > 0;
  }

  /** Whether this comes before {@code other}. */
  public boolean isBefore(Version other) {
    return compareTo(other) < 0;
  }

  /** Unsigned decimal, as tickets and the schema metadata carry it. */
  @Override
  public String toString() {
    return Long.toUnsignedString(bits);
  }
}
