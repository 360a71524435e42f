package dev.flightcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.client.Grant;
import java.nio.file.Path;
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

  @Test
  void parse_tokenFromEnvironment_flagsWin() throws Exception {
    Map<String, String> env = Map.of("FLIGHT_CACHE_TOKEN", "from-env");

    assertThat(Invocation.parse(new String[] {"ls"}, env).access().token()).isEqualTo("from-env");
    assertThat(Invocation.parse(new String[] {"ls", "--token", "from-flag"}, env).access().token()).isEqualTo("from-flag");
    Access fromFile = Invocation.parse(new String[] {"ls", "--token-file=/run/secret/token"}, env).access();
    assertThat(fromFile.token()).isNull();
    assertThat(fromFile.tokenFile()).isEqualTo(Path.of("/run/secret/token"));
    assertThat(parse("ls").access()).isEqualTo(Access.NONE);
  }

  @Test
  void parse_tlsFiles_read() throws Exception {
    Access access = parse("--ca-file", "ca.pem", "--cert", "me.pem", "--key", "me-key.pem", "stats").access();

    assertThat(access.caFile()).isEqualTo(Path.of("ca.pem"));
    assertThat(access.certFile()).isEqualTo(Path.of("me.pem"));
    assertThat(access.keyFile()).isEqualTo(Path.of("me-key.pem"));
  }

  @Test
  void parse_conflictingAccessFlags_throw() {
    assertThatThrownBy(() -> parse("ls", "--token", "a", "--token-file", "f")).hasMessage("give --token or --token-file, not both");
    assertThatThrownBy(() -> parse("ls", "--cert", "c.pem")).hasMessage("--cert and --key go together");
    assertThatThrownBy(() -> parse("ls", "--key", "k.pem")).hasMessage("--cert and --key go together");
  }

  @Test
  void toString_withToken_neverShowsIt() throws Exception {
    Invocation invocation = parse("ls", "--token", "s3cr3t-value");

    assertThat(invocation.toString()).contains("token=(set)").doesNotContain("s3cr3t-value");
    assertThat(invocation.access().toString()).doesNotContain("s3cr3t-value");
  }

  @Test
  void parse_tokenNew_nameAndGrants() throws Exception {
    Invocation invocation = parse("token", "new", "team-a", "read,write:team-a/*", "read:shared/*");

    assertThat(invocation.args()).containsExactly("new", "team-a", "read,write:team-a/*", "read:shared/*");
    assertThat(invocation.grants()).containsExactly(Grant.parse("read,write:team-a/*"), Grant.parse("read:shared/*"));
  }

  @Test
  void parse_tokenNewBadNameGrantOrNoGrant_throws() {
    assertThatThrownBy(() -> parse("token", "new", "team a", "read:*")).hasMessageContaining("token name 'team a'");
    assertThatThrownBy(() -> parse("token", "new", "team-a", "read:app")).hasMessageContaining("scope 'app'");
    assertThatThrownBy(() -> parse("token", "new", "team-a", "peek:*")).hasMessageContaining("unknown permission 'peek'");
    assertThatThrownBy(() -> parse("token", "new", "team-a")).hasMessageContaining("at least one grant");
  }

  @Test
  void parse_tokenMint_grantsTtlLabel() throws Exception {
    Invocation invocation = parse("token", "mint", "--grant", "read:team-a/run-7/*", "--grant=write:team-a/run-7/out",
        "--ttl", "90m", "--label", "run-7");

    assertThat(invocation.grants()).containsExactly(Grant.parse("read:team-a/run-7/*"), Grant.parse("write:team-a/run-7/out"));
    assertThat(invocation.ttl()).isEqualTo(Duration.ofMinutes(90));
    assertThat(invocation.label()).isEqualTo("run-7");
    assertThat(parse("token", "mint", "--grant", "read:*", "--ttl", "7d").ttl()).isEqualTo(Duration.ofDays(7));
    assertThat(parse("token", "mint", "--grant", "read:*", "--ttl", "1h").label()).isNull();
  }

  @Test
  void parse_tokenMintIncomplete_orMintFlagsElsewhere_throws() {
    assertThatThrownBy(() -> parse("token", "mint", "--ttl", "1h")).hasMessageContaining("--grant");
    assertThatThrownBy(() -> parse("token", "mint", "--grant", "read:*")).hasMessageContaining("--ttl");
    assertThatThrownBy(() -> parse("ls", "--grant", "read:*")).hasMessage("--grant, --ttl and --label are flags of 'token mint' only");
    assertThatThrownBy(() -> parse("token", "new", "a", "read:*", "--ttl", "1h")).hasMessageContaining("'token mint' only");
    assertThatThrownBy(() -> parse("token", "hash", "extra")).hasMessageContaining("standard input");
    assertThatThrownBy(() -> parse("token", "show")).hasMessage("unknown token command 'show': use new, hash or mint");
    assertThatThrownBy(() -> parse("token")).hasMessage("'token' needs a sub-command: new, hash or mint");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "0h", "1w", "-1h", "1.5h", "99999999s", "1H"})
  void parse_badTtl_throws(String text) {
    assertThatThrownBy(() -> parse("token", "mint", "--grant", "read:*", "--ttl", text)).hasMessageContaining("--ttl");
  }
}
