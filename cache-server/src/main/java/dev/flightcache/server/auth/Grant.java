package dev.flightcache.server.auth;

import dev.flightcache.proto.Permission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Permissions on a scope, such as {@code read,write:team-a/*}. Immutable. */
public record Grant(Scope scope, Set<Permission> permissions) {

  public Grant {
    Objects.requireNonNull(scope, "scope");
    if (permissions.isEmpty()) {
      throw new IllegalArgumentException("a grant needs at least one permission");
    }
    permissions = Set.copyOf(EnumSet.copyOf(permissions));
  }

  /**
   * Parses {@code <perms>:<scope>}: a comma list of read, write, delete, admin (or all), a colon,
   * and a scope.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Grant parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("invalid grant '" + text + "': expected '<perms>:<scope>' such as 'read,write:app/*'");
    }
    return new Grant(Scope.parse(text.substring(colon + 1)), Permission.parseList(text.substring(0, colon)));
  }

  /** Whether this grant allows {@code permission} on every key of {@code target}. */
  public boolean allows(Permission permission, Scope target) {
    return permissions.contains(permission) && scope.covers(target);
  }

  @Override
  public String toString() {
    return EnumSet.copyOf(permissions).stream().map(Permission::wireName).collect(Collectors.joining(",")) + ":" + scope;
  }
}
