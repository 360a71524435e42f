package dev.flightcache.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The ceiling Flight Java itself sets for the 1 GiB get and put rows: one file moved by a bare
 * Flight producer and client written with the patterns of the reference note (see {@link
 * BulkProducer} and {@link BulkCalls}), measured by the same load loop as {@link Benchmark}. It
 * has no store, no keys, no versions and no checks but a checksum of every byte, so the gap between
 * it and our rows is what our server and client add, and the gap between it and iperf3 or dd is
 * Flight's.
 */
public final class BareFlightBulk {
  static final String USAGE = """
      Usage: java -cp cache-bench.jar dev.flightcache.bench.BareFlightBulk --file FILE [options]
      A bare Flight producer that sends FILE on every do_get (one-row batches sliced from its
      memory map, zero-copy, sent on gRPC's ready signal) and checksums every byte of every do_put,
      and a caller that measures one get or put at a time against it, checksumming every byte. The
      last line of the output is JSON.

        --file FILE           the file every do_get sends and every do_put uploads (both sides)
        --serve               run only the producer, on 127.0.0.1, until stopped (SIGTERM)
        --port N              its port (default 0: a free one)
        --port-file FILE      write the bound port there once listening
        --endpoint URI        run only the caller, against grpc://host:port
                              (with neither --serve nor --endpoint, both run in this JVM)
        --workload get|put    what the caller does (default get)
        --chunk SIZE          bytes per batch (default 256KiB for get, 1MiB for put)
        --requests N          measured operations (default 5)
        --warmup N            unmeasured operations first (default 3; 0 for none)
        --json-only           print only the JSON summary line
        --help                print this and exit
      """;

  private static final Set<String> FLAGS = Set.of("serve", "json-only", "help");
  private static final Set<String> VALUES =
      Set.of("file", "port", "port-file", "endpoint", "workload", "chunk", "requests", "warmup");

  private BareFlightBulk() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  /** @return 0 when every operation moved the file's bytes, 1 when any failed, 2 for a bad command line */
  public static int run(String[] args, PrintStream out) throws Exception {
    if (BenchOptions.wantsHelp(args)) {
      out.print(USAGE);
      return 0;
    }
    Args a;
    Path file;
    boolean put;
    int chunk;
    Bound measure;
    Bound warmup;
    int port;
    try {
      a = Args.parse(args, FLAGS, VALUES);
      if (!a.has("file")) {
        throw new UsageException("--file is required");
      }
      file = Path.of(a.value("file", null));
      String workload = a.value("workload", "get");
      if (!workload.equals("get") && !workload.equals("put")) {
        throw new UsageException("--workload must be get or put, not '" + workload + "'");
      }
      put = workload.equals("put");
      chunk = chunkBytes(a.value("chunk", put ? "1MiB" : "256KiB"));
      measure = a.bound("requests", new Bound(5, null));
      warmup = a.bound("warmup", new Bound(3, null));
      if (measure.timed() || warmup.timed() || measure.empty()) {
        throw new UsageException("--requests and --warmup are counts, and --requests must be > 0");
      }
      port = Integer.parseInt(a.value("port", "0"));
    } catch (UsageException | IllegalArgumentException e) {
      System.err.println("bare-flight-bulk: " + e.getMessage());
      return 2;
    }
    try (BufferAllocator allocator = new RootAllocator();
        MappedFile mapped = new MappedFile(allocator, file, chunk)) {
      if (a.flag("serve")) {
        serve(allocator, mapped, port, a.has("port-file") ? Path.of(a.value("port-file", null)) : null, out);
        return 0;
      }
      FlightServer server = null;
      URI endpoint;
      if (a.has("endpoint")) {
        endpoint = URI.create(a.value("endpoint", null));
      } else {
        server = start(allocator, mapped, 0);
        endpoint = URI.create("grpc://127.0.0.1:" + server.getPort());
      }
      FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure(endpoint.getHost(), endpoint.getPort())).build();
      try (BulkCalls calls = new BulkCalls(allocator, client, mapped, put)) {
        LoadRunner.Measurement m = new LoadRunner(1, warmup, measure).run(calls);
        RunResult result = new RunResult(put ? "bare-flight-put" : "bare-flight-get", mapped.sizeBytes(), 1, false,
            null, m, m.errors(), m.firstError(), Map.of("chunk", (long) chunk));
        return result.printAnchor(out, a.flag("json-only"),
            "bare-flight-bulk: " + endpoint + ", " + file + ", " + measure + " after " + warmup + " of warm-up");
      } finally {
        if (server != null) {
          server.shutdown();
          server.awaitTermination(5, TimeUnit.SECONDS);
          server.close();
        }
      }
    }
  }

  private static int chunkBytes(String text) throws UsageException {
    long bytes;
    try {
      bytes = Units.parseSize(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--chunk: " + e.getMessage());
    }
    if (bytes <= 0 || bytes > MappedFile.MAX_CHUNK_BYTES) {
      throw new UsageException("--chunk must be 1 byte to 8MiB, not " + text);
    }
    return (int) bytes;
  }

  private static void serve(BufferAllocator allocator, MappedFile file, int port, Path portFile, PrintStream out)
      throws Exception {
    FlightServer server = start(allocator, file, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "bulk-shutdown"));
    BareFlightAnchor.writePortFile(portFile, server.getPort());
    out.println("bare-flight-bulk: serving " + file.sizeBytes() + " bytes on 127.0.0.1:" + server.getPort());
    out.flush();
    server.awaitTermination();
    server.close();
  }

  static FlightServer start(BufferAllocator allocator, MappedFile file, int port) throws IOException {
    return FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port), new BulkProducer(allocator, file))
        .build()
        .start();
  }
}
