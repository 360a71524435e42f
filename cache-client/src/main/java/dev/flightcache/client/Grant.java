package dev.flightcache.client;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Permission;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Permissions on a key scope, as a token carries them: the input of {@link
 * CacheClient#mintToken(java.util.List, java.time.Duration)} and the grant column of the server's
 * token store. Immutable.
 *
 * @param scope {@code *} (every key), {@code app/*}, {@code app/session/*}, or one key {@code
 *     app/session/object}
 * @param permissions at least one; held as an unmodifiable set in {@link Permission} order
 */
public record Grant(String scope, Set<Permission> permissions) {
  /**
   * @throws IllegalArgumentException if the scope is not one of the four forms or breaks the key
   *     rules, or there are no permissions
   * @throws NullPointerException if an argument or a permission is null
   */
  public Grant {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(permissions, "permissions");
    if (permissions.isEmpty()) {
      throw new IllegalArgumentException("grant on '" + scope + "' has no permissions");
    }
    checkScope(scope);
    permissions = Collections.unmodifiableSet(EnumSet.copyOf(permissions));
  }

  /** A grant of the given permissions; see the record's parameters. */
  public static Grant of(String scope, Permission first, Permission... more) {
    return new Grant(scope, EnumSet.of(first, more));
  }

  /**
   * Parses the token store's form {@code <perms>:<scope>}, such as {@code read,write:team-a/*};
   * {@code all} stands for every permission.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Grant parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("grant '" + text + "' must look like <perms>:<scope>, e.g. read,write:app/*");
    }
    return new Grant(text.substring(colon + 1), Permission.parseList(text.substring(0, colon)));
  }

  /** The token store's form, permissions in {@link Permission} order: {@code read,write:team-a/*}. */
  @Override
  public String toString() {
    return permissions.stream().map(Permission::wireName).collect(Collectors.joining(",")) + ":" + scope;
  }

  private static void checkScope(String scope) {
    if (scope.equals("*")) {
      return;
    }
    try {
      String[] parts = scope.split("/", -1);
      if (parts.length == 2 && parts[1].equals("*")) {
        KeyPath.parse(scope);
      } else if (parts.length == 3 && parts[2].equals("*") && !parts[1].equals("*")) {
        KeyPath.parse(parts[0] + "/" + parts[1]);
      } else if (parts.length == 3 && !parts[2].equals("*")) {
        ObjectKey.parse(scope);
      } else {
        throw new IllegalArgumentException(
            "scope '" + scope + "' must be '*', '<app>/*', '<app>/<session>/*' or '<app>/<session>/<object>'");
      }
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("scope '" + scope + "': " + e.getMessage(), e);
    }
  }
}
