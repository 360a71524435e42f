package dev.flightcache.server.flight;

import java.util.List;
import java.util.Objects;

/**
 * What one finished Flight call did, as the producer saw it: for metrics and the access log.
 *
 * @param method the RPC in lower case, such as {@code do_get}, {@code do_put}, {@code do_action}
 * @param status the Flight status code name, such as {@code OK}, {@code NOT_FOUND}, {@code CANCELLED}
 * @param action the action type of a do_action ({@code DELETE}, {@code STATS}), else null
 * @param key the key, path or prefix the call named; null if it named none or could not be read
 * @param clientVersion the version a do_get caller already held; {@link #NONE} for other calls
 * @param version the object's version the call stored or served; {@link #NONE} if none
 * @param outcome how a do_get was answered; null for other calls and failed gets
 * @param bytesIn payload bytes received (uploads and patches)
 * @param bytesOut payload bytes sent (do_get rows or table batches)
 * @param durationNanos from the call's start until its status was sent
 * @param batchedGets the gets a {@code GET_MANY} action answered inline, one each; empty for
 *     other calls
 */
public record CallReport(
    String method,
    String status,
    String action,
    String key,
    long clientVersion,
    long version,
    GetOutcome outcome,
    long bytesIn,
    long bytesOut,
    long durationNanos,
    List<BatchedGet> batchedGets) {

  /** One get answered inside a {@code GET_MANY}: the key's app, how it was answered, its bytes. */
  public record BatchedGet(String app, GetOutcome outcome, long bytesOut) {
    public BatchedGet {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** A version field that does not apply (versions are unsigned; this one, 2^64-1, is never reached). */
  public static final long NONE = -1;

  public CallReport {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(status, "status");
    if (bytesIn < 0 || bytesOut < 0 || durationNanos < 0) {
      throw new IllegalArgumentException("bytes and duration must not be negative");
    }
    batchedGets = List.copyOf(batchedGets);
  }

  /** A report of a call that answered no batched gets. */
  public CallReport(
      String method, String status, String action, String key, long clientVersion, long version, GetOutcome outcome,
      long bytesIn, long bytesOut, long durationNanos) {
    this(method, status, action, key, clientVersion, version, outcome, bytesIn, bytesOut, durationNanos, List.of());
  }

  /** The app component of {@link #key()}, or null if the call named no key. */
  public String app() {
    if (key == null || key.isEmpty()) {
      return null;
    }
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }
}
