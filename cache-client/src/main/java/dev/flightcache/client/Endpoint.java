package dev.flightcache.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A server address parsed from {@code grpc://host:port} (also {@code grpc+tcp}), or, with TLS,
 * {@code grpcs://} or {@code grpc+tls://}. The port defaults to 9090, as in flame.
 */
record Endpoint(String host, int port, boolean tls) {
  public static final int DEFAULT_PORT = 9090;

  /**
   * @throws IllegalArgumentException for another scheme, a missing host, or a bad URI
   */
  public static Endpoint parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not an endpoint URI: '" + text + "'", e);
    }
    return of(uri);
  }

  /** The endpoint part of a URI such as {@code grpc://host:port/app/session/object}. */
  public static Endpoint of(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls = switch (scheme) {
      case "grpc", "grpc+tcp" -> false;
      case "grpcs", "grpc+tls" -> true;
      default -> throw new IllegalArgumentException(
          "endpoint '" + uri + "' must use grpc://, grpc+tcp://, grpcs:// or grpc+tls://");
    };
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("endpoint '" + uri + "' has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Endpoint(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), tls);
  }

  /** One spelling per address, used to pool connections: {@code grpc://h:p} or {@code grpc+tls://h:p}. */
  public String canonical() {
    String printed = host.contains(":") ? "[" + host + "]" : host;
    return (tls ? "grpc+tls://" : "grpc://") + printed + ":" + port;
  }
}
