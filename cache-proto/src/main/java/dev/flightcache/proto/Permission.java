package dev.flightcache.proto;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a grant allows on its scope, shared by the server's token store and the client's mint
 * requests. In token store lines, signed tokens and messages each is written in lower case
 * ({@code read}, {@code write}, {@code delete}, {@code admin}); docs/security.md lists which calls
 * need which.
 */
public enum Permission {
  /** do_get, get_flight_info, get_schema, and seeing the key in list_flights. */
  READ,
  /** do_put: puts, replaces, patches, table puts and uploads. */
  WRITE,
  /** The DELETE action. */
  DELETE,
  /** The STATS action and MINT_TOKEN. */
  ADMIN;

  /** The lower-case name: {@code read}, {@code write}, {@code delete} or {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses one name ({@code read}, {@code write}, {@code delete}, {@code admin}) or {@code all}.
   *
   * @throws IllegalArgumentException naming the unknown permission
   */
  public static Set<Permission> parse(String name) {
    if (name.equals("all")) {
      return EnumSet.allOf(Permission.class);
    }
    for (Permission permission : values()) {
      if (permission.wireName().equals(name)) {
        return EnumSet.of(permission);
      }
    }
    throw new IllegalArgumentException("unknown permission '" + name + "' (expected read, write, delete, admin or all)");
  }

  /** Parses a comma list such as {@code read,write}; empty entries are an error. */
  public static Set<Permission> parseList(String list) {
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    for (String name : list.split(",", -1)) {
      permissions.addAll(parse(name));
    }
    return permissions;
  }
}
