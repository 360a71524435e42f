package dev.flightcache.server.config;

import java.util.Locale;

/**
 * Every server option. Each has one name used three ways: {@code --name} on the command line,
 * {@code name=} in the config file, and {@code FLIGHT_CACHE_NAME} in the environment. Sizes take
 * binary units (1K = 1KiB = 1024 bytes); durations take ms, s, m or h.
 */
public enum Option {
  CONFIG("config", null, "path", "Config file of 'name = value' lines (Java properties)."),
  PORT("port", "9090", "port", "Flight port; 0 picks a free one."),
  BIND_ADDRESS("bind-address", "127.0.0.1", "address", "Address to listen on; 0.0.0.0 for every interface."),
  ADVERTISE_ENDPOINT(
      "advertise-endpoint", null, "uri",
      "Endpoint written into refs and locations (default grpc://<bind-address>:<port>; with a wildcard bind, this host's address)."),
  STORAGE_DIR("storage-dir", "./data", "path", "Directory holding the objects; created if missing."),
  TLS_CERT_FILE(
      "tls-cert-file", null, "path",
      "PEM certificate chain; with tls-key-file, serves TLS on the Flight port (clients use grpc+tls:// or grpcs://)."),
  TLS_KEY_FILE("tls-key-file", null, "path", "PEM private key (PKCS#8) of tls-cert-file."),
  TLS_CLIENT_CA_FILE(
      "tls-client-ca-file", null, "path",
      "PEM CA bundle; clients must present a certificate it signed (mutual TLS). Needs tls-cert-file."),
  AUTH_TOKENS_FILE(
      "auth-tokens-file", null, "path",
      "Token store (docs/security.md); every call must then authenticate. Reloaded when it changes."),
  AUTH_SIGNING_KEY_FILE(
      "auth-signing-key-file", null, "path",
      "Secret of at least 32 bytes for signed delegation tokens (MINT_TOKEN); read at start."),
  AUTH_MAX_TOKEN_TTL("auth-max-token-ttl", "24h", "duration", "Longest lifetime MINT_TOKEN signs."),
  INSECURE(
      "insecure", "false", "boolean",
      "Allow a non-loopback bind-address without authentication (no tokens file, no client CA)."),
  BUDGET_BYTES(
      "budget-bytes", "50%", "size or %",
      "Disk the stored objects may take, in bytes or as a share of the storage volume; eviction keeps it."),
  HIGH_WATERMARK("high-watermark", "0.95", "fraction", "Eviction starts when stored bytes pass this share of the budget."),
  LOW_WATERMARK("low-watermark", "0.85", "fraction", "Eviction stops at this share of the budget."),
  HARD_LIMIT_BYTES(
      "hard-limit-bytes", null, "size or %",
      "Stored plus in-progress writes never pass this; writes that cannot fit are refused (default: the budget)."),
  MIN_FREE_BYTES(
      "min-free-bytes", "5%", "size or %", "Free space on the storage volume that writes never take, whatever the budget."),
  IDLE_TTL("idle-ttl", "0s", "duration", "Evict objects not read or written for this long; 0s keeps them until the budget needs room."),
  APP_QUOTAS_FILE(
      "app-quotas-file", null, "path",
      "Per-app quotas, lines '<app> <max-bytes> <max-objects>' ('-' for no limit, app '*' for the rest); reread when it changes."),
  MAX_OBJECT_BYTES("max-object-bytes", "64GiB", "size", "Largest object, base plus patches."),
  MAX_PATCH_BYTES("max-patch-bytes", "64MiB", "size", "Largest single patch (at most 1GiB)."),
  MAX_PATCHES("max-patches", "1000", "count", "Most patches one object may carry; then it must be replaced."),
  MAX_MESSAGE_BYTES(
      "max-message-bytes", "128MiB", "size",
      "Largest gRPC message accepted; bounds memory per upload message (clients chunk larger uploads)."),
  CHUNK_BYTES("chunk-bytes", "256KiB", "size", "Size of each base row sent to callers that accept chunked rows."),
  SINGLE_ROW_MAX_BYTES(
      "single-row-max-bytes", "64MiB", "size",
      "Largest base sent as a single row to callers that do not accept chunked rows (flame's clients)."),
  CALL_THREADS("call-threads", "256", "count", "Most threads serving calls at once."),
  DRAIN_TIMEOUT("drain-timeout", "30s", "duration", "On SIGTERM, how long in-flight calls may take to finish."),
  KEEPALIVE_TIME(
      "keepalive-time", "30s", "duration",
      "Ping a client connection that has sent nothing for this long, to find clients that vanished without closing it."),
  KEEPALIVE_TIMEOUT(
      "keepalive-timeout", "10s", "duration",
      "Close a connection whose ping is not answered within this; its calls are cancelled and their uploads released."),
  PORT_FILE("port-file", null, "path", "File to write the bound port to once the server is ready (index recovered)."),
  LOG_LEVEL("log-level", "INFO", "level", "Root log level: ERROR, WARN, INFO, DEBUG or TRACE."),
  METRICS_PORT("metrics-port", "9091", "port", "HTTP port of /metrics (Prometheus), /healthz and /readyz; 0 picks a free one."),
  METRICS_BIND_ADDRESS(
      "metrics-bind-address", "127.0.0.1", "address", "Address the metrics port listens on; 0.0.0.0 for every interface."),
  METRICS_TLS("metrics-tls", "false", "boolean", "Serve the metrics port over HTTPS with tls-cert-file and tls-key-file."),
  METRICS_MAX_APPS(
      "metrics-max-apps", "100", "count", "Apps that get their own label in per-app usage metrics; the rest count as 'other'."),
  METRICS_SAMPLE_INTERVAL(
      "metrics-sample-interval", "10s", "duration",
      "How often per-app stored bytes are sampled (for byte-seconds) and readiness is rechecked for gRPC health."),
  ACCESS_LOG("access-log", "false", "boolean", "Log one line per call to the 'flight-cache.access' logger.");

  final String key;
  final String defaultValue;
  final String valueName;
  final String description;

  Option(String key, String defaultValue, String valueName, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.valueName = valueName;
    this.description = description;
  }

  public String key() {
    return key;
  }

  /** The environment variable that sets this option. */
  public String environmentName() {
    return "FLIGHT_CACHE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  static Option byKey(String key) {
    for (Option option : values()) {
      if (option.key.equals(key)) {
        return option;
      }
    }
    return null;
  }
}
