package dev.flightcache.cli;

import dev.flightcache.client.CacheClient;
import dev.flightcache.client.CachedObject;
import dev.flightcache.client.ObjectSummary;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The commands that talk to the cache through the client library. Each prints its result to
 * standard output; failures are thrown as the client's exceptions, or IOException for local
 * files, and {@link CacheCli} turns them into messages and exit codes.
 */
final class Commands {
  private final CacheClient client;
  private final String endpoint;
  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean interactive;
  private final LongSupplier nanoTime;

  Commands(CacheClient client, String endpoint, InputStream in, PrintStream out, PrintStream err,
      boolean interactive, LongSupplier nanoTime) {
    this.client = client;
    this.endpoint = endpoint;
    this.in = in;
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.nanoTime = nanoTime;
  }

  void run(String command, List<String> args) throws IOException {
    switch (command) {
      case "put" -> put(args.get(0));
      case "get" -> get(args.get(0));
      case "patch" -> patch(args.get(0));
      case "upload" -> upload(Path.of(args.get(0)), args.get(1));
      case "download" -> download(args.get(0), Path.of(args.get(1)));
      case "delete" -> delete(args.get(0));
      case "ls" -> ls(args.isEmpty() ? "" : args.get(0));
      case "stats" -> stats();
      default -> throw new IllegalStateException("not a client command: " + command);
    }
  }

  private void put(String keyOrSession) {
    Counting counted = new Counting(in, bytes -> {});
    printRef(client.put(keyOrSession, counted), counted.count);
  }

  private void get(String key) {
    CachedObject object = client.get(ref(key));
    write(object.base());
    object.patches().forEach(patch -> write(patch.data()));
    out.flush();
  }

  private void patch(String key) throws IOException {
    byte[] delta = in.readAllBytes();
    printRef(client.patch(ref(key), delta), delta.length);
  }

  private void upload(Path file, String keyOrSession) throws IOException {
    long size = Files.size(file);
    Progress progress = new Progress(err, interactive, nanoTime, size);
    try (Counting input = new Counting(Files.newInputStream(file), progress::update)) {
      ObjectRef ref = client.put(keyOrSession, input);
      progress.done(input.count);
      printRef(ref, input.count);
    }
  }

  private void download(String key, Path file) {
    ObjectRef ref = ref(key);
    // The listing gives the size for the bar and the version for the report; a miss is left to
    // the download, which reports NOT_FOUND itself.
    ObjectSummary listed = client.list(key).stream()
        .filter(s -> s.ref().key().equals(ref.key())).findFirst().orElse(null);
    Progress progress = new Progress(err, interactive, nanoTime, listed == null ? -1 : listed.sizeBytes());
    long[] written = {0};
    client.download(ref, file, bytes -> {
      written[0] = bytes;
      progress.update(bytes);
    });
    progress.done(written[0]);
    out.println("key=" + key + (listed == null ? "" : " version=" + Long.toUnsignedString(listed.ref().version()))
        + " bytes=" + written[0] + " file=" + file);
  }

  private void delete(String path) {
    client.delete(path);
    out.println("deleted " + path);
  }

  private void ls(String prefix) {
    for (ObjectSummary object : client.list(prefix)) {
      out.printf(Locale.ROOT, "%8s %14d  %s%n", Long.toUnsignedString(object.ref().version()), object.sizeBytes(), object.ref().key());
    }
  }

  private void stats() {
    Map<String, Long> stats = client.serverStats();
    int width = stats.keySet().stream().mapToInt(String::length).max().orElse(0);
    stats.forEach((name, value) -> out.printf(Locale.ROOT, "%-" + width + "s  %d%s%n",
        name, value, name.endsWith("Bytes") ? " (" + Progress.human(value) + ")" : ""));
  }

  private ObjectRef ref(String key) {
    return new ObjectRef(endpoint, ObjectKey.parse(key), 0);
  }

  private void printRef(ObjectRef ref, long bytes) {
    out.println("key=" + ref.key() + " version=" + Long.toUnsignedString(ref.version()) + " bytes=" + bytes);
  }

  /** Copies a (read-only) buffer to standard output through a small chunk. */
  private void write(ByteBuffer bytes) {
    byte[] chunk = new byte[(int) Math.min(bytes.remaining(), 64 * 1024)];
    while (bytes.hasRemaining()) {
      int length = Math.min(chunk.length, bytes.remaining());
      bytes.get(chunk, 0, length);
      out.write(chunk, 0, length);
    }
  }

  /** Counts the bytes read through it and reports the running total. */
  private static final class Counting extends FilterInputStream {
    private final LongConsumer progress;
    long count;

    Counting(InputStream in, LongConsumer progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        progress.accept(++count);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        count += read;
        progress.accept(count);
      }
      return read;
    }
  }
}
