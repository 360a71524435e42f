package dev.flightcache.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * One parsed token store file: principals by the SHA-256 of their bearer token and by the subject
 * of their client certificate. Immutable; a reload builds a new one. Holds hashes only, never a
 * token.
 *
 * <pre>
 * # name    credential                 grant ...
 * team-a    sha256:&lt;64 hex&gt;            read,write,delete:team-a/*   read:shared/*
 * exec-7    cert:CN=exec-7,O=team-a    read:team-a/*
 * </pre>
 */
public final class TokenStore {
  static final String SHA256 = "sha256:";
  static final String CERT = "cert:";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final Map<String, Principal> byTokenHash;
  private final Map<String, Principal> byCertificate;

  private TokenStore(Map<String, Principal> byTokenHash, Map<String, Principal> byCertificate) {
    this.byTokenHash = Map.copyOf(byTokenHash);
    this.byCertificate = Map.copyOf(byCertificate);
  }

  /**
   * Parses a whole file; any bad line makes it invalid.
   *
   * @param source the file name, for messages
   * @throws IllegalArgumentException with {@code source:line: reason}
   */
  public static TokenStore parse(String text, String source) {
    Map<String, Principal> byTokenHash = new HashMap<>();
    Map<String, Principal> byCertificate = new HashMap<>();
    Set<String> names = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        String[] fields = line.split("\\s+");
        if (fields.length < 3) {
          throw new IllegalArgumentException("expected '<name> <credential> <grant>...'");
        }
        String name = fields[0];
        if (!NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("name '" + name + "' must be 1 to 128 of A-Z a-z 0-9 . _ @ -");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("name '" + name + "' appears twice");
        }
        List<Grant> grants = new ArrayList<>();
        for (int f = 2; f < fields.length; f++) {
          grants.add(Grant.parse(fields[f]));
        }
        Principal principal = new Principal(name, grants, null);
        String credential = fields[1];
        if (credential.startsWith(SHA256)) {
          String hex = credential.substring(SHA256.length());
          if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("credential 'sha256:' needs 64 hex digits (printf %s \"$TOKEN\" | sha256sum)");
          }
          if (byTokenHash.put(hex.toLowerCase(java.util.Locale.ROOT), principal) != null) {
            throw new IllegalArgumentException("the same token hash appears twice");
          }
        } else if (credential.startsWith(CERT)) {
          String subject = canonical(credential.substring(CERT.length()));
          if (byCertificate.put(subject, principal) != null) {
            throw new IllegalArgumentException("the same certificate subject appears twice");
          }
        } else {
          throw new IllegalArgumentException("credential must start with 'sha256:' or 'cert:'");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new TokenStore(byTokenHash, byCertificate);
  }

  /** The principal whose token this is, or null. One hash and one map lookup. */
  public Principal byToken(String token) {
    return byTokenHash.get(sha256Hex(token));
  }

  /** The principal of a {@code cert:} line naming this verified subject, or null. */
  public Principal byCertificate(X500Principal subject) {
    return byCertificate.get(subject.getName(X500Principal.CANONICAL));
  }

  /** How many principals the file defines. */
  public int size() {
    return byTokenHash.size() + byCertificate.size();
  }

  /** Lowercase hex SHA-256 of the token's UTF-8 bytes, as {@code printf %s "$TOKEN" | sha256sum} prints it. */
  public static String sha256Hex(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String canonical(String subject) {
    try {
      return new X500Principal(subject).getName(X500Principal.CANONICAL);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'cert:" + subject + "' is not an RFC 2253 subject: " + e.getMessage());
    }
  }
}
