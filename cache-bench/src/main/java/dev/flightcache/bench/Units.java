package dev.flightcache.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and durations as the command line writes them. Sizes are binary, as the server's options
 * are: {@code 1K} = {@code 1KB} = {@code 1KiB} = 1,024 bytes. Durations take ms, s, m or h.
 */
final class Units {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(MS|S|M|H)");
  private static final String[] SIZE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Units() {}

  /** @throws IllegalArgumentException if the text is not a size such as {@code 64MiB} */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches() || (m.group(2).isEmpty() && "IB".equals(m.group(3)))) {
      throw new IllegalArgumentException("not a size: '" + text + "' (use bytes or K, M, G, T, e.g. 64MiB)");
    }
    int shift = switch (m.group(2)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 0;
    };
    long value = Long.parseLong(m.group(1));
    if (value > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("size too large: '" + text + "'");
    }
    return value << shift;
  }

  /** Whether the text is a duration such as {@code 30s} rather than a plain count. */
  static boolean isDuration(String text) {
    return DURATION.matcher(text.trim().toUpperCase(Locale.ROOT)).matches();
  }

  /** @throws IllegalArgumentException if the text is not a duration such as {@code 500ms} or {@code 30s} */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (use ms, s, m or h, e.g. 30s)");
    }
    long value = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "MS" -> Duration.ofMillis(value);
      case "S" -> Duration.ofSeconds(value);
      case "M" -> Duration.ofMinutes(value);
      default -> Duration.ofHours(value);
    };
  }

  /** {@code 1 GiB}, {@code 1536 KiB}, {@code 1000 B}: the largest binary unit that divides exactly. */
  static String formatSize(long bytes) {
    int unit = 0;
    long value = bytes;
    while (unit < SIZE_UNITS.length - 1 && value != 0 && value % 1024 == 0) {
      value /= 1024;
      unit++;
    }
    return value + " " + SIZE_UNITS[unit];
  }
}
