package dev.flightcache.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link ServerConfig}: defaults, then the config file, then the environment, then the
 * command-line flags, each overriding the one before.
 */
public final class ConfigLoader {
  static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  private ConfigLoader() {}

  /**
   * @param args command-line flags, {@code --name value} or {@code --name=value}
   * @param environment the process environment
   * @throws ConfigException naming the option that is unknown, missing a value, or invalid
   */
  public static ServerConfig load(String[] args, Map<String, String> environment) {
    Map<Option, String> flags = parseFlags(args);
    Map<Option, String> values = new EnumMap<>(Option.class);
    for (Option option : Option.values()) {
      if (option.defaultValue != null) {
        values.put(option, option.defaultValue);
      }
    }
    String configFile = flags.getOrDefault(Option.CONFIG, environment.get(Option.CONFIG.environmentName()));
    if (configFile != null) {
      values.putAll(readFile(Path.of(configFile)));
    }
    for (Option option : Option.values()) {
      String value = environment.get(option.environmentName());
      if (value != null && !value.isEmpty()) {
        values.put(option, value);
      }
    }
    values.putAll(flags);
    return build(values);
  }

  /** The text {@code --help} prints. */
  public static String usage() {
    StringBuilder out = new StringBuilder();
    out.append("Usage: java -jar cache-server.jar [--option value]...\n\n");
    out.append("Every option may also be set as FLIGHT_CACHE_<OPTION> in the environment or as\n");
    out.append("'option = value' in the --config file; flags win over the environment, which wins\n");
    out.append("over the file. Sizes take binary units (64MiB, 1G); durations ms, s, m or h.\n");
    out.append("A boolean option given alone means true (--insecure).\n\n");
    for (Option option : Option.values()) {
      out.append(String.format(Locale.ROOT, "  --%-22s %s%n", option.key + " <" + option.valueName + ">", option.description));
      out.append(String.format(Locale.ROOT, "  %-24s default: %s; env %s%n", "",
          option.defaultValue == null ? "(none)" : option.defaultValue, option.environmentName()));
    }
    out.append(String.format(Locale.ROOT, "  --%-22s %s%n", "help", "Print this and exit."));
    return out.toString();
  }

  private static Map<Option, String> parseFlags(String[] args) {
    Map<Option, String> flags = new EnumMap<>(Option.class);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      }
      Option option = Option.byKey(name);
      if (option == null) {
        throw new ConfigException("unknown option '--" + name + "'");
      }
      if (value == null && option.valueName.equals("boolean") && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        value = "true";
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new ConfigException("option '--" + name + "' needs a value");
        }
        value = args[++i];
      }
      flags.put(option, value);
    }
    return flags;
  }

  private static Map<Option, String> readFile(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<Option, String> values = new EnumMap<>(Option.class);
    for (String name : properties.stringPropertyNames()) {
      Option option = Option.byKey(name);
      if (option == null || option == Option.CONFIG) {
        throw new ConfigException("unknown option '" + name + "' in config file " + file);
      }
      values.put(option, properties.getProperty(name).trim());
    }
    return values;
  }

  private static ServerConfig build(Map<Option, String> values) {
    String portFile = values.get(Option.PORT_FILE);
    String tlsCert = values.get(Option.TLS_CERT_FILE);
    String tlsKey = values.get(Option.TLS_KEY_FILE);
    String quotasFile = values.get(Option.APP_QUOTAS_FILE);
    return new ServerConfig(
        (int) integer(values, Option.PORT),
        values.get(Option.BIND_ADDRESS),
        values.get(Option.ADVERTISE_ENDPOINT),
        Path.of(values.get(Option.STORAGE_DIR)),
        tlsCert == null || tlsCert.isEmpty() ? null : Path.of(tlsCert),
        tlsKey == null || tlsKey.isEmpty() ? null : Path.of(tlsKey),
        Capacity.parse(Option.BUDGET_BYTES, values.get(Option.BUDGET_BYTES)),
        fraction(values, Option.HIGH_WATERMARK),
        fraction(values, Option.LOW_WATERMARK),
        values.get(Option.HARD_LIMIT_BYTES) == null || values.get(Option.HARD_LIMIT_BYTES).isEmpty()
            ? null : Capacity.parse(Option.HARD_LIMIT_BYTES, values.get(Option.HARD_LIMIT_BYTES)),
        Capacity.parse(Option.MIN_FREE_BYTES, values.get(Option.MIN_FREE_BYTES)),
        duration(values, Option.IDLE_TTL),
        size(values, Option.MAX_OBJECT_BYTES),
        size(values, Option.MAX_PATCH_BYTES),
        (int) integer(values, Option.MAX_PATCHES),
        size(values, Option.MAX_MESSAGE_BYTES),
        (int) Math.min(Integer.MAX_VALUE, size(values, Option.CHUNK_BYTES)),
        size(values, Option.SINGLE_ROW_MAX_BYTES),
        (int) integer(values, Option.CALL_THREADS),
        duration(values, Option.DRAIN_TIMEOUT),
        duration(values, Option.KEEPALIVE_TIME),
        duration(values, Option.KEEPALIVE_TIMEOUT),
        portFile == null || portFile.isEmpty() ? null : Path.of(portFile),
        values.get(Option.LOG_LEVEL).toUpperCase(Locale.ROOT),
        new OpsConfig(
            (int) integer(values, Option.METRICS_PORT),
            values.get(Option.METRICS_BIND_ADDRESS),
            (int) integer(values, Option.METRICS_MAX_APPS),
            duration(values, Option.METRICS_SAMPLE_INTERVAL),
            bool(values, Option.ACCESS_LOG),
            bool(values, Option.METRICS_TLS)),
        quotasFile == null || quotasFile.isEmpty() ? null : Path.of(quotasFile),
        new AuthConfig(
            path(values, Option.AUTH_TOKENS_FILE),
            path(values, Option.AUTH_SIGNING_KEY_FILE),
            duration(values, Option.AUTH_MAX_TOKEN_TTL),
            path(values, Option.TLS_CLIENT_CA_FILE),
            bool(values, Option.INSECURE)));
  }

  /** An optional path: null when unset or empty. */
  private static Path path(Map<Option, String> values, Option option) {
    String text = values.get(option);
    return text == null || text.isEmpty() ? null : Path.of(text);
  }

  private static boolean bool(Map<Option, String> values, Option option) {
    String text = values.get(option).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException("'" + option.key + "' must be true or false, not '" + values.get(option) + "'");
    };
  }

  private static long integer(Map<Option, String> values, Option option) {
    String text = values.get(option);
    try {
      long value = Long.parseLong(text.trim());
      if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + option.key + "' must be a whole number, not '" + text + "'");
    }
  }

  private static double fraction(Map<Option, String> values, Option option) {
    String text = values.get(option);
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + option.key + "' must be a fraction such as 0.9, not '" + text + "'");
    }
  }

  static long size(Map<Option, String> values, Option option) {
    return parseSize(option, values.get(option));
  }

  /** Parses sizes such as {@code 1024}, {@code 64M}, {@code 64MiB}, {@code 1GB}: all binary. */
  static long parseSize(Option option, String text) {
    try {
      return parseBytes(text);
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + option.key + "' is too large: '" + text + "'");
    } catch (IllegalArgumentException e) {
      throw new ConfigException("'" + option.key + "' must be a size such as 1048576, 256KiB or 64MiB, not '" + text + "'");
    }
  }

  /**
   * Parses a size as the options take it: {@code 1024}, {@code 64M}, {@code 64MiB}, {@code 1GB},
   * all binary units. For other files that share the options' units, such as the quotas file.
   *
   * @throws NumberFormatException (an IllegalArgumentException) if the size is more than a long holds
   * @throws IllegalArgumentException if the text is not a size
   */
  public static long parseBytes(String text) {
    Matcher matcher = SIZE.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("not a size: '" + text + "'");
    }
    int shift = switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      case "T" -> 40;
      default -> 0;
    };
    long number = Long.parseLong(matcher.group(1));
    if (number > (Long.MAX_VALUE >> shift)) {
      throw new NumberFormatException("too large: '" + text + "'");
    }
    return number << shift;
  }

  static Duration duration(Map<Option, String> values, Option option) {
    String text = values.get(option);
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new ConfigException("'" + option.key + "' must be a duration such as 500ms, 30s or 2m, not '" + text + "'");
    }
    try {
      long amount = Long.parseLong(matcher.group(1));
      Duration duration = switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
      duration.toMillis();
      return duration;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException("'" + option.key + "' is too large: '" + text + "'");
    }
  }
}
