package dev.flightcache.cli;

import dev.flightcache.client.Grant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed command line: {@code [--endpoint URL] [--timeout 30s] [access flags] <command>
 * [args]}. Flags may come before or after the command; {@code -} is an argument (standard input),
 * not a flag. {@link #toString()} never shows the token.
 *
 * @param access the token and TLS files
 * @param command the command word, or "help"
 * @param args the command's arguments, in order; for {@code token}, the sub-command first
 * @param grants the grants of {@code token new} (its arguments after the name) or {@code token
 *     mint} (its {@code --grant} flags); empty for other commands
 * @param ttl the {@code --ttl} of {@code token mint}, else null
 * @param label the {@code --label} of {@code token mint}, or null
 */
record Invocation(String endpoint, Duration timeout, Access access, String command, List<String> args,
    List<Grant> grants, Duration ttl, String label) {
  static final String ENDPOINT_VARIABLE = "FLIGHT_CACHE_ENDPOINT";
  static final String DEFAULT_ENDPOINT = "grpc://127.0.0.1:9090";
  /** A principal name in the server's token store. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");
  private static final Pattern TTL = Pattern.compile("(\\d+)(s|m|h|d)");

  /** A command line that cannot be run; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** Command word to {min, max} argument count. */
  private static final Map<String, int[]> ARITY = Map.ofEntries(
      Map.entry("put", new int[] {1, 1}), Map.entry("get", new int[] {1, 1}), Map.entry("patch", new int[] {1, 1}),
      Map.entry("upload", new int[] {2, 2}), Map.entry("download", new int[] {2, 2}), Map.entry("delete", new int[] {1, 1}),
      Map.entry("ls", new int[] {0, 1}), Map.entry("stats", new int[] {0, 0}), Map.entry("health", new int[] {0, 0}),
      Map.entry("token", new int[] {1, Integer.MAX_VALUE}), Map.entry("help", new int[] {0, 1}));

  static Invocation parse(String[] argv, Map<String, String> environment) throws UsageException {
    String endpoint = environment.getOrDefault(ENDPOINT_VARIABLE, DEFAULT_ENDPOINT);
    Duration timeout = Duration.ofSeconds(30);
    String token = null;
    String tokenFile = null;
    String caFile = null;
    String certFile = null;
    String keyFile = null;
    List<String> grantFlags = new ArrayList<>();
    String ttl = null;
    String label = null;
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
        case "--token" -> token = value != null ? value : next(argv, ++i, name);
        case "--token-file" -> tokenFile = value != null ? value : next(argv, ++i, name);
        case "--ca-file" -> caFile = value != null ? value : next(argv, ++i, name);
        case "--cert" -> certFile = value != null ? value : next(argv, ++i, name);
        case "--key" -> keyFile = value != null ? value : next(argv, ++i, name);
        case "--grant" -> grantFlags.add(value != null ? value : next(argv, ++i, name));
        case "--ttl" -> ttl = value != null ? value : next(argv, ++i, name);
        case "--label" -> label = value != null ? value : next(argv, ++i, name);
        default -> {
          if (arg.startsWith("-") && !arg.equals("-")) {
            throw new UsageException("unknown flag '" + arg + "'");
          }
          words.add(arg);
        }
      }
    }
    if (token != null && tokenFile != null) {
      throw new UsageException("give --token or --token-file, not both");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new UsageException("--cert and --key go together");
    }
    if (token == null && tokenFile == null) {
      token = environment.get(Access.TOKEN_VARIABLE);
    }
    Access access = new Access(token, path(tokenFile), path(caFile), path(certFile), path(keyFile));
    if (words.isEmpty()) {
      throw new UsageException("no command given");
    }
    String command = words.get(0);
    List<String> args = List.copyOf(words.subList(1, words.size()));
    int[] arity = ARITY.get(command);
    if (arity == null) {
      throw new UsageException("unknown command '" + command + "'");
    }
    if (command.equals("token") && args.isEmpty()) {
      throw new UsageException("'token' needs a sub-command: new, hash or mint");
    }
    if (command.equals("help")) {
      return new Invocation(endpoint, timeout, access, command, List.of(), List.of(), null, null);
    }
    if (args.size() < arity[0] || args.size() > arity[1]) {
      throw new UsageException("'" + command + "' takes " + (arity[0] == arity[1] ? arity[0] : arity[0] + " or " + arity[1])
          + " argument" + (arity[1] == 1 ? "" : "s") + ", not " + args.size());
    }
    boolean mint = command.equals("token") && args.get(0).equals("mint");
    if (!mint && (!grantFlags.isEmpty() || ttl != null || label != null)) {
      throw new UsageException("--grant, --ttl and --label are flags of 'token mint' only");
    }
    if (!command.equals("token")) {
      return new Invocation(endpoint, timeout, access, command, args, List.of(), null, null);
    }
    return switch (args.get(0)) {
      case "new" -> {
        if (args.size() < 3) {
          throw new UsageException("'token new' takes a name and at least one grant: token new team-a read,write:team-a/*");
        }
        if (!NAME.matcher(args.get(1)).matches()) {
          throw new UsageException("token name '" + args.get(1) + "' must be 1 to 128 of A-Z a-z 0-9 . _ @ -");
        }
        yield new Invocation(endpoint, timeout, access, command, args, grants(args.subList(2, args.size())), null, null);
      }
      case "hash" -> {
        if (args.size() != 1) {
          throw new UsageException("'token hash' takes no arguments: it reads the token from standard input");
        }
        yield new Invocation(endpoint, timeout, access, command, args, List.of(), null, null);
      }
      case "mint" -> {
        if (args.size() != 1 || grantFlags.isEmpty() || ttl == null) {
          throw new UsageException("'token mint' takes --grant <perms>:<scope> (one or more) and --ttl, and no arguments");
        }
        yield new Invocation(endpoint, timeout, access, command, args, grants(grantFlags), ttl(ttl), label);
      }
      default -> throw new UsageException("unknown token command '" + args.get(0) + "': use new, hash or mint");
    };
  }

  @Override
  public String toString() {
    return "Invocation[" + command + " " + args + ", endpoint=" + endpoint + ", " + access + "]";
  }

  private static String next(String[] argv, int index, String flag) throws UsageException {
    if (index >= argv.length) {
      throw new UsageException("flag '" + flag + "' needs a value");
    }
    return argv[index];
  }

  private static Path path(String text) {
    return text == null ? null : Path.of(text);
  }

  private static List<Grant> grants(List<String> texts) throws UsageException {
    List<Grant> grants = new ArrayList<>();
    for (String text : texts) {
      try {
        grants.add(Grant.parse(text));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    return List.copyOf(grants);
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

  private static Duration ttl(String text) throws UsageException {
    Matcher matcher = TTL.matcher(text);
    if (!matcher.matches() || matcher.group(1).length() > 7 || Long.parseLong(matcher.group(1)) == 0) {
      throw new UsageException("--ttl must be a duration such as 90s, 30m, 1h or 7d, not '" + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
