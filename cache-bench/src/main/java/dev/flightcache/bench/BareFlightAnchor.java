package dev.flightcache.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The anchor of the "not modified" target: a bare Flight do_get whose producer does nothing but
 * answer a 3-column schema with no batches, the shape of our "not modified" answer, measured by
 * the same load loop as {@link Benchmark}. {@code --serve} runs only the producer (so that, like
 * our server, it has a JVM of its own); {@code --endpoint} runs only the callers; with neither,
 * both run in this JVM.
 */
public final class BareFlightAnchor {
  /** The columns of our do_get answers: version uint64, kind utf8, data binary. */
  static final Schema SCHEMA = new Schema(List.of(
      new Field("version", FieldType.notNullable(new ArrowType.Int(64, false)), null),
      new Field("kind", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
      new Field("data", FieldType.notNullable(ArrowType.Binary.INSTANCE), null)));

  private static final byte[] TICKET = "bench/anchor/o:1".getBytes(StandardCharsets.UTF_8);

  static final String USAGE = """
      Usage: java -cp cache-bench.jar dev.flightcache.bench.BareFlightAnchor [options]
      A Flight producer that answers every do_get with a 3-column schema and no batches, and
      callers that measure do_get against it. The last line of the output is JSON.

        --serve               run only the producer, on 127.0.0.1, until stopped (SIGTERM)
        --port N              its port (default 0: a free one)
        --port-file FILE      write the bound port there once listening
        --endpoint URI        run only the callers, against grpc://host:port
                              (with neither --serve nor --endpoint, both run in this JVM)
        --clients N           concurrent callers, one thread each (default 1)
        --client-per-thread   give each caller its own FlightClient (default: one shared client)
        --requests N          run N do_gets in all, shared by the callers
        --duration TIME       or run for a time (default 10s)
        --warmup N|TIME       unmeasured do_gets, or time, first (default 2s; 0 for none)
        --json-only           print only the JSON summary line
        --help                print this and exit
      """;

  private static final Set<String> FLAGS = Set.of("serve", "client-per-thread", "json-only", "help");
  private static final Set<String> VALUES =
      Set.of("port", "port-file", "endpoint", "clients", "requests", "duration", "warmup");

  private BareFlightAnchor() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  /** @return 0 when every do_get succeeded, 1 when any failed, 2 for a bad command line */
  public static int run(String[] args, PrintStream out) throws Exception {
    if (BenchOptions.wantsHelp(args)) {
      out.print(USAGE);
      return 0;
    }
    Args a;
    Bound measure;
    Bound warmup;
    int clients;
    int port;
    try {
      a = Args.parse(args, FLAGS, VALUES);
      if (a.has("requests") && a.has("duration")) {
        throw new UsageException("give --requests or --duration, not both");
      }
      measure = a.has("requests") ? a.bound("requests", null) : a.bound("duration", new Bound(0, Duration.ofSeconds(10)));
      if (measure.empty()) {
        throw new UsageException("--requests must be > 0");
      }
      warmup = a.bound("warmup", new Bound(0, Duration.ofSeconds(2)));
      clients = a.positiveInt("clients", 1);
      port = Integer.parseInt(a.value("port", "0"));
    } catch (UsageException | NumberFormatException e) {
      System.err.println("bare-flight-anchor: " + e.getMessage());
      return 2;
    }
    if (a.flag("serve")) {
      serve(port, a.has("port-file") ? Path.of(a.value("port-file", null)) : null, out);
      return 0;
    }
    try (BufferAllocator allocator = new RootAllocator()) {
      FlightServer server = null;
      URI endpoint;
      if (a.has("endpoint")) {
        endpoint = URI.create(a.value("endpoint", null));
      } else {
        server = start(allocator, 0);
        endpoint = URI.create("grpc://127.0.0.1:" + server.getPort());
      }
      try (EmptyGets gets = new EmptyGets(allocator, endpoint, a.flag("client-per-thread") ? clients : 1)) {
        LoadRunner.Measurement m = new LoadRunner(clients, warmup, measure).run(gets);
        RunResult result = new RunResult("bare-flight-do-get", 0, clients, a.flag("client-per-thread"), null,
            m, m.errors(), m.firstError(), Map.of());
        return result.printAnchor(out, a.flag("json-only"), "bare-flight-anchor: " + endpoint + ", measuring " + measure
            + " after " + (warmup.empty() ? "none" : warmup) + " of warm-up");
      } finally {
        if (server != null) {
          server.shutdown();
          server.awaitTermination(5, TimeUnit.SECONDS);
          server.close();
        }
      }
    }
  }

  private static void serve(int port, Path portFile, PrintStream out) throws Exception {
    BufferAllocator allocator = new RootAllocator();
    FlightServer server = start(allocator, port);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
        allocator.close();
      } catch (Exception e) {
        System.err.println("bare-flight-anchor: shutdown failed: " + e);
      }
    }, "anchor-shutdown"));
    writePortFile(portFile, server.getPort());
    out.println("bare-flight-anchor: listening on 127.0.0.1:" + server.getPort());
    out.flush();
    server.awaitTermination();
  }

  /** Writes the bound port to {@code portFile} (if given) in one atomic step, for scripts that wait for it. */
  static void writePortFile(Path portFile, int port) throws IOException {
    if (portFile != null) {
      Path temp = Files.createTempFile(portFile.toAbsolutePath().getParent(), ".port", ".tmp");
      Files.writeString(temp, Integer.toString(port));
      Files.move(temp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static FlightServer start(BufferAllocator allocator, int port) throws IOException {
    return FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port), new EmptyStreamProducer(allocator))
        .build()
        .start();
  }

  /** Answers every do_get with the schema and no batches; everything else is Flight's default. */
  static final class EmptyStreamProducer extends NoOpFlightProducer {
    private final BufferAllocator allocator;

    EmptyStreamProducer(BufferAllocator allocator) {
      this.allocator = allocator;
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
        listener.start(root);
        listener.completed();
      }
    }
  }

  /** One do_get per operation, read to its end. */
  private static final class EmptyGets implements Workload {
    private final FlightClient[] clients;

    EmptyGets(BufferAllocator allocator, URI endpoint, int count) {
      clients = new FlightClient[count];
      for (int i = 0; i < count; i++) {
        clients[i] = FlightClient.builder(allocator, Location.forGrpcInsecure(endpoint.getHost(), endpoint.getPort())).build();
      }
    }

    @Override
    public void prepare() {}

    @Override
    public long operate(int caller) throws Exception {
      FlightClient client = clients[clients.length == 1 ? 0 : caller];
      try (FlightStream stream = client.getStream(new Ticket(TICKET), CallOptions.timeout(30, TimeUnit.SECONDS))) {
        if (stream.getSchema().getFields().size() != SCHEMA.getFields().size()) {
          throw new IllegalStateException("the anchor answered another schema: " + stream.getSchema());
        }
        while (stream.next()) {
          throw new IllegalStateException("the anchor sent a batch");
        }
      }
      return 0;
    }

    @Override
    public void close() throws InterruptedException {
      for (FlightClient client : clients) {
        client.close();
      }
    }
  }
}
