package dev.flightcache.proto;

import java.util.Objects;

/**
 * A path as put, patch and delete take it: a full key {@code app/session/object}, a session
 * {@code app/session}, or, for delete only, every session of an app {@code app/*}.
 *
 * @param object the object id, or {@code null} for a session or app path
 */
public record KeyPath(String app, String session, String object) {

  public KeyPath {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(session, "session");
    String whole = object == null ? app + "/" + session : app + "/" + session + "/" + object;
    KeyRules.checkComponent(app, "app", whole);
    if (!KeyRules.WILDCARD.equals(session)) {
      KeyRules.checkComponent(session, "session", whole);
    } else if (object != null) {
      throw KeyRules.invalid(whole, "wildcard '*' is only allowed as the session of a delete path");
    }
    if (object != null) {
      KeyRules.checkComponent(object, "object id", whole);
    }
  }

  /**
   * Parses a put, patch or delete path.
   *
   * @throws InvalidKeyException if it has not two or three valid components, or uses {@code *}
   *     anywhere but as the session of a two-part path
   */
  public static KeyPath parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length == 2) {
      return new KeyPath(parts[0], parts[1], null);
    }
    if (parts.length == 3) {
      return new KeyPath(parts[0], parts[1], parts[2]);
    }
    throw KeyRules.invalid(text, "expected '<app>/<session>', '<app>/<session>/<object>' or '<app>/*'");
  }

  /** Whether this path names every session of an app. */
  public boolean isAppWildcard() {
    return KeyRules.WILDCARD.equals(session);
  }

  /** Whether this path names exactly one object. */
  public boolean isFullKey() {
    return object != null;
  }

  /**
   * The key this path names.
   *
   * @throws IllegalStateException if this is not a full key
   */
  public ObjectKey toKey() {
    if (object == null) {
      throw new IllegalStateException("not a full key: " + this);
    }
    return new ObjectKey(app, session, object);
  }

  /**
   * The text every matching key starts with: the key itself for a full key, {@code app/session/}
   * for a session, {@code app/} for an app wildcard. A session path never matches {@code
   * app/session2/...}.
   */
  public String keyPrefix() {
    if (object != null) {
      return app + "/" + session + "/" + object;
    }
    return isAppWildcard() ? app + "/" : app + "/" + session + "/";
  }

  /** Whether the key falls under this path, by the rules of flame's delete. */
  public boolean matches(ObjectKey key) {
    if (object != null) {
      return key.app().equals(app) && key.session().equals(session) && key.object().equals(object);
    }
    return key.app().equals(app) && (isAppWildcard() || key.session().equals(session));
  }

  @Override
  public String toString() {
    return object == null ? app + "/" + session : app + "/" + session + "/" + object;
  }
}
