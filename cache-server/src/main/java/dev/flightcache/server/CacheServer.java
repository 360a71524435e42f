package dev.flightcache.server;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.server.config.ServerConfig;
import dev.flightcache.server.eviction.BudgetSettings;
import dev.flightcache.server.flight.CacheProducer;
import dev.flightcache.server.flight.InlineGets;
import dev.flightcache.server.flight.PutService;
import dev.flightcache.server.quota.AppQuotas;
import dev.flightcache.server.quota.QuotaFileWatcher;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.StoreLimits;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cache server: the store, the Flight service, the metrics port and their threads and
 * memory. {@link #close()} drains in-flight calls for up to the configured drain timeout, then
 * stops. Thread-safe.
 */
public final class CacheServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CacheServer.class);

  private final ServerConfig config;
  private final BufferAllocator allocator;
  private final ExecutorService executor;
  private final ScheduledExecutorService evictor;
  /** Rereads the quotas file; null when there is none. */
  private final ScheduledExecutorService quotaPoller;
  private final FlightServer server;
  private final String endpoint;
  private final FileObjectStore store;
  private final Operations operations;
  private final Security security;
  private boolean closed;

  private CacheServer(
      ServerConfig config, BufferAllocator allocator, ExecutorService executor, ScheduledExecutorService evictor,
      ScheduledExecutorService quotaPoller, FlightServer server, String endpoint, FileObjectStore store, Operations operations,
      Security security) {
    this.config = config;
    this.allocator = allocator;
    this.executor = executor;
    this.evictor = evictor;
    this.quotaPoller = quotaPoller;
    this.server = server;
    this.endpoint = endpoint;
    this.store = store;
    this.operations = operations;
    this.security = security;
  }

  /**
   * Opens the metrics port, listens on the Flight port (calls answer UNAVAILABLE meanwhile),
   * recovers the store, then serves.
   */
  public static CacheServer start(ServerConfig config) throws IOException {
    return start(config, Clock.SYSTEM);
  }

  /**
   * As {@link #start(ServerConfig)}, measuring call latencies, recovery and byte-seconds with
   * {@code clock} (tests pass a fake one).
   */
  public static CacheServer start(ServerConfig config, Clock clock) throws IOException {
    Security security = Security.open(config);
    Operations operations;
    try {
      operations = Operations.start(config, clock);
    } catch (IOException | RuntimeException e) {
      security.close();
      throw e;
    }
    try {
      return start(config, clock, operations, security);
    } catch (IOException | RuntimeException e) {
      operations.close();
      security.close();
      throw e;
    }
  }

  private static CacheServer start(ServerConfig config, Clock clock, Operations operations, Security security)
      throws IOException {
    AppQuotas quotas = new AppQuotas();
    ScheduledExecutorService quotaPoller = null;
    if (config.appQuotasFile() != null) {
      quotaPoller = daemonScheduler("flight-cache-quotas");
      try {
        QuotaFileWatcher.start(config.appQuotasFile(), quotas, quotaPoller, QuotaFileWatcher.POLL_INTERVAL);
      } catch (RuntimeException e) {
        quotaPoller.shutdownNow();
        throw e;
      }
    }
    try {
      return start(config, clock, operations, security, quotas, quotaPoller);
    } catch (IOException | RuntimeException e) {
      if (quotaPoller != null) {
        quotaPoller.shutdownNow();
      }
      throw e;
    }
  }

  private static CacheServer start(
      ServerConfig config, Clock clock, Operations operations, Security security, AppQuotas quotas,
      ScheduledExecutorService quotaPoller) throws IOException {
    Files.createDirectories(config.storageDir());
    FileStore volume = Files.getFileStore(config.storageDir());
    BudgetSettings budget = config.budgetSettings(volume.getTotalSpace(), volume.getBlockSize());
    ScheduledExecutorService evictor = daemonScheduler("flight-cache-evictor");
    BufferAllocator allocator = new RootAllocator();
    ExecutorService executor = callExecutor(config.callThreads());
    StartingProducer gate = new StartingProducer();
    PutService puts = new PutService(config.maxMessageBytes());
    FlightServer server = null;
    try {
      server = listen(config, allocator, executor, gate, puts, operations, security, clock);
      String endpoint = advertisedEndpoint(config, server.getPort());
      logger.info("flight-cache listening on {}:{}, advertising {}; calls answer UNAVAILABLE until the index is recovered",
          config.bindAddress(), server.getPort(), endpoint);
      long recoveryStarted = clock.monotonicTime();
      FileObjectStore store = FileObjectStore.open(
          config.storageDir(), new StoreLimits(config.maxObjectBytes(), config.maxPatchBytes(), config.maxPatches()),
          budget, () -> usableSpace(volume), Ticker.systemTicker(), evictor, quotas);
      Duration recovery = Duration.ofNanos(clock.monotonicTime() - recoveryStarted);
      if (budget.idleTtl() != null) {
        long periodMillis = Math.max(1_000, Math.min(10_000, budget.idleTtl().toMillis() / 4));
        evictor.scheduleWithFixedDelay(store.policy()::cleanUp, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
      }
      CacheProducer producer = new CacheProducer(
          store, allocator, endpoint, config.chunkBytes(), config.singleRowMaxBytes(), executor, security.authenticator());
      puts.ready(producer);
      gate.ready(producer);
      operations.serving(store, allocator, recovery);
      if (config.portFile() != null) {
        writePortFile(config.portFile(), server.getPort());
      }
      logger.info(
          "flight-cache ready: {} objects, {} bytes stored of a {} byte budget (evicting from {} down to {} of it), "
              + "hard limit {} bytes, keeping {} bytes free; metrics on {}:{}; settings {}",
          store.objectCount(), store.budget().storedBytes(), budget.budgetBytes(), budget.highWatermark(),
          budget.lowWatermark(), budget.hardLimitBytes(), budget.minFreeBytes(),
          config.ops().metricsBindAddress(), operations.metricsPort(), config.summary());
      return new CacheServer(config, allocator, executor, evictor, quotaPoller, server, endpoint, store, operations, security);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        try {
          server.close();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      executor.shutdownNow();
      evictor.shutdownNow();
      allocator.close();
      throw e;
    }
  }

  /** Binds the Flight port; until {@code gate} is ready, every call answers UNAVAILABLE. */
  private static FlightServer listen(
      ServerConfig config, BufferAllocator allocator, ExecutorService executor, StartingProducer gate, PutService puts,
      Operations operations, Security security, Clock clock) throws IOException {
    Location location = config.tls()
        ? Location.forGrpcTls(config.bindAddress(), config.port())
        : Location.forGrpcInsecure(config.bindAddress(), config.port());
    FlightServer.Builder builder =
        FlightServer.builder(allocator, location, gate)
            .executor(executor)
            .maxInboundMessageSize((int) config.maxMessageBytes());
    if (config.tls()) {
      builder.useTls(config.tlsCertFile().toFile(), config.tlsKeyFile().toFile());
      if (config.auth().clientCaFile() != null) {
        builder.useMTlsClientVerification(config.auth().clientCaFile().toFile());
      }
    }
    CacheProducer.install(builder, operations.observer(), clock::monotonicTime);
    security.install(builder);
    // Arrow's one hook into its gRPC server builder: health checks (open to all), do_put served
    // by us instead of Arrow's FlightStream, do_get on the event loop, the client certificate
    // check, and keepalive pings that close connections whose client vanished.
    Consumer<NettyServerBuilder> netty = nettyBuilder -> {
      puts.install(nettyBuilder, gate, allocator, executor);
      operations.addHealth(nettyBuilder);
      InlineGets.configure(nettyBuilder);
      security.configure(nettyBuilder);
      KeepAlive.configure(nettyBuilder, config);
    };
    builder.transportHint("grpc.builderConsumer", netty);
    return builder.build().start();
  }

  private static long usableSpace(FileStore volume) {
    try {
      return volume.getUsableSpace();
    } catch (IOException e) {
      // Unknown free space must not block writes forever; the hard limit still holds.
      logger.warn("Cannot read the storage volume's free space: {}", e.toString());
      return Long.MAX_VALUE;
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.getPort();
  }

  /** The port of /metrics, /healthz and /readyz. */
  public int metricsPort() {
    return operations.metricsPort();
  }

  /** The endpoint written into refs. */
  public String endpoint() {
    return endpoint;
  }

  /** The store, for in-process tests and tools. */
  public FileObjectStore store() {
    return store;
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops accepting calls, lets in-flight calls finish for up to the drain timeout, then cancels
   * the rest and releases all memory. Idempotent.
   *
   * @throws IllegalStateException if Arrow memory leaked, which tests treat as a failure
   */
  @Override
  public synchronized void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    long started = System.nanoTime();
    operations.draining();
    server.shutdown();
    boolean drained = server.awaitTermination(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (!drained) {
      logger.warn("In-flight calls did not finish within {}; cancelling them", config.drainTimeout());
    }
    server.close();
    executor.shutdown();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    try {
      store.close();
    } catch (IOException e) {
      logger.error("Could not snapshot the index at shutdown; the next start repairs from the journal: {}", e.toString());
    }
    evictor.shutdown();
    evictor.awaitTermination(5, TimeUnit.SECONDS);
    if (quotaPoller != null) {
      quotaPoller.shutdownNow();
    }
    operations.close();
    security.close();
    allocator.close();
    logger.info("flight-cache stopped after draining for {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
  }

  private static ExecutorService callExecutor(int threads) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = runnable -> {
      Thread thread = new Thread(runnable, "flight-call-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    return new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
  }

  static String advertisedEndpoint(ServerConfig config, int port) throws IOException {
    if (config.advertiseEndpoint() != null && !config.advertiseEndpoint().isEmpty()) {
      return config.advertiseEndpoint();
    }
    InetAddress bound = new InetSocketAddress(config.bindAddress(), port).getAddress();
    if (bound == null) {
      throw new IOException("cannot resolve bind address " + config.bindAddress());
    }
    if (bound.isAnyLocalAddress()) {
      bound = InetAddress.getLocalHost();
      logger.warn("Listening on every interface; advertising {} (set advertise-endpoint to choose)", bound.getHostAddress());
    }
    String host = bound.getHostAddress();
    String scheme = config.tls() ? "grpc+tls://" : "grpc://";
    return scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static void writePortFile(Path file, int port) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, port + "\n", StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
