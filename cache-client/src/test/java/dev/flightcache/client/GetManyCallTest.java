package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.GetAnswer;
import dev.flightcache.proto.GetMany;
import dev.flightcache.proto.Version;
import dev.flightcache.proto.GetTicket;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Protocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GetManyCall} and {@link GetBatcher} over a real connection, against Arrow's own Flight
 * server: one that answers GET_MANY as our server does, one that does not know it (as flame's or
 * an older server), and one that answers it wrongly.
 */
class GetManyCallTest {
  private final BufferAllocator allocator = new RootAllocator();
  /** How the server answers GET_MANY: "speaks", "unknown" (Flight's UNIMPLEMENTED) or "twice". */
  private volatile String mode = "speaks";
  private final AtomicInteger getManyCalls = new AtomicInteger();
  private final AtomicInteger doGets = new AtomicInteger();
  private FlightServer server;
  private Connections connections;
  private final FlightCalls calls = new FlightCalls(allocator);

  @BeforeEach
  void start() throws Exception {
    server = FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer()).build().start();
    connections = new Connections(allocator, null, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws Exception {
    connections.close();
    server.close();
    allocator.close();
  }

  @Test
  void answers_arriveInOrder() throws Exception {
    Outcome outcome = call(List.of(get("a"), get("bb")));

    assertThat(outcome.failure()).isNull();
    assertThat(outcome.answers()).extracting(a -> new String(((GetAnswer.Full<byte[]>) a).base().data(), StandardCharsets.UTF_8))
        .containsExactly("many a", "many bb");
  }

  @Test
  void serverWithoutTheAction_unimplemented() throws Exception {
    mode = "unknown";

    Outcome outcome = call(List.of(get("a")));

    assertThat(outcome.failure()).isInstanceOf(FlightRuntimeException.class);
    assertThat(((FlightRuntimeException) outcome.failure()).status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED);
  }

  @Test
  void twoResults_aServerError_notAnAnswer() throws Exception {
    mode = "twice";

    Outcome outcome = call(List.of(get("a")));

    assertThat(outcome.failure()).isInstanceOf(CacheServerException.class).hasMessageContaining("sent 2 results, not one");
  }

  @Test
  void manyCallers_againstAServerWithoutGetMany_allAnsweredByDoGet() throws Exception {
    mode = "unknown";
    Connections.Connection connection = connection();
    ExecutorService pool = Executors.newFixedThreadPool(24);
    try {
      List<Future<String>> callers = new ArrayList<>();
      for (int c = 0; c < 24; c++) {
        String name = "o" + c;
        callers.add(pool.submit(() -> {
          String last = null;
          for (int n = 0; n < 30; n++) {
            GetAnswer<ByteBuffer> fetched = connection.gets().fetch(ObjectKey.parse("app/s/" + name), Version.NONE,
                (key, version) -> calls.fetch(connection, key, version),
                (gets, done) -> calls.getMany(connection, gets, done));
            last = StandardCharsets.UTF_8.decode(((GetAnswer.Full<ByteBuffer>) fetched).base().data()).toString();
          }
          return last;
        }));
      }
      for (int c = 0; c < 24; c++) {
        assertThat(callers.get(c).get(30, TimeUnit.SECONDS)).isEqualTo("get o" + c);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(doGets.get()).isEqualTo(24 * 30);
    assertThat(getManyCalls.get()).as("asked, then never again").isBetween(1, 24);
  }

  private record Outcome(List<GetAnswer<byte[]>> answers, RuntimeException failure) {}

  private Outcome call(List<GetMany.Get> gets) throws Exception {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    GetManyCall.start(connection().channel(), gets, (answers, failure) -> outcome.complete(new Outcome(answers, failure)));
    return outcome.get(10, TimeUnit.SECONDS);
  }

  private Connections.Connection connection() {
    return connections.get(Endpoint.parse("grpc://127.0.0.1:" + server.getPort()));
  }

  private static GetMany.Get get(String name) {
    return new GetMany.Get(ObjectKey.parse("app/s/" + name), Version.NONE);
  }

  private final class Producer extends NoOpFlightProducer {
    @Override
    public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
      getManyCalls.incrementAndGet();
      if (mode.equals("unknown")) {
        super.doAction(context, action, listener);
        return;
      }
      List<GetAnswer<byte[]>> answers = new ArrayList<>();
      for (GetMany.Get get : GetMany.decodeRequest(action.getBody())) {
        byte[] data = ("many " + get.key().object()).getBytes(StandardCharsets.UTF_8);
        answers.add(new GetAnswer.Full<>(GetAnswer.Part.of(Version.of(1), data), List.of()));
      }
      byte[] body = GetMany.encodeAnswers(answers);
      listener.onNext(new Result(body));
      if (mode.equals("twice")) {
        listener.onNext(new Result(body));
      }
      listener.onCompleted();
    }

    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      doGets.incrementAndGet();
      String name = GetTicket.parse(ticket.getBytes()).key().object();
      try (VectorSchemaRoot root = VectorSchemaRoot.create(Protocol.RESPONSE_SCHEMA, allocator)) {
        listener.start(root);
        root.allocateNew();
        ((UInt8Vector) root.getVector(0)).setSafe(0, 1);
        ((VarCharVector) root.getVector(1)).setSafe(0, "base".getBytes(StandardCharsets.UTF_8));
        ((VarBinaryVector) root.getVector(2)).setSafe(0, ("get " + name).getBytes(StandardCharsets.UTF_8));
        root.setRowCount(1);
        listener.putNext();
        listener.completed();
      }
    }
  }
}
