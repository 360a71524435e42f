package dev.flightcache.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.arrow.flight.CallOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token read from a file and read again when the file changes, so a rotated Kubernetes
 * secret (or any file replaced by rename) is picked up without a restart. Leading and trailing
 * white space, such as a final newline, is not part of the token.
 *
 * <p>The hot path is a clock read and a volatile read. At most once per {@link #CHECK_INTERVAL_NANOS},
 * one caller stats the file (modified time, size, file key, following links); only if that
 * changed is the file read. A file that cannot be read or holds no valid token leaves the
 * previous token in force and is logged at WARN, once per change. Thread-safe.
 */
final class TokenFile implements Credentials {
  /** How often the file is checked for a change: once a second. */
  public static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final Logger logger = LoggerFactory.getLogger(TokenFile.class);

  private final Path path;
  private final LongSupplier nanoTime;
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile CallOption option;
  private volatile long nextCheckNanos;
  /** The file as last seen, valid or not; a change of it triggers a read. */
  private Stamp seen;
  private boolean warnedUnreadable;

  /** What identifies one version of the file without reading it. */
  private record Stamp(FileTime modified, long sizeBytes, Object fileKey) {}

  /**
   * Reads the token now.
   *
   * @param nanoTime the clock of the once-a-second check ({@code System::nanoTime})
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds no valid token; the message names the file,
   *     never its content
   */
  public TokenFile(Path path, LongSupplier nanoTime) throws IOException {
    this.path = Objects.requireNonNull(path, "path");
    this.nanoTime = nanoTime;
    Stamp stamp = stamp();
    String token = read();
    String problem = Credentials.problem(token);
    if (problem != null) {
      throw new IllegalArgumentException("bearerTokenFile " + path + ": the token " + problem);
    }
    this.option = Credentials.optionFor(token);
    this.seen = stamp;
    this.nextCheckNanos = nanoTime.getAsLong() + CHECK_INTERVAL_NANOS;
  }

  @Override
  public CallOption callOption() {
    long now = nanoTime.getAsLong();
    if (now - nextCheckNanos >= 0 && checking.compareAndSet(false, true)) {
      try {
        nextCheckNanos = now + CHECK_INTERVAL_NANOS;
        refresh();
      } finally {
        checking.set(false);
      }
    }
    return option;
  }

  /** Runs under {@link #checking}, so by one thread at a time. */
  private void refresh() {
    Stamp stamp;
    String token;
    try {
      stamp = stamp();
      if (stamp.equals(seen)) {
        return;
      }
      token = read();
    } catch (IOException e) {
      if (!warnedUnreadable) {
        warnedUnreadable = true;
        logger.warn("cannot read bearer token file {} ({}); still sending the previous token", path, e.toString());
      }
      return;
    }
    warnedUnreadable = false;
    seen = stamp;
    String problem = Credentials.problem(token);
    if (problem != null) {
      logger.warn("bearer token file {} changed, but the token {}; still sending the previous token", path, problem);
      return;
    }
    option = Credentials.optionFor(token);
    logger.info("bearer token file {} changed; sending its new token", path);
  }

  private Stamp stamp() throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
    return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
  }

  private String read() throws IOException {
    return new String(Files.readAllBytes(path), StandardCharsets.UTF_8).strip();
  }

  @Override
  public String toString() {
    return "bearer token file " + path;
  }
}
