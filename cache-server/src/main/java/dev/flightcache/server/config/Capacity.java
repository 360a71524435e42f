package dev.flightcache.server.config;

import java.util.Locale;

/**
 * A size given in bytes, or as a percentage of the storage volume ({@code 50%}), resolved once
 * the volume is known.
 *
 * @param bytes the size, when given in bytes; otherwise -1
 * @param percent the share of the volume, when given as a percentage; otherwise -1
 */
public record Capacity(long bytes, double percent) {

  static Capacity parse(Option option, String text) {
    String trimmed = text.trim();
    if (trimmed.endsWith("%")) {
      try {
        double percent = Double.parseDouble(trimmed.substring(0, trimmed.length() - 1).trim());
        if (percent > 0 && percent <= 100) {
          return new Capacity(-1, percent);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ConfigException("'" + option.key + "' must be a percentage above 0 and at most 100, not '" + text + "'");
    }
    return new Capacity(ConfigLoader.parseSize(option, trimmed), -1);
  }

  /** The size in bytes on a volume of {@code totalBytes}. */
  public long resolve(long totalBytes) {
    return bytes >= 0 ? bytes : (long) (totalBytes * percent / 100);
  }

  @Override
  public String toString() {
    return bytes >= 0 ? Long.toString(bytes) : String.format(Locale.ROOT, "%s%%", percent);
  }
}
