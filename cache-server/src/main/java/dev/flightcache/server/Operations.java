package dev.flightcache.server;

import dev.flightcache.server.config.OpsConfig;
import dev.flightcache.server.config.ServerConfig;
import dev.flightcache.server.metrics.PemTls;
import dev.flightcache.server.flight.AccessLog;
import dev.flightcache.server.flight.CallObserver;
import dev.flightcache.server.health.GrpcHealth;
import dev.flightcache.server.health.Readiness;
import dev.flightcache.server.metrics.CacheMetrics;
import dev.flightcache.server.metrics.MetricsHttpServer;
import dev.flightcache.server.store.FileObjectStore;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator watches, wired around the Flight server: the metrics port (started before
 * recovery, so liveness answers while the index is rebuilt), readiness, the gRPC health service,
 * the access log, and one sampler thread that refreshes per-app usage and gRPC health every
 * {@code metrics-sample-interval}.
 */
final class Operations implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Operations.class);

  private final OpsConfig config;
  private final CacheMetrics metrics;
  private final GrpcHealth health = new GrpcHealth();
  private final Readiness readiness = new Readiness(check -> health.serving(check.ready()));
  private final MetricsHttpServer http;
  private final ScheduledExecutorService sampler;
  /** The readiness the sampler last saw, to log changes only; touched by the sampler thread. */
  private boolean wasReady = true;

  private Operations(OpsConfig config, SSLContext metricsTls, Clock clock) throws IOException {
    this.config = config;
    this.metrics = new CacheMetrics(clock, config.maxApps());
    try {
      this.http = MetricsHttpServer.start(
          config.metricsBindAddress(), config.metricsPort(), metrics::scrape, readiness, metricsTls);
    } catch (IOException | RuntimeException e) {
      metrics.close();
      throw new IOException("cannot listen on metrics port " + config.metricsBindAddress() + ":" + config.metricsPort() + ": " + e.getMessage(), e);
    }
    this.sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "flight-cache-sampler");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Opens the metrics port, over HTTPS with the Flight port's certificate when metrics-tls is set. */
  static Operations start(ServerConfig config, Clock clock) throws IOException {
    SSLContext metricsTls = config.ops().metricsTls() ? PemTls.serverContext(config.tlsCertFile(), config.tlsKeyFile()) : null;
    return new Operations(config.ops(), metricsTls, clock);
  }

  /** Meters every call, and logs it too when the access log is on. */
  CallObserver observer() {
    List<CallObserver> observers = new ArrayList<>(List.of(metrics.calls()));
    if (config.accessLog()) {
      observers.add(new AccessLog());
    }
    return CallObserver.all(observers);
  }

  /**
   * Adds the gRPC health service to the Flight server's own gRPC server. It is not a Flight
   * service, so Flight's middleware, and with it authentication, leaves it alone: probes need no
   * credentials.
   */
  void addHealth(NettyServerBuilder netty) {
    netty.addService(health.service());
  }

  /** The store is recovered and the Flight server is up: start reporting on them. */
  void serving(FileObjectStore store, BufferAllocator allocator, Duration recovery) {
    readiness.recovered(store.tempDir());
    metrics.bindServer(store, allocator, recovery, readiness::lastReady);
    refresh();
    long every = config.sampleInterval().toMillis();
    sampler.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
  }

  /** Shutting down: not ready, and NOT_SERVING, before calls are drained. */
  void draining() {
    sampler.shutdownNow();
    readiness.draining();
    health.draining();
  }

  int metricsPort() {
    return http.port();
  }

  private void refresh() {
    try {
      metrics.sample();
      Readiness.Check check = readiness.check();
      if (wasReady && !check.ready()) {
        logger.warn("Not ready: {}", check.reason());
      } else if (!wasReady && check.ready()) {
        logger.info("Ready again");
      }
      wasReady = check.ready();
    } catch (RuntimeException e) {
      logger.warn("Sampling metrics and readiness failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    http.close();
    metrics.close();
  }
}
