package dev.flightcache.server.config;

import java.time.Duration;

/**
 * Settings of what an operator watches: the metrics and health HTTP port, per-app usage, and the
 * access log. Built by {@link ConfigLoader} as part of {@link ServerConfig}.
 *
 * @param metricsPort HTTP port of /metrics, /healthz and /readyz; 0 picks a free one
 * @param maxApps how many apps get a label of their own; later ones are folded into "other"
 * @param sampleInterval how often per-app stored bytes are sampled and readiness is rechecked
 * @param accessLog whether every call writes one line to the {@code flight-cache.access} logger
 * @param metricsTls whether the metrics port serves HTTPS with the Flight port's certificate
 */
public record OpsConfig(
    int metricsPort, String metricsBindAddress, int maxApps, Duration sampleInterval, boolean accessLog, boolean metricsTls) {

  static final int MAX_APPS_LIMIT = 10_000;

  public OpsConfig {
    ServerConfig.require(metricsPort >= 0 && metricsPort <= 65535, Option.METRICS_PORT, "must be between 0 and 65535");
    ServerConfig.require(
        metricsBindAddress != null && !metricsBindAddress.isBlank(), Option.METRICS_BIND_ADDRESS, "must not be empty");
    ServerConfig.require(maxApps >= 1 && maxApps <= MAX_APPS_LIMIT, Option.METRICS_MAX_APPS, "must be between 1 and 10000");
    ServerConfig.require(
        sampleInterval.compareTo(Duration.ofSeconds(1)) >= 0 && sampleInterval.compareTo(Duration.ofHours(1)) <= 0,
        Option.METRICS_SAMPLE_INTERVAL, "must be between 1s and 1h");
  }

}
