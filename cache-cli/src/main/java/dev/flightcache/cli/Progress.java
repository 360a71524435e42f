package dev.flightcache.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for long transfers, redrawn in place on standard error:
 *
 * <pre>
 * [=========&gt;          ]  45%  126.0 MB / 280.0 MB  84.0 MB/s
 * </pre>
 *
 * Drawn only when standard error is a terminal, at most every {@value #REDRAW_MILLIS} ms, and
 * only once a transfer has run for that long, so short transfers and scripts see nothing. Sizes
 * and rates are decimal (1 MB = 1,000,000 bytes). Time comes from an injected clock. Not
 * thread-safe: one transfer drives it.
 */
final class Progress {
  static final long REDRAW_MILLIS = 200;
  private static final int WIDTH = 20;

  private final PrintStream err;
  private final boolean enabled;
  private final LongSupplier nanoTime;
  private final long totalBytes;
  private final long startedNanos;
  private long lastDrawNanos;
  private boolean drawn;

  /** @param totalBytes the transfer's size, or -1 if unknown (no bar, no percentage) */
  Progress(PrintStream err, boolean enabled, LongSupplier nanoTime, long totalBytes) {
    this.err = err;
    this.enabled = enabled;
    this.nanoTime = nanoTime;
    this.totalBytes = totalBytes;
    this.startedNanos = nanoTime.getAsLong();
    this.lastDrawNanos = startedNanos;
  }

  /** Bytes moved so far; redraws if it is time to. */
  void update(long bytes) {
    long now = nanoTime.getAsLong();
    if (enabled && now - lastDrawNanos >= REDRAW_MILLIS * 1_000_000) {
      lastDrawNanos = now;
      err.print("\r" + line(bytes, now - startedNanos));
      err.flush();
      drawn = true;
    }
  }

  /** The transfer ended; if a bar was drawn, draws it complete and ends its line. */
  void done(long bytes) {
    if (drawn) {
      err.print("\r" + line(bytes, nanoTime.getAsLong() - startedNanos) + "\n");
      err.flush();
    }
  }

  String line(long bytes, long elapsedNanos) {
    StringBuilder line = new StringBuilder(80);
    if (totalBytes > 0) {
      int filled = (int) Math.min(WIDTH, bytes * WIDTH / totalBytes);
      line.append('[').append("=".repeat(filled)).append(filled < WIDTH ? ">" : "")
          .append(" ".repeat(Math.max(0, WIDTH - filled - 1))).append("] ");
      line.append(String.format(Locale.ROOT, "%3d%%  ", Math.min(100, bytes * 100 / totalBytes)));
      line.append(human(bytes)).append(" / ").append(human(totalBytes));
    } else {
      line.append(human(bytes));
    }
    double seconds = elapsedNanos / 1e9;
    if (seconds > 0) {
      line.append(String.format(Locale.ROOT, "  %.1f MB/s", bytes / 1e6 / seconds));
    }
    return line.toString();
  }

  /** Bytes in decimal units: 999 B, 1.5 kB, 280.0 MB, 1.2 GB. */
  static String human(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
