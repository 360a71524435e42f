package dev.flightcache.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The server's validated settings. Build one with {@link ConfigLoader}.
 *
 * @param advertiseEndpoint null to derive it from the bind address and the bound port
 * @param portFile null for none
 * @param tlsCertFile null for plaintext; set together with tlsKeyFile
 * @param hardLimit null for the budget itself
 * @param idleTtl zero for no idle expiry
 * @param keepAliveTime how long a connection may send nothing before the server pings it
 * @param keepAliveTimeout how long the server waits for that ping's answer before it closes the
 *     connection, cancelling its calls
 * @param ops the metrics and health port, per-app usage and the access log
 * @param appQuotasFile the per-app quotas file; null for no quotas
 * @param auth authentication: token store, signing key, client CA, insecure opt-out
 */
public record ServerConfig(
    int port,
    String bindAddress,
    String advertiseEndpoint,
    Path storageDir,
    Path tlsCertFile,
    Path tlsKeyFile,
    Capacity budget,
    double highWatermark,
    double lowWatermark,
    Capacity hardLimit,
    Capacity minFree,
    Duration idleTtl,
    long maxObjectBytes,
    long maxPatchBytes,
    int maxPatches,
    long maxMessageBytes,
    int chunkBytes,
    long singleRowMaxBytes,
    int callThreads,
    Duration drainTimeout,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Path portFile,
    String logLevel,
    OpsConfig ops,
    Path appQuotasFile,
    AuthConfig auth) {

  static final long MAX_ROW_BYTES = 1L << 30;
  static final Duration MIN_KEEPALIVE_TIME = Duration.ofSeconds(10);
  static final Duration MIN_KEEPALIVE_TIMEOUT = Duration.ofSeconds(1);

  public ServerConfig {
    require(port >= 0 && port <= 65535, Option.PORT, "must be between 0 and 65535");
    require((tlsCertFile == null) == (tlsKeyFile == null), tlsCertFile == null ? Option.TLS_CERT_FILE : Option.TLS_KEY_FILE,
        "must be set together with '" + (tlsCertFile == null ? Option.TLS_KEY_FILE.key : Option.TLS_CERT_FILE.key) + "'");
    require(maxObjectBytes > 0, Option.MAX_OBJECT_BYTES, "must be > 0");
    require(highWatermark > 0 && highWatermark <= 1, Option.HIGH_WATERMARK, "must be above 0 and at most 1");
    require(lowWatermark > 0 && lowWatermark < highWatermark, Option.LOW_WATERMARK, "must be above 0 and below high-watermark");
    require(!idleTtl.isNegative(), Option.IDLE_TTL, "must not be negative");
    require(maxPatchBytes > 0 && maxPatchBytes <= MAX_ROW_BYTES, Option.MAX_PATCH_BYTES, "must be > 0 and at most 1GiB");
    require(maxPatches >= 0, Option.MAX_PATCHES, "must be >= 0");
    require(maxMessageBytes >= 1024 && maxMessageBytes <= Integer.MAX_VALUE, Option.MAX_MESSAGE_BYTES, "must be between 1KiB and 2GiB - 1");
    require(chunkBytes >= 1024 && chunkBytes <= 64 << 20, Option.CHUNK_BYTES, "must be between 1KiB and 64MiB");
    require(singleRowMaxBytes >= chunkBytes && singleRowMaxBytes <= MAX_ROW_BYTES, Option.SINGLE_ROW_MAX_BYTES,
        "must be at least chunk-bytes and at most 1GiB");
    require(callThreads >= 4, Option.CALL_THREADS, "must be >= 4");
    require(!drainTimeout.isNegative(), Option.DRAIN_TIMEOUT, "must not be negative");
    // gRPC raises a keepalive time under 10s to 10s without a word; say so instead.
    require(keepAliveTime.compareTo(MIN_KEEPALIVE_TIME) >= 0, Option.KEEPALIVE_TIME, "must be at least 10s (gRPC's minimum)");
    require(keepAliveTimeout.compareTo(MIN_KEEPALIVE_TIMEOUT) >= 0, Option.KEEPALIVE_TIMEOUT,
        "must be at least 1s (a shorter wait would close live connections whose answer is merely slow)");
    require(
        ConfigLoader.LEVELS.contains(logLevel), Option.LOG_LEVEL, "must be one of " + ConfigLoader.LEVELS);
    java.util.Objects.requireNonNull(ops, "ops");
    java.util.Objects.requireNonNull(auth, "auth");
    require(auth.clientCaFile() == null || tlsCertFile != null, Option.TLS_CLIENT_CA_FILE,
        "needs '" + Option.TLS_CERT_FILE.key + "' and '" + Option.TLS_KEY_FILE.key + "': mutual TLS is TLS");
    require(!ops.metricsTls() || tlsCertFile != null, Option.METRICS_TLS,
        "needs '" + Option.TLS_CERT_FILE.key + "' and '" + Option.TLS_KEY_FILE.key + "' (the metrics port serves the same certificate)");
  }

  static void require(boolean condition, Option option, String rule) {
    if (!condition) {
      throw new ConfigException("'" + option.key + "' " + rule);
    }
  }

  /**
   * The budget on a volume of {@code totalBytes} with blocks of {@code blockBytes}.
   *
   * @throws ConfigException if the sizes do not fit together
   */
  public dev.flightcache.server.eviction.BudgetSettings budgetSettings(long totalBytes, long blockBytes) {
    long budgetBytes = budget.resolve(totalBytes);
    long hardLimitBytes = hardLimit == null ? budgetBytes : hardLimit.resolve(totalBytes);
    require(budgetBytes > 0, Option.BUDGET_BYTES, "must come to more than 0 bytes on this volume");
    require(hardLimitBytes >= budgetBytes, Option.HARD_LIMIT_BYTES, "must be at least budget-bytes (" + budgetBytes + ")");
    return new dev.flightcache.server.eviction.BudgetSettings(
        budgetBytes, highWatermark, lowWatermark, hardLimitBytes, minFree.resolve(totalBytes),
        idleTtl.isZero() ? null : idleTtl, blockBytes);
  }

  /** Whether the Flight port serves TLS. */
  public boolean tls() {
    return tlsCertFile != null;
  }

  /** The settings as {@code name=value} pairs, for the start-up log line. */
  public Map<String, Object> summary() {
    Map<String, Object> summary = new java.util.LinkedHashMap<>();
    summary.put("storage-dir", storageDir.toAbsolutePath().normalize());
    summary.put("tls", tls() ? tlsCertFile : "off");
    summary.put("tls-client-ca-file", auth.clientCaFile() == null ? "off" : auth.clientCaFile());
    summary.put("auth-tokens-file", auth.tokensFile() == null ? "off" : auth.tokensFile());
    summary.put("auth-signing-key-file", auth.signingKeyFile() == null ? "off" : auth.signingKeyFile());
    summary.put("auth-max-token-ttl", auth.maxTokenTtl());
    summary.put("insecure", auth.insecure());
    summary.put("budget-bytes", budget);
    summary.put("hard-limit-bytes", hardLimit == null ? "budget" : hardLimit);
    summary.put("min-free-bytes", minFree);
    summary.put("watermarks", lowWatermark + "-" + highWatermark);
    summary.put("idle-ttl", idleTtl.isZero() ? "off" : idleTtl);
    summary.put("app-quotas-file", appQuotasFile == null ? "none" : appQuotasFile);
    summary.put("max-object-bytes", maxObjectBytes);
    summary.put("max-patch-bytes", maxPatchBytes);
    summary.put("max-patches", maxPatches);
    summary.put("max-message-bytes", maxMessageBytes);
    summary.put("chunk-bytes", chunkBytes);
    summary.put("single-row-max-bytes", singleRowMaxBytes);
    summary.put("call-threads", callThreads);
    summary.put("drain-timeout", drainTimeout);
    summary.put("keepalive-time", keepAliveTime);
    summary.put("keepalive-timeout", keepAliveTimeout);
    summary.put("metrics", (ops.metricsTls() ? "https://" : "http://") + ops.metricsBindAddress() + ":" + ops.metricsPort());
    summary.put("metrics-max-apps", ops.maxApps());
    summary.put("metrics-sample-interval", ops.sampleInterval());
    summary.put("access-log", ops.accessLog());
    return summary;
  }
}
