package dev.flightcache.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line of {@code --name value}, {@code --name=value} and {@code --flag}
 * options. Unknown options and missing values are usage errors. Not thread-safe.
 */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  private Args() {}

  static Args parse(String[] args, Set<String> flagNames, Set<String> valueNames) throws UsageException {
    Args parsed = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flagNames.contains(name)) {
        if (value != null) {
          throw new UsageException("--" + name + " takes no value");
        }
        parsed.flags.add(name);
      } else if (valueNames.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new UsageException("--" + name + " needs a value");
          }
          value = args[++i];
        }
        parsed.values.put(name, value);
      } else {
        throw new UsageException("unknown option --" + name);
      }
    }
    return parsed;
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The value, or {@code fallback} when the option was not given. */
  String value(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** A positive whole number. */
  int positiveInt(String name, int fallback) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + name + " must be a whole number > 0, not '" + text + "'");
  }

  /** A bound (count or duration); {@code fallback} when the option was not given. */
  Bound bound(String name, Bound fallback) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return fallback;
    }
    try {
      return Bound.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }
}
