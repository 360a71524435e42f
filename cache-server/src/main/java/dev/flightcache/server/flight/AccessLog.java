package dev.flightcache.server.flight;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished call, at INFO, to the logger {@value #LOGGER}, in logfmt:
 *
 * <pre>
 * call=do_get status=OK key=etl/run-42/features have=3 version=5 outcome=patch_only in=0 out=1024 ms=0.812
 * </pre>
 *
 * Fields that do not apply to a call are left out. Values with spaces, quotes, '=' or control
 * characters are quoted and escaped, so one call is always one line. The server adds this
 * observer only when {@code access-log} is true.
 */
public final class AccessLog implements CallObserver {
  /** The logger name, so the access log can be routed or silenced on its own. */
  public static final String LOGGER = "flight-cache.access";

  private final Logger logger;

  public AccessLog() {
    this(LoggerFactory.getLogger(LOGGER));
  }

  AccessLog(Logger logger) {
    this.logger = logger;
  }

  @Override
  public void callCompleted(CallReport report) {
    if (logger.isInfoEnabled()) {
      logger.info(format(report));
    }
  }

  static String format(CallReport report) {
    StringBuilder line = new StringBuilder(160);
    line.append("call=").append(report.method());
    if (report.action() != null) {
      line.append(" action=");
      quote(line, report.action());
    }
    line.append(" status=").append(report.status());
    if (report.key() != null) {
      line.append(" key=");
      quote(line, report.key());
    }
    if (report.clientVersion() != CallReport.NONE) {
      line.append(" have=").append(Long.toUnsignedString(report.clientVersion()));
    }
    if (report.version() != CallReport.NONE) {
      line.append(" version=").append(Long.toUnsignedString(report.version()));
    }
    if (report.outcome() != null) {
      line.append(" outcome=").append(report.outcome().label());
    }
    line.append(" in=").append(report.bytesIn());
    line.append(" out=").append(report.bytesOut());
    line.append(" ms=").append(String.format(Locale.ROOT, "%.3f", report.durationNanos() / 1e6));
    return line.toString();
  }

  private static void quote(StringBuilder line, String value) {
    boolean plain = !value.isEmpty()
        && value.chars().allMatch(c -> c > 0x20 && c != '"' && c != '=' && c != '\\' && !isBreak(c));
    if (plain) {
      line.append(value);
      return;
    }
    line.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        line.append('\\').append(c);
      } else if (isBreak(c)) {
        line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        line.append(c);
      }
    }
    line.append('"');
  }

  /** Control characters and the Unicode line separators, which could split or forge a line. */
  private static boolean isBreak(int c) {
    return Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
  }
}
