package dev.flightcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.flightcache.server.flight.AccessLog;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The access log of a real server: one line per call when on, none when off (the default). */
class AccessLogIT {
  @TempDir Path dir;
  final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
  final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  Level previousLevel;

  @BeforeEach
  void capture() {
    previousLevel = logger.getLevel();
    logger.setLevel(Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(previousLevel);
  }

  private List<String> messages() {
    return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void accessLogOn_eachCall_oneLineWithCallKeyVersionOutcomeBytes() throws Exception {
    try (TestServer server = TestServer.start(dir, "--access-log", "true");
        RawClient client = new RawClient(server.location())) {
      client.put("etl/run-42/features", new byte[300]);
      client.get("etl/run-42/features", 0);
      client.get("etl/run-42/features", 1);
      WireCalls.assertStatus(CallStatus.NOT_FOUND, () -> client.get("etl/run-42/missing", 0));
      client.delete("etl/run-42");
    }

    // Each report is written as its call closes, so two quick calls may log in either order.
    assertThat(messages()).hasSize(5);
    assertThat(messages()).anySatisfy(line ->
        assertThat(line).matches("call=do_put status=OK key=etl/run-42/features version=1 in=300 out=0 ms=\\d+\\.\\d{3}"));
    assertThat(messages()).anySatisfy(line -> assertThat(line)
        .startsWith("call=do_get status=OK key=etl/run-42/features have=0 version=1 outcome=full in=0 out=300 "));
    assertThat(messages()).anySatisfy(line -> assertThat(line)
        .startsWith("call=do_get status=OK key=etl/run-42/features have=1 version=1 outcome=not_modified in=0 out=0 "));
    assertThat(messages()).anySatisfy(line -> assertThat(line)
        .startsWith("call=do_get status=NOT_FOUND key=etl/run-42/missing have=0 in=0 out=0 "));
    assertThat(messages()).anySatisfy(line -> assertThat(line)
        .startsWith("call=do_action action=DELETE status=OK key=etl/run-42 in=0 out=0 "));
    assertThat(lines.list).allSatisfy(event -> assertThat(event.getLevel()).isEqualTo(Level.INFO));
  }

  @Test
  void accessLogDefault_calls_noLines() throws Exception {
    try (TestServer server = TestServer.start(dir);
        RawClient client = new RawClient(server.location())) {
      client.put("etl/run-42/features", new byte[3]);
      client.get("etl/run-42/features", 0);
    }

    assertThat(messages()).isEmpty();
  }
}
