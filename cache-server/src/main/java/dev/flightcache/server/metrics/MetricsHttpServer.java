package dev.flightcache.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.flightcache.server.health.Readiness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics port, an HTTP/1.1 server of its own off the Flight port (the JDK's), serving:
 *
 * <ul>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format;
 *   <li>{@code GET /healthz}: 200 while the process runs (liveness), also during recovery;
 *   <li>{@code GET /readyz}: 200 once the index is recovered and the storage is writable, else 503
 *       with the reason (readiness).
 * </ul>
 *
 * One thread answers, so a slow scraper never takes threads from calls.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(MetricsHttpServer.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts serving.
   *
   * @param port 0 picks a free one; see {@link #port()}
   * @param scrape renders the metrics
   * @param tls serves HTTPS with this context; null for plain HTTP
   * @throws IOException if the address cannot be bound
   */
  public static MetricsHttpServer start(
      String bindAddress, int port, Supplier<String> scrape, Readiness readiness, SSLContext tls) throws IOException {
    HttpServer server;
    if (tls == null) {
      server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
    } else {
      HttpsServer https = HttpsServer.create(new InetSocketAddress(bindAddress, port), 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "flight-cache-metrics-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> answer(exchange, () -> new Reply(200, PROMETHEUS_TEXT, scrape.get())));
    server.createContext("/healthz", exchange -> answer(exchange, () -> new Reply(200, "text/plain", "ok\n")));
    server.createContext("/readyz", exchange -> answer(exchange, () -> {
      Readiness.Check check = readiness.check();
      return new Reply(check.ready() ? 200 : 503, "text/plain", check.reason() + "\n");
    }));
    server.start();
    return new MetricsHttpServer(server, executor);
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private record Reply(int status, String contentType, String body) {}

  private static void answer(HttpExchange exchange, Supplier<Reply> handler) throws IOException {
    try (exchange) {
      Reply reply;
      if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
        reply = new Reply(404, "text/plain", "not found\n");
      } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        reply = new Reply(405, "text/plain", "only GET\n");
      } else {
        try {
          reply = handler.get();
        } catch (RuntimeException e) {
          logger.warn("Answering {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
          reply = new Reply(500, "text/plain", "internal error\n");
        }
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }
}
