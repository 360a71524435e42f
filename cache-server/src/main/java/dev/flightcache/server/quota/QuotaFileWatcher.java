package dev.flightcache.server.quota;

import dev.flightcache.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the limits of {@link AppQuotas} in line with the quotas file: reads it at start (a bad file
 * stops the start), then rereads it on every poll and puts it in force when its contents changed.
 * A file that turns bad or unreadable is logged at ERROR, once per distinct content, and the
 * previous limits stay in force until it is fixed. The poll runs on the given scheduler, never on
 * a write's path. Thread-safe.
 */
public final class QuotaFileWatcher {
  private static final Logger logger = LoggerFactory.getLogger(QuotaFileWatcher.class);

  /** How often the file is reread. */
  public static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

  private final Path file;
  private final AppQuotas quotas;
  /** The contents last seen, valid or not; touched only by the polling thread. */
  private byte[] seen;
  private String lastReadFailure;

  private QuotaFileWatcher(Path file, AppQuotas quotas, byte[] seen) {
    this.file = file;
    this.quotas = quotas;
    this.seen = seen;
  }

  /**
   * Loads {@code file} into {@code quotas}, then polls it every {@code interval} on {@code scheduler}
   * until the scheduler is shut down.
   *
   * @throws ConfigException naming the file (and line) if it cannot be read or is invalid
   */
  public static void start(Path file, AppQuotas quotas, ScheduledExecutorService scheduler, Duration interval) {
    QuotaFileWatcher watcher = load(file, quotas);
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(watcher::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Loads {@code file} into {@code quotas} without polling; {@link #poll()} rereads it. */
  static QuotaFileWatcher load(Path file, AppQuotas quotas) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the quotas file: " + e);
    }
    QuotaTable table = QuotaFile.parse(file.toString(), bytes);
    quotas.table(table);
    logger.info("Quotas from {}: {}", file, describe(table));
    return new QuotaFileWatcher(file, quotas, bytes);
  }

  /** Rereads the file and puts it in force if it changed and is valid. */
  void poll() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
      lastReadFailure = null;
    } catch (IOException e) {
      String failure = e.toString();
      if (!failure.equals(lastReadFailure)) {
        logger.error("Cannot read the quotas file {}; the previous limits stay in force: {}", file, failure);
        lastReadFailure = failure;
      }
      return;
    }
    if (Arrays.equals(bytes, seen)) {
      return;
    }
    seen = bytes;
    try {
      QuotaTable table = QuotaFile.parse(file.toString(), bytes);
      quotas.table(table);
      logger.info("Reloaded quotas from {}: {}", file, describe(table));
    } catch (ConfigException e) {
      logger.error("The quotas file is invalid; the previous limits stay in force: {}", e.getMessage());
    }
  }

  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException e) {
      // A failure must not cancel the schedule: the next poll tries again.
      logger.error("Reloading the quotas file {} failed: {}", file, e.toString());
    }
  }

  private static String describe(QuotaTable table) {
    AppLimit defaults = table.defaults();
    return table.apps().size() + " apps listed; other apps "
        + (defaults.limitsBytes() ? defaults.maxBytes() + " bytes" : "unlimited bytes") + ", "
        + (defaults.limitsObjects() ? defaults.maxObjects() + " objects" : "unlimited objects");
  }
}
