package dev.flightcache.client;

import java.util.Locale;

/**
 * What a {@link Grant} allows on its scope. On the wire and in the server's token store each is
 * written in lower case ({@code read}, {@code write}, {@code delete}, {@code admin}).
 */
public enum Permission {
  /** do_get, get_flight_info, get_schema, and seeing the key in a listing. */
  READ,
  /** Puts, updates, patches, table puts and uploads. */
  WRITE,
  /** The DELETE action. */
  DELETE,
  /** The STATS action and minting tokens. */
  ADMIN;

  /** The lower-case name the server uses: {@code read}, {@code write}, {@code delete}, {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The permission with this wire name.
   *
   * @throws IllegalArgumentException if the name is not one of the four (case-sensitive)
   */
  public static Permission fromWireName(String name) {
    for (Permission permission : values()) {
      if (permission.wireName().equals(name)) {
        return permission;
      }
    }
    throw new IllegalArgumentException("unknown permission '" + name + "': expected read, write, delete, admin or all");
  }
}
