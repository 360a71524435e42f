package dev.flightcache.server.auth;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token store file and the store parsed from it. {@link #reloadIfChanged()}, which the server
 * calls every few seconds, re-reads the file and swaps in a new store when its content changed; a
 * file that cannot be read or parsed is logged at ERROR and the previous store stays in force.
 * Comparing content rather than modification times also catches Kubernetes' symlink swaps of
 * mounted Secrets. Calls read {@link #current()}, a volatile field: no file I/O per call.
 * Thread-safe.
 */
public final class TokenStoreFile {
  private static final Logger logger = LoggerFactory.getLogger(TokenStoreFile.class);
  /** A token store is a few lines per team; anything this large is a mistake. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private final Path file;
  private volatile TokenStore current;
  private byte[] digest;

  private TokenStoreFile(Path file, TokenStore current, byte[] digest) {
    this.file = file;
    this.current = current;
    this.digest = digest;
  }

  /**
   * Reads and parses the file.
   *
   * @throws IllegalArgumentException if it cannot be read or a line is invalid, naming file:line
   */
  public static TokenStoreFile load(Path file) {
    byte[] content = read(file);
    TokenStore store = TokenStore.parse(decode(file, content), file.toString());
    logger.info("Token store {}: {} principals", file, store.size());
    return new TokenStoreFile(file, store, sha256(content));
  }

  /** The store now in force. */
  public TokenStore current() {
    return current;
  }

  /**
   * Re-reads the file; if its content changed and parses, it becomes the store in force.
   *
   * @return whether a new store is now in force
   */
  public synchronized boolean reloadIfChanged() {
    byte[] content;
    try {
      content = read(file);
    } catch (IllegalArgumentException e) {
      logger.error("Cannot reload the token store; keeping the previous one: {}", e.getMessage());
      return false;
    }
    byte[] newDigest = sha256(content);
    if (Arrays.equals(newDigest, digest)) {
      return false;
    }
    try {
      TokenStore store = TokenStore.parse(decode(file, content), file.toString());
      current = store;
      logger.info("Token store {} reloaded: {} principals", file, store.size());
      return true;
    } catch (IllegalArgumentException e) {
      logger.error("Token store {} is invalid; keeping the previous one until it is fixed: {}", file, e.getMessage());
      return false;
    } finally {
      // Log a broken file once, not on every poll.
      digest = newDigest;
    }
  }

  private static byte[] read(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read: " + e, e);
    }
  }

  private static String decode(Path file, byte[] content) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": not valid UTF-8");
    }
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
