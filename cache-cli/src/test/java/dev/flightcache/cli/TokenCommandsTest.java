package dev.flightcache.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** token new and token hash: local commands, no server. */
class TokenCommandsTest {
  /** What one run printed and returned. */
  record Run(int code, String out, String err) {}

  private static Run cli(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new CacheCli(new ByteArrayInputStream(stdin.getBytes(UTF_8)), new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8), Map.of(), false, System::nanoTime).run(args);
    return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
  }

  @Test
  void hash_knownToken_sha256HexOfItsBytes_whiteSpaceAroundIgnored() {
    // SHA-256("abc") from FIPS 180-2.
    String expected = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n";

    assertThat(cli("abc", "token", "hash")).isEqualTo(new Run(0, expected, ""));
    assertThat(cli("  abc\n", "token", "hash").out()).isEqualTo(expected);
  }

  @Test
  void hash_noTokenOnStdin_usageExit1() {
    Run empty = cli("\n", "token", "hash");
    Run spaced = cli("two words", "token", "hash");

    assertThat(empty.code()).isEqualTo(1);
    assertThat(empty.err()).isEqualTo("cache-cli: standard input holds no token: a token is printable ASCII without spaces\n");
    assertThat(spaced.code()).isEqualTo(1);
    assertThat(spaced.out()).isEmpty();
  }

  @Test
  void new_printsTokenOnceAndItsStoreLine_hashMatches() {
    Run made = cli("", "token", "new", "team-a", "write,read:team-a/*", "read:shared/*");

    assertThat(made.code()).isZero();
    List<String> lines = made.out().lines().toList();
    assertThat(lines).hasSize(2);
    String token = lines.get(0);
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(lines.get(1)).isEqualTo("team-a  " + cli(token, "token", "hash").out().strip() + "  read,write:team-a/*  read:shared/*");
    assertThat(made.err()).startsWith("cache-cli: line 1 is the token").doesNotContain(token);
    assertThat(cli("", "token", "new", "team-a", "read:*").out().lines().findFirst()).get().isNotEqualTo(token);
  }

  @Test
  void new_badGrant_usageExit1NamingIt() {
    Run bad = cli("", "token", "new", "team-a", "read:team-a");

    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("cache-cli: scope 'team-a'");
    assertThat(bad.out()).isEmpty();
  }

  @Test
  void missingTokenFile_localIoExit6_namingTheFlag() {
    Run run = cli("", "--token-file", "/nonexistent/flight-cache-token", "ls");

    assertThat(run.code()).isEqualTo(6);
    assertThat(run.err()).isEqualTo("cache-cli: cannot read --token-file /nonexistent/flight-cache-token\n");
  }
}
