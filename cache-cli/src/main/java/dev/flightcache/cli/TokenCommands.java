package dev.flightcache.cli;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.Grant;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.stream.Collectors;

/**
 * {@code cache-cli token new|hash|mint}: making tokens for the server's token store, and signed
 * tokens from the server. {@code new} and {@code hash} run locally; only {@code mint} calls the
 * server. A token is printed only where the command exists to print it, on standard output.
 */
final class TokenCommands {
  /** Bytes of randomness in a new token: 256 bits. */
  static final int TOKEN_BYTES = 32;

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final SecureRandom random;

  TokenCommands(InputStream in, PrintStream out, PrintStream err, SecureRandom random) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.random = random;
  }

  /**
   * {@code token new <name> <grant>...}: a random token, printed once on the first line, and its
   * token store line on the second.
   */
  void newToken(Invocation invocation) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    out.println(token);
    out.println(invocation.args().get(1) + "  " + hash(token) + "  "
        + invocation.grants().stream().map(Grant::toString).collect(Collectors.joining("  ")));
    err.println("cache-cli: line 1 is the token: give it to its user now, it is not kept anywhere;"
        + " line 2 goes into the server's --auth-tokens-file");
  }

  /**
   * {@code token hash}: the store credential of the token on standard input; white space around
   * it (a final newline) is not part of it, as for the client's token file.
   *
   * @throws IllegalArgumentException if standard input holds no valid token
   */
  void hash() throws IOException {
    String token = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("standard input holds no token: a token is printable ASCII without spaces");
    }
    out.println(hash(token));
  }

  /** {@code token mint --grant ... --ttl ... [--label ...]}: a signed token from the server. */
  void mint(CacheClient client, Invocation invocation) {
    out.println(client.mintToken(invocation.grants(), invocation.ttl(), invocation.label()));
  }

  /** {@code sha256:} and the lowercase hex of SHA-256 over the token's UTF-8 bytes, as the store holds it. */
  static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
