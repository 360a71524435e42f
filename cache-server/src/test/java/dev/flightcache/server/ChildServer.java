package dev.flightcache.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.Location;

/**
 * A cache server in its own JVM, started from this test's class path, so a test can SIGKILL or
 * SIGTERM it and run it with a heap of its own. Its stdout and stderr go to a log file in the work
 * directory. Closing it kills the process if it is still running.
 */
final class ChildServer implements AutoCloseable {
  static final String ARROW_OPENS = "--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger STARTS = new AtomicInteger();

  private final Process process;
  private final Path log;
  private final int port;

  private ChildServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** How to start one: JVM memory and extra server flags. */
  static final class Builder {
    private final Path storageDir;
    private final Path workDir;
    private String maxHeap = "256m";
    private String maxDirect = "256m";
    private final List<String> jvmFlags = new ArrayList<>();
    private final List<String> serverArgs = new ArrayList<>();

    private Builder(Path storageDir, Path workDir) {
      this.storageDir = storageDir;
      this.workDir = workDir;
    }

    /** -Xmx, such as "128m". */
    Builder maxHeap(String size) {
      this.maxHeap = size;
      return this;
    }

    /** -XX:MaxDirectMemorySize, such as "192m". */
    Builder maxDirectMemory(String size) {
      this.maxDirect = size;
      return this;
    }

    Builder jvmFlag(String flag) {
      jvmFlags.add(flag);
      return this;
    }

    /** Server flags such as "--drain-timeout", "20s". */
    Builder args(String... args) {
      serverArgs.addAll(List.of(args));
      return this;
    }

    /** Starts the process and waits, bounded, until it has written its port file. */
    ChildServer start() throws IOException, InterruptedException {
      int n = STARTS.incrementAndGet();
      Files.createDirectories(workDir);
      Path portFile = workDir.resolve("port-" + n);
      Path log = workDir.resolve("server-" + n + ".log");
      Files.deleteIfExists(portFile);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add(ARROW_OPENS);
      command.add("-Xmx" + maxHeap);
      command.add("-XX:MaxDirectMemorySize=" + maxDirect);
      command.addAll(jvmFlags);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Main.class.getName());
      command.addAll(List.of(
          "--port", "0",
          "--metrics-port", "0",
          "--storage-dir", storageDir.toString(),
          "--port-file", portFile.toString()));
      command.addAll(serverArgs);
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().keySet().removeIf(name -> name.startsWith("FLIGHT_CACHE_"));
      Process process = builder.start();
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        Integer port = readPort(portFile);
        if (port != null) {
          return new ChildServer(process, log, port);
        }
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "server exited with " + process.exitValue() + " before listening; log:\n" + Files.readString(log));
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new IllegalStateException("server did not listen within " + START_TIMEOUT + "; log:\n" + Files.readString(log));
        }
        Thread.sleep(20);
      }
    }

    private static Integer readPort(Path portFile) throws IOException {
      try {
        String text = Files.readString(portFile, StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? null : Integer.valueOf(text);
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }

  static Builder builder(Path storageDir, Path workDir) {
    return new Builder(storageDir, workDir);
  }

  /** Starts one with the default memory and no extra flags. */
  static ChildServer start(Path storageDir, Path workDir, String... args) throws IOException, InterruptedException {
    return builder(storageDir, workDir).args(args).start();
  }

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", port);
  }

  int port() {
    return port;
  }

  Process process() {
    return process;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path logFile() {
    return log;
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** SIGKILL on Linux; waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server did not die after SIGKILL");
    }
  }

  /**
   * SIGTERM on Linux, then waits for the exit.
   *
   * @return the exit code
   * @throws IllegalStateException if it has not exited within {@code timeout}
   */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("server did not exit within " + timeout + " of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
