package dev.flightcache.server.auth;

import dev.flightcache.proto.Permission;

/**
 * An authenticated caller asked for something its grants do not allow; the call answers
 * UNAUTHORIZED. The message names the permission and the key or scope asked for, nothing found.
 */
public final class PermissionDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(Permission permission, String target) {
    super("not permitted: " + permission.wireName() + " on " + target, null, false, false);
  }
}
