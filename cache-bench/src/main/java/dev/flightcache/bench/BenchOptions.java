package dev.flightcache.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The options of one {@link Benchmark} run, validated.
 *
 * @param endpoint the server, {@code grpc://host:port}
 * @param workloads what to run, in order
 * @param sizeBytes object size (for patch: the delta size), in bytes
 * @param clients concurrent callers, one thread each
 * @param clientPerThread one CacheClient per caller instead of one shared by all
 * @param measure how long the measured phase runs
 * @param warmup how long the unmeasured warm-up before it runs
 * @param toFile whether get reads through download into a temp file rather than into memory
 * @param sharedObject whether every caller uses one object instead of one each
 * @param tempDir where upload sources and download targets go: put it on the volume under test
 * @param callTimeout the client's deadline of every call, in-memory or streamed
 * @param seed seed of the generated data
 * @param jsonOnly print only the JSON summary lines
 */
record BenchOptions(
    String endpoint,
    List<WorkloadKind> workloads,
    long sizeBytes,
    int clients,
    boolean clientPerThread,
    Bound measure,
    Bound warmup,
    boolean toFile,
    boolean sharedObject,
    Path tempDir,
    Duration callTimeout,
    long seed,
    boolean jsonOnly) {

  static final String USAGE = """
      Usage: java -jar cache-bench.jar [options]
      Drives a running flight-cache server through the Java client and reports throughput and
      latency. The last lines of the output are JSON, one object per workload.

        --endpoint URI        server to drive (default grpc://127.0.0.1:9090)
        --workload NAMES      put, get, get-not-modified, patch, upload, download, a comma-separated
                              list of them, or all (default get). "all" leaves out patch above
                              64MiB and get-not-modified above 1GiB.
        --size SIZE           object size, binary units: 1024, 1KiB, 64MiB, 4GiB (default 1KiB).
                              For patch, the size of each patch.
        --clients N           concurrent callers, one thread each (default 1)
        --client-per-thread   give each caller its own CacheClient (default: one shared client)
        --requests N          run N operations in all, shared by the callers
        --duration TIME       or run for a time: 500ms, 30s, 2m (default 10s)
        --warmup N|TIME       unmeasured operations, or time, first (default 2s; 0 for none)
        --to-file             get reads through download() into a temp file instead of memory;
                              always so for sizes above 1GiB
        --shared-object       every caller uses one object instead of one each. With one shared
                              client, concurrent gets of one key share a call (the client coalesces).
        --temp-dir DIR        upload sources and download targets (default java.io.tmpdir);
                              put it on the volume under test
        --call-timeout TIME   deadline of every call (default 5m)
        --seed N              seed of the generated data (default 42)
        --json-only           print only the JSON summary lines
        --help                print this and exit

      Workloads:
      %s
      MB/s is 10^6 bytes per second of payload. Latency is per operation, in microseconds.
      Exit status: 0 when every operation succeeded, 1 when any failed, 2 for a bad command line.
      """;

  private static final Set<String> FLAGS = Set.of("client-per-thread", "to-file", "shared-object", "json-only", "help");
  private static final Set<String> VALUES = Set.of(
      "endpoint", "workload", "size", "clients", "requests", "duration", "warmup", "temp-dir", "call-timeout", "seed");

  BenchOptions {
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("no workload to run");
    }
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("--size must be > 0");
    }
    if (workloads.contains(WorkloadKind.PATCH) && sizeBytes > WorkloadKind.IN_MEMORY_MAX_BYTES) {
      throw new IllegalArgumentException("--size of a patch must be at most 1GiB (the server's limit)");
    }
    if (workloads.contains(WorkloadKind.GET_NOT_MODIFIED) && sizeBytes > WorkloadKind.IN_MEMORY_MAX_BYTES) {
      throw new IllegalArgumentException("get-not-modified holds the object in memory: --size must be at most 1GiB");
    }
    if (measure.empty()) {
      throw new IllegalArgumentException("--requests must be > 0");
    }
    workloads = List.copyOf(workloads);
  }

  static String usage() {
    StringBuilder kinds = new StringBuilder();
    for (WorkloadKind kind : WorkloadKind.values()) {
      kinds.append(String.format("  %-18s %s%n", kind.label(), kind.description()));
    }
    return String.format(USAGE, kinds.toString().stripTrailing());
  }

  static boolean wantsHelp(String[] args) {
    return List.of(args).contains("--help") || List.of(args).contains("-h");
  }

  /** @throws UsageException naming the first option that is missing a value or invalid */
  static BenchOptions parse(String[] args) throws UsageException {
    Args a = Args.parse(args, FLAGS, VALUES);
    if (a.has("requests") && a.has("duration")) {
      throw new UsageException("give --requests or --duration, not both");
    }
    Bound measure = a.has("requests") ? a.bound("requests", null) : a.bound("duration", new Bound(0, Duration.ofSeconds(10)));
    if (a.has("requests") && measure.timed() || a.has("duration") && !measure.timed()) {
      throw new UsageException("--requests takes a count and --duration a time such as 30s");
    }
    Path tempDir = Path.of(a.value("temp-dir", System.getProperty("java.io.tmpdir")));
    if (!Files.isDirectory(tempDir)) {
      throw new UsageException("--temp-dir " + tempDir + " is not a directory");
    }
    try {
      long size = Units.parseSize(a.value("size", "1KiB"));
      return new BenchOptions(
          a.value("endpoint", "grpc://127.0.0.1:9090"),
          WorkloadKind.parseList(a.value("workload", "get"), size),
          size,
          a.positiveInt("clients", 1),
          a.flag("client-per-thread"),
          measure,
          a.bound("warmup", new Bound(0, Duration.ofSeconds(2))),
          a.flag("to-file"),
          a.flag("shared-object"),
          tempDir,
          Units.parseDuration(a.value("call-timeout", "5m")),
          Long.parseLong(a.value("seed", "42")),
          a.flag("json-only"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** Whether get of this size reads through a file. */
  boolean getViaFile() {
    return toFile || sizeBytes > WorkloadKind.IN_MEMORY_MAX_BYTES;
  }
}
