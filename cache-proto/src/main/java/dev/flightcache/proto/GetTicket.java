package dev.flightcache.proto;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * A do_get ticket, {@code key:version}: the key to read and the version the caller already holds
 * ({@link Version#NONE} when it holds nothing).
 */
public record GetTicket(ObjectKey key, Version clientVersion) {

  public GetTicket {
    java.util.Objects.requireNonNull(key, "key");
    java.util.Objects.requireNonNull(clientVersion, "clientVersion");
  }

  /**
   * Parses ticket bytes. The key ends at the first {@code :} (keys never contain one); no colon
   * means version 0. The version is decimal digits with an optional leading {@code +}, as Rust's
   * {@code u64::from_str} reads it.
   *
   * @throws InvalidKeyException for bytes that are not UTF-8, a bad version or a bad key
   */
  public static GetTicket parse(byte[] ticket) {
    String text;
    try {
      text = Protocol.strictUtf8(ticket);
    } catch (CharacterCodingException e) {
      throw new InvalidKeyException("Invalid ticket: not valid UTF-8");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return new GetTicket(ObjectKey.parse(text), Version.NONE);
    }
    return new GetTicket(ObjectKey.parse(text.substring(0, colon)), Version.of(parseVersion(text.substring(colon + 1))));
  }

  static long parseVersion(String text) {
    String digits = text.startsWith("+") ? text.substring(1) : text;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidKeyException(
          "Invalid version: '" + KeyRules.printable(text) + "' is not an unsigned decimal integer");
    }
    try {
      return Long.parseUnsignedLong(digits);
    } catch (NumberFormatException e) {
      throw new InvalidKeyException("Invalid version: '" + KeyRules.printable(text) + "' is too large");
    }
  }

  /** The ticket bytes, {@code key:version}. */
  public byte[] encode() {
    return (key + ":" + clientVersion).getBytes(StandardCharsets.UTF_8);
  }
}
