package dev.flightcache.server.auth;

import dev.flightcache.proto.Permission;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * An authenticated caller: a token store line, a verified client certificate, or a signed
 * token. Immutable.
 *
 * @param name for logs and messages: the store line's name, a certificate subject, or a signed
 *     token's {@code sub}; never a credential
 * @param expiresAt when a signed token stops working; null for callers that do not expire
 */
public record Principal(String name, List<Grant> grants, Instant expiresAt) {
  /** The caller of a server without authentication: everything is allowed. */
  public static final Principal ANONYMOUS = unrestricted("anonymous");

  public Principal {
    Objects.requireNonNull(name, "name");
    grants = List.copyOf(grants);
  }

  /** A caller allowed everything on every key, such as a certificate-verified caller when no token store is set. */
  public static Principal unrestricted(String name) {
    return new Principal(name, List.of(new Grant(Scope.ALL, EnumSet.allOf(Permission.class))), null);
  }

  /** Whether some grant allows {@code permission} on every key of {@code target}. */
  public boolean allows(Permission permission, Scope target) {
    for (Grant grant : grants) {
      if (grant.allows(permission, target)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks {@code permission} on {@code target}, which must be known before anything is looked up.
   *
   * @param shown the key or path as the caller wrote it, for the message
   * @throws PermissionDeniedException if no grant allows it
   */
  public void require(Permission permission, Scope target, Object shown) {
    if (!allows(permission, target)) {
      throw new PermissionDeniedException(permission, String.valueOf(shown));
    }
  }

  /**
   * Checks that this caller may hand {@code requested} on in a signed token: it needs admin on a
   * scope covering the requested one, and each requested permission there itself.
   *
   * @throws PermissionDeniedException naming the first permission it lacks
   */
  public void requireDelegable(Grant requested) {
    require(Permission.ADMIN, requested.scope(), requested.scope());
    for (Permission permission : EnumSet.copyOf(requested.permissions())) {
      require(permission, requested.scope(), requested.scope());
    }
  }
}
