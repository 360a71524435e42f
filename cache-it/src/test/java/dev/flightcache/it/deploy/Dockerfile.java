package dev.flightcache.it.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker/Dockerfile read as its instructions: continuations joined, comments dropped. */
final class Dockerfile {
  /** One instruction: its keyword in upper case and the rest of its (joined) line. */
  record Instruction(String keyword, String arguments) {}

  private static final Pattern ENV_PAIR = Pattern.compile("([A-Z0-9_]+)=(\\S+)");
  private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  final List<Instruction> instructions = new ArrayList<>();

  Dockerfile(String text) {
    StringBuilder pending = new StringBuilder();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (pending.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      pending.append(trimmed);
      String joined = pending.toString().strip();
      pending.setLength(0);
      int space = joined.indexOf(' ');
      instructions.add(new Instruction(joined.substring(0, space).toUpperCase(), joined.substring(space + 1).strip()));
    }
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The instructions after the last FROM: the image that runs. */
  List<Instruction> finalStage() {
    int last = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return instructions.subList(last, instructions.size());
  }

  /** Every {@code ENV KEY=value} pair of the final stage. */
  Map<String, String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    for (Instruction env : finalStage()) {
      if (env.keyword().equals("ENV")) {
        Matcher pair = ENV_PAIR.matcher(env.arguments());
        while (pair.find()) {
          environment.put(pair.group(1), pair.group(2));
        }
      }
    }
    return environment;
  }

  /** The strings of an exec-form (JSON array) instruction such as ENTRYPOINT or VOLUME. */
  static List<String> execForm(String arguments) {
    if (!arguments.startsWith("[") || !arguments.endsWith("]")) {
      throw new AssertionError("not exec form: " + arguments);
    }
    List<String> strings = new ArrayList<>();
    Matcher string = JSON_STRING.matcher(arguments);
    while (string.find()) {
      strings.add(string.group(1));
    }
    return strings;
  }
}
