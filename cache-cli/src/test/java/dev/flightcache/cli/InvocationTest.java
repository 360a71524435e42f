package dev.flightcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InvocationTest {
  private static Invocation parse(String... args) throws Invocation.UsageException {
    return Invocation.parse(args, Map.of());
  }

  @Test
  void parse_commandOnly_defaultEndpointAndTimeout() throws Exception {
    Invocation invocation = parse("ls");

    assertThat(invocation.endpoint()).isEqualTo("grpc://127.0.0.1:9090");
    assertThat(invocation.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(invocation.command()).isEqualTo("ls");
    assertThat(invocation.args()).isEmpty();
  }

  @Test
  void parse_endpointFromEnvironment_flagWins() throws Exception {
    Map<String, String> env = Map.of("FLIGHT_CACHE_ENDPOINT", "grpc://cache:1");

    assertThat(Invocation.parse(new String[] {"stats"}, env).endpoint()).isEqualTo("grpc://cache:1");
    assertThat(Invocation.parse(new String[] {"-e", "grpc://x:2", "stats"}, env).endpoint()).isEqualTo("grpc://x:2");
  }

  @Test
  void parse_flagsBeforeAfterAndWithEquals_allRead() throws Exception {
    Invocation invocation = parse("get", "a/b/c", "--endpoint=grpc://h:3", "--timeout", "500ms");

    assertThat(invocation.endpoint()).isEqualTo("grpc://h:3");
    assertThat(invocation.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(invocation.args()).containsExactly("a/b/c");
  }

  @Test
  void parse_dashArgument_keptAsArgument() throws Exception {
    assertThat(parse("upload", "-", "a/b").args()).containsExactly("-", "a/b");
  }

  @Test
  void parse_helpFlagAnywhere_help() throws Exception {
    assertThat(parse("get", "--help").command()).isEqualTo("help");
    assertThat(parse("-h").command()).isEqualTo("help");
  }

  @Test
  void parse_wrongArgumentCount_throwsNamingCommand() {
    assertThatThrownBy(() -> parse("get")).isInstanceOf(Invocation.UsageException.class)
        .hasMessage("'get' takes 1 argument, not 0");
    assertThatThrownBy(() -> parse("upload", "f")).hasMessage("'upload' takes 2 arguments, not 1");
    assertThatThrownBy(() -> parse("ls", "a", "b")).hasMessage("'ls' takes 0 or 1 argument, not 2");
  }

  @Test
  void parse_unknownCommandOrFlagOrNothing_throws() {
    assertThatThrownBy(() -> parse("copy", "a")).hasMessage("unknown command 'copy'");
    assertThatThrownBy(() -> parse("ls", "--verbose")).hasMessage("unknown flag '--verbose'");
    assertThatThrownBy(() -> parse()).hasMessage("no command given");
    assertThatThrownBy(() -> parse("ls", "--endpoint")).hasMessage("flag '--endpoint' needs a value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "0s", "1h", "-5s", "fast", "9999999999s"})
  void parse_badTimeout_throws(String text) {
    assertThatThrownBy(() -> parse("stats", "--timeout", text)).hasMessageContaining("--timeout");
  }
}
