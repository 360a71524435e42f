package dev.flightcache.server.auth;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;

/**
 * The keys a grant applies to: everything ({@code *}), one app ({@code app/*}), one session
 * ({@code app/session/*}), or one key ({@code app/session/object}). A null component is a
 * wildcard, and only trailing components may be wildcards. Immutable.
 */
public record Scope(String app, String session, String object) {
  /** Every key. */
  public static final Scope ALL = new Scope(null, null, null);

  public Scope {
    if ((app == null && session != null) || (session == null && object != null)) {
      throw new IllegalArgumentException("only trailing scope components may be wildcards");
    }
  }

  /**
   * Parses {@code *}, {@code app/*}, {@code app/session/*} or {@code app/session/object}; the
   * components obey the key rules.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Scope parse(String text) {
    if (text.equals("*")) {
      return ALL;
    }
    String[] parts = text.split("/", -1);
    try {
      if (parts.length == 2 && parts[1].equals("*")) {
        return new Scope(KeyPath.parse(parts[0] + "/*").app(), null, null);
      }
      if (parts.length == 3 && parts[2].equals("*")) {
        KeyPath session = KeyPath.parse(parts[0] + "/" + parts[1]);
        return new Scope(session.app(), session.session(), null);
      }
      if (parts.length == 3) {
        ObjectKey key = ObjectKey.parse(text);
        return new Scope(key.app(), key.session(), key.object());
      }
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("invalid scope '" + text + "': " + e.getMessage());
    }
    throw new IllegalArgumentException(
        "invalid scope '" + text + "': expected '*', '<app>/*', '<app>/<session>/*' or '<app>/<session>/<object>'");
  }

  /** The scope of exactly one key. */
  public static Scope of(ObjectKey key) {
    return new Scope(key.app(), key.session(), key.object());
  }

  /** The keys a put, patch or delete path names: {@code app/*}, a session, or one key. */
  public static Scope of(KeyPath path) {
    if (path.isAppWildcard()) {
      return new Scope(path.app(), null, null);
    }
    return new Scope(path.app(), path.session(), path.object());
  }

  /** Whether every key {@code other} names is also named by this scope (equal counts). */
  public boolean covers(Scope other) {
    return covers(app, other.app) && covers(session, other.session) && covers(object, other.object);
  }

  private static boolean covers(String mine, String theirs) {
    return mine == null || mine.equals(theirs);
  }

  /** Whether this scope names {@code key}. */
  public boolean covers(ObjectKey key) {
    return covers(of(key));
  }

  @Override
  public String toString() {
    if (app == null) {
      return "*";
    }
    if (session == null) {
      return app + "/*";
    }
    return object == null ? app + "/" + session + "/*" : app + "/" + session + "/" + object;
  }
}
