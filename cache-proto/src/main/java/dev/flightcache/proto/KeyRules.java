package dev.flightcache.proto;

import java.nio.charset.StandardCharsets;

/**
 * The rules every key component obeys, stricter than flame's so that a stored key can always be
 * read back and always maps to a safe file name.
 *
 * <p>A component is 1 to {@value #MAX_COMPONENT_BYTES} bytes of UTF-8; it is not {@code .}, does
 * not contain {@code ..}, a backslash, a colon (the ticket separator), a slash, or a control
 * character. Only the session of a wildcard delete path may be {@code *}.
 */
public final class KeyRules {
  /** The longest component, in UTF-8 bytes: the file-name limit of common Linux file systems. */
  public static final int MAX_COMPONENT_BYTES = 255;

  /** The session component that stands for every session of an app, in delete paths only. */
  public static final String WILDCARD = "*";

  private KeyRules() {}

  /**
   * Checks one component.
   *
   * @param input the whole key or path, quoted in the message
   * @throws InvalidKeyException naming the rule that was broken
   */
  static void checkComponent(String component, String what, String input) {
    if (component.isEmpty()) {
      throw invalid(input, what + " is empty");
    }
    if (component.equals(".") || component.contains("..")) {
      throw invalid(input, what + " must not be '.' or contain '..'");
    }
    if (component.equals(WILDCARD)) {
      throw invalid(input, "wildcard '*' is only allowed as the session of a delete path");
    }
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (c == '\\' || c == ':' || c == '/') {
        throw invalid(input, what + " must not contain '" + c + "'");
      }
      if (Character.isISOControl(c)) {
        throw invalid(input, what + " must not contain control characters");
      }
      if (Character.isHighSurrogate(c) && i + 1 < component.length() && Character.isLowSurrogate(component.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid(input, what + " is not valid Unicode (unpaired surrogate)");
      }
    }
    if (component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
      throw invalid(input, what + " is longer than " + MAX_COMPONENT_BYTES + " bytes");
    }
  }

  static InvalidKeyException invalid(String input, String reason) {
    return new InvalidKeyException("Invalid key '" + printable(input) + "': " + reason);
  }

  /** The input with control characters escaped and its length capped, fit for a message. */
  static String printable(String input) {
    StringBuilder out = new StringBuilder();
    int limit = Math.min(input.length(), 300);
    for (int i = 0; i < limit; i++) {
      char c = input.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (limit < input.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
