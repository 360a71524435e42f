package dev.flightcache.server.quota;

import java.util.Map;

/**
 * The limits of every app, as one quotas file gives them. Immutable.
 *
 * @param apps the apps named in the file, each with its own limit
 * @param defaults the limit of every app not named ({@code *} in the file; {@link AppLimit#NONE}
 *     when the file has no {@code *} line)
 */
public record QuotaTable(Map<String, AppLimit> apps, AppLimit defaults) {
  /** No app is limited: the table in force when no quotas file is configured. */
  public static final QuotaTable NONE = new QuotaTable(Map.of(), AppLimit.NONE);

  public QuotaTable {
    apps = Map.copyOf(apps);
    java.util.Objects.requireNonNull(defaults, "defaults");
  }

  /** The limit that applies to {@code app}. */
  public AppLimit limitFor(String app) {
    return apps.getOrDefault(app, defaults);
  }
}
