package dev.flightcache.server.flight;

import dev.flightcache.server.auth.Authenticator;
import dev.flightcache.server.auth.BsonDocuments;
import dev.flightcache.server.auth.Grant;
import dev.flightcache.proto.Permission;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.auth.SignedTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.arrow.flight.CallStatus;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The {@code MINT_TOKEN} action: signs a delegation token no wider than the caller's own grants.
 * Body: BSON {@code {grants: [{scope, perms: [..]}], ttl_seconds: int64, label: string?}}; result:
 * the token as UTF-8. The caller needs admin on a scope covering each requested scope and each
 * requested permission there; the lifetime is at most {@code auth-max-token-ttl} and, for a
 * caller that is itself a signed token, at most what it has left.
 */
final class MintTokenAction {
  static final String TYPE = "MINT_TOKEN";
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private MintTokenAction() {}

  /** A decoded, well-formed request; not yet checked against the caller. */
  record Request(List<Grant> grants, Duration ttl, String label) {}

  static byte[] mint(Principal caller, byte[] body, Authenticator auth) {
    SignedTokens signer = auth.signedTokens();
    if (signer == null) {
      throw CallStatus.UNIMPLEMENTED.withDescription("signing key not configured").toRuntimeException();
    }
    Request request = parse(body);
    for (Grant grant : request.grants()) {
      caller.requireDelegable(grant);
    }
    if (request.ttl().compareTo(auth.maxTokenTtl()) > 0) {
      throw new InvalidRequestException(
          "ttl_seconds " + request.ttl().getSeconds() + " is longer than the server's limit of " + auth.maxTokenTtl().getSeconds());
    }
    if (caller.expiresAt() != null && signer.now().plus(request.ttl()).isAfter(caller.expiresAt())) {
      throw new InvalidRequestException(
          "ttl_seconds " + request.ttl().getSeconds() + " outlives the caller's own token (expires " + caller.expiresAt() + ")");
    }
    String subject = request.label() == null ? caller.name() : caller.name() + "/" + request.label();
    return signer.mint(subject, request.grants(), request.ttl()).getBytes(StandardCharsets.UTF_8);
  }

  static Request parse(byte[] body) {
    BsonDocument document;
    try {
      document = BsonDocuments.decode(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("MINT_TOKEN body is not a BSON document");
    }
    for (String field : document.keySet()) {
      if (!Set.of("grants", "ttl_seconds", "label").contains(field)) {
        throw new InvalidRequestException("MINT_TOKEN body has an unknown field '" + field + "'");
      }
    }
    BsonValue grants = document.get("grants");
    if (grants == null || !grants.isArray() || grants.asArray().isEmpty()) {
      throw new InvalidRequestException("MINT_TOKEN needs 'grants', a non-empty array of {scope, perms}");
    }
    List<Grant> parsed = new ArrayList<>();
    for (BsonValue value : grants.asArray()) {
      parsed.add(grant(value));
    }
    BsonValue ttl = document.get("ttl_seconds");
    if (ttl == null || !(ttl.isInt64() || ttl.isInt32()) || ttl.asNumber().longValue() <= 0) {
      throw new InvalidRequestException("MINT_TOKEN needs 'ttl_seconds', an int64 above 0");
    }
    BsonValue label = document.get("label");
    if (label != null && (!label.isString() || !LABEL.matcher(label.asString().getValue()).matches())) {
      throw new InvalidRequestException("MINT_TOKEN 'label' must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
    }
    return new Request(parsed, Duration.ofSeconds(ttl.asNumber().longValue()), label == null ? null : label.asString().getValue());
  }

  private static Grant grant(BsonValue value) {
    if (!value.isDocument() || !value.asDocument().isString("scope") || !value.asDocument().isArray("perms")) {
      throw new InvalidRequestException("each MINT_TOKEN grant needs 'scope' (string) and 'perms' (array of strings)");
    }
    try {
      Set<Permission> permissions = EnumSet.noneOf(Permission.class);
      for (BsonValue perm : value.asDocument().getArray("perms")) {
        if (!perm.isString()) {
          throw new IllegalArgumentException("'perms' must hold strings");
        }
        permissions.addAll(Permission.parse(perm.asString().getValue()));
      }
      return new Grant(Scope.parse(value.asDocument().getString("scope").getValue()), permissions);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("MINT_TOKEN grant: " + e.getMessage());
    }
  }
}
