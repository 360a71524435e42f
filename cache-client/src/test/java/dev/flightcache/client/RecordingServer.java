package dev.flightcache.client;

import dev.flightcache.proto.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.bson.RawBsonDocument;

/**
 * A bare Flight server on loopback that checks the client's side of the auth protocol: it records
 * the {@code authorization} header of every call through Flight's standard server hook, answers
 * UNAUTHENTICATED for a token it does not know, and for known tokens answers MINT_TOKEN with a
 * token made from the request and everything else with UNAUTHORIZED. The real server's answers
 * are checked end to end in cache-it; this only shows what the client sends and how it maps the
 * statuses.
 */
final class RecordingServer implements AutoCloseable {
  static final String MINTED = "fc1.minted-by-test";
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final List<RawBsonDocument> mintRequests = new CopyOnWriteArrayList<>();
  private final BufferAllocator allocator = new RootAllocator();
  private final FlightServer server;

  RecordingServer(Set<String> knownTokens) throws Exception {
    CallHeaderAuthenticator authenticator = headers -> {
      String authorization = headers.get("authorization");
      authorizations.add(String.valueOf(authorization));
      if (authorization == null || !authorization.startsWith("Bearer ") || !knownTokens.contains(authorization.substring(7))) {
        throw CallStatus.UNAUTHENTICATED.withDescription("missing or invalid credentials").toRuntimeException();
      }
      return () -> "test-principal";
    };
    server = FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer())
        .headerAuthenticator(authenticator)
        .build()
        .start();
  }

  String endpoint() {
    return "grpc://127.0.0.1:" + server.getPort();
  }

  /** The last header value received, such as {@code Bearer abc}. */
  String lastAuthorization() {
    return authorizations.get(authorizations.size() - 1);
  }

  @Override
  public void close() throws Exception {
    server.shutdown();
    server.awaitTermination();
    allocator.close();
  }

  private final class Producer extends NoOpFlightProducer {
    @Override
    public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
      if (action.getType().equals(Protocol.ACTION_MINT_TOKEN)) {
        mintRequests.add(new RawBsonDocument(action.getBody()));
        listener.onNext(new Result(MINTED.getBytes(StandardCharsets.UTF_8)));
        listener.onCompleted();
        return;
      }
      listener.onError(CallStatus.UNAUTHORIZED.withDescription("not permitted: delete on app/*").toRuntimeException());
    }
  }
}
