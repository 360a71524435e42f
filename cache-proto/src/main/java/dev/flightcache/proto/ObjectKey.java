package dev.flightcache.proto;

import java.util.UUID;

/**
 * The full key of one object, {@code app/session/object}. Immutable; components are validated by
 * {@link KeyRules} in the constructor.
 */
public record ObjectKey(String app, String session, String object) implements Comparable<ObjectKey> {

  public ObjectKey {
    String whole = app + "/" + session + "/" + object;
    KeyRules.checkComponent(app, "app", whole);
    KeyRules.checkComponent(session, "session", whole);
    KeyRules.checkComponent(object, "object id", whole);
  }

  /**
   * Parses {@code app/session/object}.
   *
   * @throws InvalidKeyException if the text is not exactly three valid components
   */
  public static ObjectKey parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length != 3) {
      throw KeyRules.invalid(text, "expected '<app>/<session>/<object>'");
    }
    return new ObjectKey(parts[0], parts[1], parts[2]);
  }

  /** A new key in {@code app/session} with a random UUID object id, as flame generates them. */
  public static ObjectKey generated(String app, String session) {
    return new ObjectKey(app, session, UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return app + "/" + session + "/" + object;
  }

  @Override
  public int compareTo(ObjectKey other) {
    return toString().compareTo(other.toString());
  }
}
