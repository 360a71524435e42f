package dev.flightcache.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load generator: {@code java -jar cache-bench.jar --workload get --size 1GiB ...} drives a
 * running server through {@link dev.flightcache.client.CacheClient} and reports throughput,
 * latency percentiles and errors per workload, then one JSON line per workload. See {@code --help}
 * and docs/benchmarks.md.
 */
public final class Benchmark {
  private static final Logger logger = LoggerFactory.getLogger(Benchmark.class);

  private Benchmark() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /**
   * Runs the workloads the arguments name, one after the other, each on its own objects in a
   * session of its own that is deleted afterwards. Prints each report (unless --json-only) and
   * then the JSON summaries, one line per workload, last. Usage errors go to standard error.
   *
   * @return 0 when every operation succeeded, 1 when any failed, 2 for a bad command line
   */
  public static int run(String[] args, PrintStream out) {
    if (BenchOptions.wantsHelp(args)) {
      out.print(BenchOptions.usage());
      return 0;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (UsageException e) {
      System.err.println("flight-cache-bench: " + e.getMessage());
      System.err.println("Run with --help to see every option.");
      return 2;
    }
    if (!options.jsonOnly()) {
      out.printf("flight-cache-bench: %s, %s, %d caller%s, measuring %s after %s of warm-up%n", options.endpoint(),
          Units.formatSize(options.sizeBytes()), options.clients(), options.clients() == 1 ? "" : "s",
          options.measure(), options.warmup().empty() ? "none" : options.warmup());
    }
    Payload payload = Payload.of(options.sizeBytes(), options.seed());
    String run = "r" + UUID.randomUUID().toString().substring(0, 8);
    List<RunResult> results = new ArrayList<>();
    for (WorkloadKind kind : options.workloads()) {
      RunResult result = runOne(kind, options, payload, "bench/" + run + "-" + kind.label());
      if (!options.jsonOnly()) {
        result.print(out);
      }
      results.add(result);
    }
    results.forEach(result -> out.println(result.json()));
    out.flush();
    boolean failed = results.stream().anyMatch(r -> r.errors() > 0 || r.measurement().warmupErrors() > 0);
    return failed ? 1 : 0;
  }

  private static RunResult runOne(WorkloadKind kind, BenchOptions options, Payload payload, String session) {
    long cacheBytes = kind == WorkloadKind.GET_NOT_MODIFIED ? NotModifiedWorkload.cacheBytes(options) : 0;
    LoadRunner.Measurement measurement = null;
    Workload.Check check = Workload.Check.PASSED;
    String via = null;
    String failure = null;
    try (Clients clients = Clients.open(options, cacheBytes)) {
      Fixture fixture = new Fixture(options, clients, payload, session);
      try (Workload workload = create(kind, fixture)) {
        via = workload.via();
        workload.prepare();
        measurement = new LoadRunner(options.clients(), options.warmup(), options.measure()).run(workload);
        check = workload.measurementEnded(measurement.ops());
      } finally {
        deleteSession(clients, session);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } catch (Exception | Error e) {
      // An Error too (a class that failed to load, a heap too small for --size): report it as
      // this workload's failure and go on with the next.
      failure = (measurement == null ? "could not run: " : "after the run: ") + e;
    }
    if (measurement == null) {
      measurement = new LoadRunner.Measurement(0, 0, 0, new Histogram(3), 0, null, 0, 0);
    }
    long errors = measurement.errors() + check.errors() + (failure == null ? 0 : 1);
    String firstError = measurement.firstError() != null ? measurement.firstError()
        : check.firstError() != null ? check.firstError() : failure;
    return new RunResult(kind.label(), options.sizeBytes(), options.clients(), options.clientPerThread(), via,
        measurement, errors, firstError, check.counters());
  }

  private static Workload create(WorkloadKind kind, Fixture fixture) {
    return switch (kind) {
      case PUT -> new PutWorkload(fixture);
      case GET -> new GetWorkload(fixture, fixture.options().getViaFile());
      case GET_NOT_MODIFIED -> new NotModifiedWorkload(fixture);
      case PATCH -> new PatchWorkload(fixture);
      case UPLOAD -> new UploadWorkload(fixture);
      case DOWNLOAD -> new GetWorkload(fixture, true);
    };
  }

  private static void deleteSession(Clients clients, String session) {
    try {
      clients.of(0).delete(session);
    } catch (RuntimeException e) {
      logger.warn("Could not delete the benchmark's objects in {}: {}", session, e.toString());
    }
  }
}
