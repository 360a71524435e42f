package dev.flightcache.client;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The flight-cache client. Build one per JVM with {@link #builder()} and share it: it is
 * immutable and thread-safe, pools one connection per server endpoint, and keeps a caller-side
 * cache that makes a get of an unchanged object cost one round trip and no payload bytes.
 *
 * <p>Calls on a ref ({@link #get}, {@link #update}, {@link #patch}, {@link #download(ObjectRef,
 * Path)}) go to {@code ref.endpoint()}, the server that holds the object; {@link #put}, {@link
 * #upload} and {@link #delete} go to the configured endpoint. Every call has a deadline; reads
 * and deletes are retried on UNAVAILABLE by the retry policy, writes never.
 *
 * <p>Failures are unchecked {@link CacheException}s: {@link ObjectNotFoundException}, {@link
 * InvalidKeyException}, {@link InvalidRequestException}, {@link UnauthenticatedException}, {@link
 * PermissionDeniedException}, {@link CacheUnavailableException}, {@link CacheServerException}.
 * Arguments are never null. No message, {@code toString} or log line holds the bearer token.
 */
public final class CacheClient implements AutoCloseable {
  private final Endpoint endpoint;
  /** Every Flight, gRPC and Netty type stays behind it. */
  private final Wire wire;
  private final ObjectCache cache;
  private final Duration callTimeout;
  private final Duration transferTimeout;
  private final RetryPolicy retryPolicy;
  private final String description;

  private CacheClient(Builder builder, Security security) {
    this.endpoint = builder.endpoint;
    this.wire = new FlightWire(security, builder.connectTimeout);
    this.cache = new ObjectCache(builder.cacheMaxBytes);
    this.description = "CacheClient{endpoint=" + endpoint.canonical() + ", " + builder.securityDescription() + "}";
    this.callTimeout = builder.callTimeout;
    this.transferTimeout = builder.transferTimeout;
    this.retryPolicy = builder.retryPolicy;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Stores bytes under a session path ({@code app/session}, which gets a new UUID object id) or a
   * full key (created or replaced).
   *
   * @return the ref of the stored version
   */
  public ObjectRef put(String prefixOrKey, byte[] bytes) {
    return put(prefixOrKey, ByteBuffer.wrap(bytes));
  }

  /** As {@link #put(String, byte[])}, reading the buffer's remaining bytes without moving it. */
  public ObjectRef put(String prefixOrKey, ByteBuffer bytes) {
    String path = putPath(prefixOrKey);
    return write("put " + prefixOrKey, () -> wire.put(endpoint, path, UploadSource.of(bytes), callTimeout));
  }

  /**
   * As {@link #put(String, byte[])}, streaming the input to its end in 1 MiB rows; never holds
   * it whole. The stream is not closed.
   *
   * @throws UncheckedIOException if reading the input fails; nothing is stored then
   */
  public ObjectRef put(String prefixOrKey, InputStream input) {
    String path = putPath(prefixOrKey);
    return write("put " + prefixOrKey, () -> wire.put(endpoint, path, UploadSource.of(input), transferTimeout));
  }

  /** Replaces the object of {@code ref} with new bytes, at its endpoint; returns the new ref. */
  public ObjectRef update(ObjectRef ref, byte[] bytes) {
    Endpoint target = endpointOf(ref);
    ObjectRef updated = write("update " + ref.key(),
        () -> wire.put(target, ref.key().toString(), UploadSource.of(ByteBuffer.wrap(bytes)), callTimeout));
    cache.invalidate(endpointOf(ref).canonical(), ref.key());
    return updated;
  }

  /** Appends a patch to the object of {@code ref}; returns the new ref. */
  public ObjectRef patch(ObjectRef ref, byte[] delta) {
    Endpoint target = endpointOf(ref);
    ObjectRef patched =
        write("patch " + ref.key(), () -> wire.patch(target, ref.key(), UploadSource.of(ByteBuffer.wrap(delta)), callTimeout));
    cache.invalidate(endpointOf(ref).canonical(), ref.key());
    return patched;
  }

  /**
   * The current version of the object: its base and the patches after it. Served from the
   * caller-side cache whenever the server confirms it is current; a ref with version 0 bypasses
   * the cache and fetches the whole object.
   */
  public CachedObject get(ObjectRef ref) {
    Endpoint target = endpointOf(ref);
    return cache.get(ref, target.canonical(), fetcher(ref, target));
  }

  /**
   * The current version decoded by {@code decoder}. The value is memoized per decoder and version:
   * a later get of the same version with the same decoder returns the same value without
   * decoding again, and another decoder gets its own value.
   */
  public <T> T get(ObjectRef ref, ObjectDecoder<T> decoder) {
    Endpoint target = endpointOf(ref);
    return cache.get(ref, target.canonical(), fetcher(ref, target), decoder);
  }

  /**
   * A do_get of the ref's key at the version the cache holds, or a place in a GET_MANY when other
   * gets to the endpoint are in flight (see {@link GetBatcher});
   * retried as reads are.
   */
  private ObjectCache.Fetcher fetcher(ObjectRef ref, Endpoint target) {
    return held -> read("get " + ref.key(), () -> wire.get(target, ref.key(), held, callTimeout));
  }

  /** Removes one object ({@code app/session/object}), a session ({@code app/session}) or an app ({@code app/*}). */
  public void delete(String path) {
    KeyPath keyPath = parsePath(path);
    read("delete " + path, () -> {
      wire.delete(endpoint, keyPath, callTimeout);
      return null;
    });
    cache.invalidate(keyPath);
  }

  /** Streams a file of any size to a key or a session path; never holds it in memory. */
  public ObjectRef upload(String keyOrPrefix, Path file) {
    try (InputStream input = Files.newInputStream(file)) {
      String path = putPath(keyOrPrefix);
      return write("upload " + file.getFileName(), () -> wire.put(endpoint, path, UploadSource.of(input), transferTimeout));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Streams an object without patches into {@code destination}, through a temp file beside it
   * that is synced and renamed; never holds the object in memory and never leaves a partial file.
   *
   * @throws InvalidRequestException if the object has patches or is an Arrow table
   */
  public void download(ObjectRef ref, Path destination) {
    download(endpointOf(ref), ref.key(), destination, written -> {});
  }

  /**
   * As {@link #download(ObjectRef, Path)}, telling {@code progress} the bytes written so far after
   * each row, on the calling thread. A retried download starts again from 0.
   */
  public void download(ObjectRef ref, Path destination, LongConsumer progress) {
    download(endpointOf(ref), ref.key(), destination, progress);
  }

  /** As {@link #download(ObjectRef, Path)}, for a URL {@code grpc://host:port/app/session/object} (or {@code grpcs://}). */
  public void download(URI url, Path destination) {
    Endpoint target;
    ObjectKey key;
    try {
      target = Endpoint.of(url);
      key = ObjectKey.parse(url.getPath() == null || url.getPath().isEmpty() ? "" : url.getPath().substring(1));
    } catch (IllegalArgumentException e) {
      throw new InvalidKeyException("not an object URL: " + url + ": " + e.getMessage(), e);
    }
    download(target, key, destination, written -> {});
  }

  private void download(Endpoint target, ObjectKey key, Path destination, LongConsumer progress) {
    read("download " + key, () -> {
      try {
        return wire.download(target, key, destination, progress, transferTimeout);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + destination, e);
      }
    });
  }

  /**
   * Stores the table's current contents as a native Arrow table (flame's {@code arrow-table-v1}),
   * readable as a table by flame's Python client too. The root is not modified or closed.
   */
  public ObjectRef putTable(String prefixOrKey, VectorSchemaRoot table) {
    Map<String, String> metadata = new HashMap<>();
    if (table.getSchema().getCustomMetadata() != null) {
      metadata.putAll(table.getSchema().getCustomMetadata());
    }
    metadata.put(Protocol.FORMAT_KEY, Protocol.FORMAT_ARROW_TABLE);
    VectorSchemaRoot marked =
        new VectorSchemaRoot(new Schema(table.getSchema().getFields(), metadata), table.getFieldVectors(), table.getRowCount());
    String path = putPath(prefixOrKey);
    try {
      return wire.putTable(endpoint, path, marked, transferTimeout);
    } catch (WireFailure e) {
      throw Errors.translate(e, "putTable " + prefixOrKey);
    }
  }

  /**
   * Reads a native table whole into a new root allocated from {@code allocator}; the caller closes
   * it. The schema keeps its metadata, including {@code flame.cache.version}. Not cached.
   */
  public VectorSchemaRoot getTable(ObjectRef ref, BufferAllocator allocator) {
    Endpoint target = endpointOf(ref);
    return read("getTable " + ref.key(), () -> wire.getTable(target, ref.key(), allocator, transferTimeout));
  }

  /**
   * The objects whose key starts with {@code keyPrefix}, in key order, from the configured
   * endpoint: {@code ""} for all, {@code "app/"} for an app, {@code "app/session/"} for a session.
   * The prefix is a plain string prefix, so {@code "app/s"} also lists {@code app/s2/…}. The whole
   * listing is held in memory; narrow it with a prefix on a large server.
   */
  public List<ObjectSummary> list(String keyPrefix) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    return read("list '" + keyPrefix + "'", () -> understood("list '" + keyPrefix + "'",
        () -> wire.list(endpoint, keyPrefix, callTimeout)));
  }

  /**
   * The configured server's counters from its STATS action, by name, in the server's order, with
   * nested counters named with dots: {@code objects}, {@code storedBytes}, {@code budgetBytes},
   * {@code freeBytes}, {@code evictions.size}, ... (docs/protocol.md lists them). Sizes are bytes.
   * Unmodifiable.
   */
  public Map<String, Long> serverStats() {
    return read("stats", () -> understood("stats", () -> wire.stats(endpoint, callTimeout)));
  }

  /**
   * Mints a signed token that carries {@code grants} for {@code ttl}, from the configured endpoint
   * (the MINT_TOKEN action), retried on UNAVAILABLE as reads are. Hand it to a job instead of your own token: it cannot do more than
   * the grants, and it expires. The caller's own token needs {@code admin} on each grant's scope
   * and must itself cover each grant.
   *
   * @param grants at least one
   * @param ttl the token's lifetime, at least 1 s, whole seconds; the server caps it (default 24 h)
   * @return the token, to send as a bearer token; never logged by the client
   * @throws PermissionDeniedException if the caller may not mint these grants
   * @throws InvalidRequestException if the server refuses the ttl or grants as invalid
   * @throws CacheServerException if the server has no signing key (UNIMPLEMENTED)
   */
  public String mintToken(List<Grant> grants, Duration ttl) {
    return mintToken(grants, ttl, null);
  }

  /**
   * As {@link #mintToken(List, Duration)}, with a label the server appends to the token's subject
   * ({@code <your name>/<label>}), for its logs. A null label is none.
   */
  public String mintToken(List<Grant> grants, Duration ttl, String label) {
    List<Grant> copied = List.copyOf(grants);
    Objects.requireNonNull(ttl, "ttl");
    if (copied.isEmpty()) {
      throw new IllegalArgumentException("mintToken needs at least one grant");
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("mintToken ttl must be at least 1 s, was " + ttl);
    }
    MintRequest request = new MintRequest(copied, ttl, label);
    // Minting changes nothing on the server, so it is retried as reads are.
    return read("mint token", () -> wire.mintToken(endpoint, request, callTimeout));
  }

  /** Runs a call whose answer is decoded here; an answer that does not decode is the server's fault. */
  private static <T> T understood(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException e) {
      throw new CacheServerException(what + ": the server's answer could not be read: " + e.getMessage(), e);
    }
  }

  /** Counters of the caller-side cache. */
  public CacheStats stats() {
    return cache.stats();
  }

  /**
   * Closes every connection and releases all memory.
   *
   * @throws IllegalStateException if Arrow memory leaked (a table from getTable is the caller's)
   */
  @Override
  public void close() {
    wire.close();
  }

  /** An upload: the wire's call that may fail reading its input. */
  @FunctionalInterface
  private interface Upload {
    ObjectRef send() throws IOException;
  }

  /** Runs a write, never retried. */
  private static ObjectRef write(String what, Upload upload) {
    try {
      return upload.send();
    } catch (WireFailure e) {
      throw Errors.translate(e, what);
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": reading the input failed", e);
    }
  }

  /** Runs a read or delete, retrying on UNAVAILABLE as the policy allows. */
  private <T> T read(String what, Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (WireFailure e) {
        if (!Errors.retryable(e) || attempt >= retryPolicy.maxAttempts()) {
          throw Errors.translate(e, what);
        }
        sleep(retryPolicy.backoffBefore(attempt + 1));
      }
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheUnavailableException("interrupted while waiting to retry", e);
    }
  }

  /** The endpoint and the kind of credentials; never the token. */
  @Override
  public String toString() {
    return description;
  }

  private static Endpoint endpointOf(ObjectRef ref) {
    try {
      return Endpoint.parse(ref.endpoint());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("ref of " + ref.key() + " has an unusable endpoint: " + e.getMessage(), e);
    }
  }

  /** The path a put of {@code prefixOrKey} writes to: a session path or a full key. */
  private static String putPath(String prefixOrKey) {
    KeyPath path = parsePath(prefixOrKey);
    if (path.isAppWildcard()) {
      throw new InvalidKeyException("cannot put to '" + prefixOrKey + "': name a session or a key", null);
    }
    return path.toString();
  }

  private static KeyPath parsePath(String path) {
    try {
      return KeyPath.parse(path);
    } catch (dev.flightcache.proto.InvalidKeyException e) {
      throw new InvalidKeyException(e.getMessage(), e);
    }
  }

  /**
   * Builds a {@link CacheClient}. Every setting is validated in {@link #build()}, which reports
   * every problem at once. Not thread-safe.
   */
  public static final class Builder {
    private Endpoint endpoint;
    private String endpointText;
    private Path trustRoots;
    private String bearerToken;
    private Path bearerTokenFile;
    private Path clientCertificateChain;
    private Path clientPrivateKey;
    private Duration callTimeout = Duration.ofSeconds(30);
    private Duration transferTimeout = Duration.ofHours(1);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private long cacheMaxBytes = 256L << 20;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    /** The clock of the bearer token file's once-a-second check; tests move it by hand. */
    Builder nanoTime(LongSupplier clock) {
      this.nanoTime = clock;
      return this;
    }

    /** The server for puts, uploads and deletes: {@code grpc://host:port}, {@code grpcs://} or {@code grpc+tls://}. Required. */
    public Builder endpoint(String endpoint) {
      this.endpointText = endpoint;
      return this;
    }

    /** PEM file of certificates to trust for TLS endpoints; default the system's trust roots. */
    public Builder trustRoots(Path pemFile) {
      this.trustRoots = pemFile;
      return this;
    }

    /**
     * Sent as {@code authorization: Bearer <token>} on every call: printable ASCII without spaces.
     * Never logged or put in messages. Not with {@link #bearerTokenFile}.
     */
    public Builder bearerToken(String token) {
      this.bearerToken = token;
      return this;
    }

    /**
     * A file that holds the bearer token, such as a mounted Kubernetes secret. Read by {@link
     * #build()}, then checked at most once a second (modified time, size, file key) and read
     * again when it changed, so a rotated secret is picked up without a restart. White space
     * around the token is ignored. If a changed file cannot be read or holds no valid token, the
     * previous token stays in use and a WARN is logged. Replace the file by rename (as
     * Kubernetes does), not by rewriting it in place. Not with {@link #bearerToken}.
     */
    public Builder bearerTokenFile(Path file) {
      this.bearerTokenFile = file;
      return this;
    }

    /**
     * A client certificate for mutual TLS, presented on {@code grpcs://} and {@code grpc+tls://}
     * connections: a PEM certificate chain (the client's certificate first) and its PEM private
     * key (PKCS#8, {@code BEGIN PRIVATE KEY}). Both files are read by {@link #build()}.
     */
    public Builder clientCertificate(Path certChainPem, Path privateKeyPem) {
      this.clientCertificateChain = certChainPem;
      this.clientPrivateKey = privateKeyPem;
      return this;
    }

    /** Deadline of each call of an in-memory payload (put of bytes, get, update, patch, delete); default 30 s. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** Deadline of each streamed transfer (put from a stream, upload, download, tables); default 1 h. */
    public Builder transferTimeout(Duration timeout) {
      this.transferTimeout = timeout;
      return this;
    }

    /** How long to wait for a connection to be made; default 5 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Retries of reads and deletes on UNAVAILABLE; default {@link RetryPolicy#DEFAULT}. */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    /** Byte budget of the caller-side cache; 0 disables it; default 256 MiB. */
    public Builder cacheMaxBytes(long bytes) {
      this.cacheMaxBytes = bytes;
      return this;
    }

    /**
     * @throws IllegalArgumentException listing every invalid setting
     */
    public CacheClient build() {
      List<String> problems = new ArrayList<>();
      if (endpointText == null) {
        problems.add("endpoint is required");
      } else {
        try {
          endpoint = Endpoint.parse(endpointText);
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      checkPositive(problems, "callTimeout", callTimeout);
      checkPositive(problems, "transferTimeout", transferTimeout);
      checkPositive(problems, "connectTimeout", connectTimeout);
      if (retryPolicy == null) {
        problems.add("retryPolicy must not be null");
      }
      if (cacheMaxBytes < 0) {
        problems.add("cacheMaxBytes must be >= 0");
      }
      Security security = Security.from(
          new Security.Settings(trustRoots, clientCertificateChain, clientPrivateKey, bearerToken, bearerTokenFile),
          nanoTime, problems);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("invalid CacheClient settings: " + String.join("; ", problems));
      }
      return new CacheClient(this, security);
    }

    /** The settings so far; never the token. */
    @Override
    public String toString() {
      return "CacheClient.Builder{endpoint=" + endpointText + ", " + securityDescription() + "}";
    }

    private String securityDescription() {
      String credentials = bearerToken != null ? "bearer token" : bearerTokenFile != null ? "bearer token file " + bearerTokenFile : "none";
      return "credentials=" + credentials + ", trustRoots=" + (trustRoots == null ? "system" : trustRoots)
          + ", clientCertificate=" + (clientCertificateChain == null ? "none" : clientCertificateChain);
    }

    private static void checkPositive(List<String> problems, String name, Duration value) {
      if (value == null || value.isZero() || value.isNegative()) {
        problems.add(name + " must be > 0");
      }
    }
  }
}
