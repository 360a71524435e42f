package dev.flightcache.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * {@code cache-cli health}: asks the standard gRPC health service on the Flight port about the
 * whole server. The client library has no health call, so this opens its own channel.
 */
final class Health {
  private Health() {}

  /**
   * What the server answered.
   *
   * @param failure null if the server answered; else why the call failed (UNAVAILABLE when it
   *     cannot be reached, UNIMPLEMENTED for a server without the health service)
   */
  record Answer(ServingStatus status, Status.Code failure, String message) {}

  /**
   * @param endpoint {@code grpc://host:port}, or {@code grpcs://} / {@code grpc+tls://} for TLS
   * @param access the CA file and client certificate for TLS; health checks need no token
   * @throws IllegalArgumentException if the endpoint is not such a URI, or a TLS file is unusable
   */
  static Answer check(String endpoint, Access access, Duration timeout) throws InterruptedException {
    URI uri = URI.create(endpoint);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    boolean tls = scheme.equals("grpcs") || scheme.equals("grpc+tls");
    if (!tls && !scheme.equals("grpc") && !scheme.equals("grpc+tcp")) {
      throw new IllegalArgumentException("endpoint must be grpc://, grpcs:// or grpc+tls://, not '" + endpoint + "'");
    }
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("endpoint needs a host and a port: '" + endpoint + "'");
    }
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort());
    ManagedChannel channel = (tls ? builder.useTransportSecurity().sslContext(sslContext(access)) : builder.usePlaintext()).build();
    try {
      ServingStatus status = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.newBuilder().setService("").build())
          .getStatus();
      return new Answer(status, null, status.name());
    } catch (StatusRuntimeException e) {
      return new Answer(ServingStatus.UNKNOWN, e.getStatus().getCode(), e.getStatus().getCode() + describe(e));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static SslContext sslContext(Access access) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      if (access.caFile() != null) {
        ssl.trustManager(access.caFile().toFile());
      }
      if (access.certFile() != null) {
        ssl.keyManager(access.certFile().toFile(), access.keyFile().toFile());
      }
      return ssl.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }

  private static String describe(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    return description == null ? "" : ": " + description;
  }
}
