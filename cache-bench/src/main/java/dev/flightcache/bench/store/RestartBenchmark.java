package dev.flightcache.bench.store;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the server takes from process start to ready (listening with its index recovered,
 * as its port file marks) with many small objects stored, at growing counts:
 *
 * <ul>
 *   <li>first start: no index journal yet, so every object directory is read;
 *   <li>after a clean stop (SIGTERM): the index snapshot is loaded;
 *   <li>after SIGKILL: the snapshot and journal are loaded, and the files are checked in the
 *       background while the server serves (that check's duration is reported too).
 * </ul>
 *
 * Objects are written straight into the storage layout (a 100-byte base each), which is what the
 * server finds after it stored them. Needs {@code mvn -B -q package -DskipTests} first.
 *
 * <p>Usage: {@code RestartBenchmark <server jar> <work dir> [counts...]} (default counts 100000
 * 250000 500000 1000000). The work dir needs about 8 GiB per million objects.
 */
public final class RestartBenchmark {
  private static final java.time.Duration TIMEOUT = java.time.Duration.ofMinutes(10);

  private RestartBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: RestartBenchmark <cache-server.jar> <work dir> [object counts...]");
      System.exit(1);
    }
    List<Integer> counts = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      counts.add(Integer.parseInt(args[i]));
    }
    if (counts.isEmpty()) {
      counts = List.of(100_000, 250_000, 500_000, 1_000_000);
    }
    run(Path.of(args[0]), Path.of(args[1]), counts, System.out);
  }

  static void run(Path jar, Path work, List<Integer> counts, PrintStream out) throws Exception {
    Path storage = work.resolve("data");
    Files.createDirectories(storage);
    out.println("| objects | first start (reads every directory) | after a clean stop | after SIGKILL | background check after SIGKILL |");
    out.println("|---|---|---|---|---|");
    int written = 0;
    for (int count : counts) {
      written = writeObjects(storage, written, count);
      Files.deleteIfExists(storage.resolve("index/clean-stop"));
      deleteTree(storage.resolve("index"));
      Started scan = start(jar, work, storage, "scan-" + count);
      scan.stop();
      Started clean = start(jar, work, storage, "clean-" + count);
      clean.kill();
      Started crashed = start(jar, work, storage, "crashed-" + count);
      String check = crashed.awaitLog("after an unclean stop in (\\d+) ms");
      crashed.stop();
      out.printf(Locale.ROOT, "| %,d | %.2f s | %.2f s | %.2f s | %s |%n",
          count, scan.readySeconds, clean.readySeconds, crashed.readySeconds,
          check == null ? "?" : String.format(Locale.ROOT, "%.1f s", Long.parseLong(check) / 1000.0));
    }
  }

  /** Adds objects o{from}..o{to-1} under 1,000 sessions; returns {@code to}. */
  private static int writeObjects(Path storage, int from, int to) throws IOException {
    byte[] payload = new byte[100];
    for (int i = from; i < to; i++) {
      Path object = storage.resolve("objects/bench/s" + (i % 1000) + "/o" + i);
      Files.createDirectories(object);
      Files.write(object.resolve("1.base"), payload);
    }
    return to;
  }

  private static final class Started {
    final Process process;
    final Path log;
    final double readySeconds;

    Started(Process process, Path log, double readySeconds) {
      this.process = process;
      this.log = log;
      this.readySeconds = readySeconds;
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
    }

    /** Waits, bounded, for a log line; returns its first group. */
    String awaitLog(String pattern) throws IOException, InterruptedException {
      Pattern compiled = Pattern.compile(pattern);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT.toMillis());
      while (System.nanoTime() < deadline) {
        Matcher matcher = compiled.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (matcher.find()) {
          return matcher.group(1);
        }
        Thread.sleep(100);
      }
      return null;
    }
  }

  private static Started start(Path jar, Path work, Path storage, String name) throws IOException, InterruptedException {
    Path portFile = work.resolve(name + ".port");
    Path log = work.resolve(name + ".log");
    Files.deleteIfExists(portFile);
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-jar", jar.toString(),
        "--port", "0", "--storage-dir", storage.toString(), "--port-file", portFile.toString(),
        "--budget-bytes", "100%", "--min-free-bytes", "0");
    long started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(TIMEOUT.toMillis());
    while (!Files.exists(portFile)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("server did not get ready; see " + log);
      }
      Thread.sleep(10);
    }
    return new Started(process, log, (System.nanoTime() - started) / 1e9);
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
