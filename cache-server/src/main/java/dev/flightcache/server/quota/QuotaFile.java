package dev.flightcache.server.quota;

import dev.flightcache.proto.InvalidKeyException;
import dev.flightcache.proto.KeyPath;
import dev.flightcache.server.config.ConfigException;
import dev.flightcache.server.config.ConfigLoader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The quotas file: UTF-8 text, one app a line, {@code <app> <max-bytes> <max-objects>}.
 *
 * <pre>
 * # app     max-bytes  max-objects
 * team-a    10GiB      100000
 * team-b    500MiB     -
 * *         1GiB       10000
 * </pre>
 *
 * <p>Sizes take the units of the size options (binary: 1K = 1KiB = 1024 bytes); {@code -} means no
 * limit on that dimension; {@code *} is the limit of every app not listed (without it, unlisted
 * apps are unlimited). {@code #} starts a comment; blank lines are ignored. One bad line makes the
 * whole file invalid, with a message naming the file and the line.
 */
public final class QuotaFile {
  static final String DEFAULT_APP = "*";
  private static final String NO_LIMIT = "-";

  private QuotaFile() {}

  /**
   * Parses the contents of a quotas file.
   *
   * @param source the file's name, for messages
   * @throws ConfigException naming {@code source:line} and what is wrong
   */
  static QuotaTable parse(String source, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(source + ": the quotas file is not valid UTF-8");
    }
    Map<String, AppLimit> apps = new HashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    AppLimit defaults = AppLimit.NONE;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int number = i + 1;
      String line = lines[i];
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String[] fields = content.split("\\s+");
      if (fields.length != 3) {
        throw invalid(source, number, "expected '<app> <max-bytes> <max-objects>', got " + fields.length + " field"
            + (fields.length == 1 ? "" : "s"));
      }
      String app = fields[0];
      checkApp(source, number, app);
      Integer earlier = lineOf.putIfAbsent(app, number);
      if (earlier != null) {
        throw invalid(source, number, "app '" + app + "' is already listed on line " + earlier);
      }
      AppLimit limit = new AppLimit(maxBytes(source, number, fields[1]), maxObjects(source, number, fields[2]));
      if (app.equals(DEFAULT_APP)) {
        defaults = limit;
      } else {
        apps.put(app, limit);
      }
    }
    return new QuotaTable(apps, defaults);
  }

  private static void checkApp(String source, int number, String app) {
    if (app.equals(DEFAULT_APP)) {
      return;
    }
    try {
      KeyPath.parse(app + "/*");
    } catch (InvalidKeyException e) {
      throw invalid(source, number, "'" + app + "' is not a valid app name (" + e.getMessage() + ")");
    }
  }

  private static long maxBytes(String source, int number, String text) {
    if (text.equals(NO_LIMIT)) {
      return AppLimit.UNLIMITED;
    }
    try {
      return ConfigLoader.parseBytes(text);
    } catch (NumberFormatException e) {
      throw invalid(source, number, "max-bytes '" + text + "' is too large");
    } catch (IllegalArgumentException e) {
      throw invalid(source, number, "max-bytes must be a size such as 1048576, 512MiB or 10GiB, or '-' for no limit, not '"
          + text + "'");
    }
  }

  private static long maxObjects(String source, int number, String text) {
    if (text.equals(NO_LIMIT)) {
      return AppLimit.UNLIMITED;
    }
    if (!text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(source, number, "max-objects must be a whole number such as 10000, or '-' for no limit, not '" + text + "'");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw invalid(source, number, "max-objects '" + text + "' is too large");
    }
  }

  private static ConfigException invalid(String source, int number, String message) {
    return new ConfigException(source + ":" + number + ": " + message);
  }
}
