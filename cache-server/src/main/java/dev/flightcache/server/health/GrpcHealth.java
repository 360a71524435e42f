package dev.flightcache.server.health;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;

/**
 * The standard gRPC health service ({@code grpc.health.v1.Health}) on the Flight port. It answers
 * for the whole server ({@code ""}) and for {@value #FLIGHT_SERVICE}: SERVING while ready,
 * NOT_SERVING while the storage is not writable, and NOT_SERVING for good once draining starts.
 * Thread-safe.
 */
public final class GrpcHealth {
  /** The Flight service's gRPC name, which health clients may ask about. */
  public static final String FLIGHT_SERVICE = "arrow.flight.protocol.FlightService";

  private final HealthStatusManager manager = new HealthStatusManager();

  public GrpcHealth() {
    serving(false);
  }

  /** The service to add to the Flight server's gRPC builder. */
  public BindableService service() {
    return manager.getHealthService();
  }

  /** Reports SERVING or NOT_SERVING; ignored once {@link #draining()} was called. */
  public void serving(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    manager.setStatus(FLIGHT_SERVICE, status);
  }

  /** Reports NOT_SERVING from now on, so clients and balancers move away before the drain. */
  public void draining() {
    manager.enterTerminalState();
  }
}
