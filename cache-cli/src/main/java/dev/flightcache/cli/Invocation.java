package dev.flightcache.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed command line: {@code [--endpoint URL] [--timeout 30s] <command> [args]}. Flags may
 * come before or after the command; {@code -} is an argument (standard input), not a flag.
 *
 * @param command the command word, or "help"
 * @param args the command's arguments, in order
 */
record Invocation(String endpoint, Duration timeout, String command, List<String> args) {
  static final String ENDPOINT_VARIABLE = "FLIGHT_CACHE_ENDPOINT";
  static final String DEFAULT_ENDPOINT = "grpc://127.0.0.1:9090";
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  /** A command line that cannot be run; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** Command word to {min, max} argument count. */
  private static final Map<String, int[]> ARITY = Map.of(
      "put", new int[] {1, 1}, "get", new int[] {1, 1}, "patch", new int[] {1, 1},
      "upload", new int[] {2, 2}, "download", new int[] {2, 2}, "delete", new int[] {1, 1},
      "ls", new int[] {0, 1}, "stats", new int[] {0, 0}, "health", new int[] {0, 0}, "help", new int[] {0, 1});

  static Invocation parse(String[] argv, Map<String, String> environment) throws UsageException {
    String endpoint = environment.getOrDefault(ENDPOINT_VARIABLE, DEFAULT_ENDPOINT);
    Duration timeout = Duration.ofSeconds(30);
    List<String> words = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      switch (name) {
        case "-h", "--help" -> words.add(0, "help");
        case "-e", "--endpoint" -> endpoint = value != null ? value : next(argv, ++i, name);
        case "--timeout" -> timeout = duration(value != null ? value : next(argv, ++i, name));
        default -> {
          if (arg.startsWith("-") && !arg.equals("-")) {
            throw new UsageException("unknown flag '" + arg + "'");
          }
          words.add(arg);
        }
      }
    }
    if (words.isEmpty()) {
      throw new UsageException("no command given");
    }
    String command = words.get(0);
    List<String> args = words.subList(1, words.size());
    int[] arity = ARITY.get(command);
    if (arity == null) {
      throw new UsageException("unknown command '" + command + "'");
    }
    if (command.equals("help")) {
      return new Invocation(endpoint, timeout, command, List.of());
    }
    if (args.size() < arity[0] || args.size() > arity[1]) {
      throw new UsageException("'" + command + "' takes " + (arity[0] == arity[1] ? arity[0] : arity[0] + " or " + arity[1])
          + " argument" + (arity[1] == 1 ? "" : "s") + ", not " + args.size());
    }
    return new Invocation(endpoint, timeout, command, List.copyOf(args));
  }

  private static String next(String[] argv, int index, String flag) throws UsageException {
    if (index >= argv.length) {
      throw new UsageException("flag '" + flag + "' needs a value");
    }
    return argv[index];
  }

  private static Duration duration(String text) throws UsageException {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0 || matcher.group(1).length() > 9) {
      throw new UsageException("--timeout must be a duration such as 500ms, 30s or 2m, not '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }
}
