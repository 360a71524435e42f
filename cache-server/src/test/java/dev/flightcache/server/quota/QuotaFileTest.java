package dev.flightcache.server.quota;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuotaFileTest {
  private static final long KIB = 1024;
  private static final long GIB = 1L << 30;

  private static QuotaTable parse(String text) {
    return QuotaFile.parse("quotas.txt", text.getBytes(UTF_8));
  }

  @Test
  void parse_appsDefaultCommentsAndNoLimits_everyLimitAsWritten() {
    QuotaTable table = parse("""
        # app     max-bytes  max-objects
        team-a    10GiB      100000
        team-b    512K       -      # bytes only

        *         -          7
        \tteam-c  1024\t3
        """);

    assertThat(table.apps()).isEqualTo(Map.of(
        "team-a", new AppLimit(10 * GIB, 100_000),
        "team-b", new AppLimit(512 * KIB, AppLimit.UNLIMITED),
        "team-c", new AppLimit(1024, 3)));
    assertThat(table.defaults()).isEqualTo(new AppLimit(AppLimit.UNLIMITED, 7));
    assertThat(table.limitFor("team-a")).isEqualTo(new AppLimit(10 * GIB, 100_000));
    assertThat(table.limitFor("unlisted")).isEqualTo(new AppLimit(AppLimit.UNLIMITED, 7));
  }

  @Test
  void parse_noDefaultLine_unlistedAppsUnlimited() {
    QuotaTable table = parse("team-a 1G 1\r\n");

    assertThat(table.limitFor("team-b")).isEqualTo(AppLimit.NONE);
    assertThat(table.limitFor("team-a")).isEqualTo(new AppLimit(GIB, 1));
  }

  @Test
  void parse_emptyFile_noLimits() {
    assertThat(parse("# nobody is limited yet\n\n")).isEqualTo(QuotaTable.NONE);
  }

  @Test
  void parse_zeroLimits_allowed() {
    assertThat(parse("frozen 0 0").limitFor("frozen")).isEqualTo(new AppLimit(0, 0));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "team-a 1G                 | quotas.txt:1: expected '<app> <max-bytes> <max-objects>', got 2 fields",
      "team-a                    | quotas.txt:1: expected '<app> <max-bytes> <max-objects>', got 1 field",
      "team-a 1G 1 extra         | quotas.txt:1: expected '<app> <max-bytes> <max-objects>', got 4 fields",
      "team-a 50% 1              | quotas.txt:1: max-bytes must be a size such as 1048576, 512MiB or 10GiB, or '-' for no limit, not '50%'",
      "team-a -1 1               | quotas.txt:1: max-bytes must be a size such as 1048576, 512MiB or 10GiB, or '-' for no limit, not '-1'",
      "team-a 1X 1               | quotas.txt:1: max-bytes must be a size such as 1048576, 512MiB or 10GiB, or '-' for no limit, not '1X'",
      "team-a 99999999999T 1     | quotas.txt:1: max-bytes '99999999999T' is too large",
      "team-a 1G 1.5             | quotas.txt:1: max-objects must be a whole number such as 10000, or '-' for no limit, not '1.5'",
      "team-a 1G -3              | quotas.txt:1: max-objects must be a whole number such as 10000, or '-' for no limit, not '-3'",
      "team-a 1G 1K              | quotas.txt:1: max-objects must be a whole number such as 10000, or '-' for no limit, not '1K'",
      "team-a 1G 99999999999999999999 | quotas.txt:1: max-objects '99999999999999999999' is too large",
  })
  void parse_badLine_rejectedNamingFileLineAndField(String line, String message) {
    assertThatThrownBy(() -> parse(line)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void parse_badLineAfterGoodOnes_namesItsLineNumber() {
    assertThatThrownBy(() -> parse("# header\nteam-a 1G 1\n\nteam-b 1G x\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("quotas.txt:4: max-objects");
  }

  @Test
  void parse_appListedTwice_rejectedNamingBothLines() {
    assertThatThrownBy(() -> parse("team-a 1G 1\n* 1G 1\nteam-a 2G 2\n"))
        .isInstanceOf(ConfigException.class).hasMessage("quotas.txt:3: app 'team-a' is already listed on line 1");
    assertThatThrownBy(() -> parse("* 1G 1\n* 2G 2\n"))
        .isInstanceOf(ConfigException.class).hasMessage("quotas.txt:2: app '*' is already listed on line 1");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"a:b", "a/b", "..", ".", "a\\b"})
  void parse_invalidAppName_rejectedWithTheKeyRule(String app) {
    assertThatThrownBy(() -> parse(app + " 1G 1"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("quotas.txt:1: '" + app + "' is not a valid app name (");
  }

  @Test
  void sampleFile_parsesAndIsWhatTheDocsShow() throws IOException {
    Path sample = Path.of("../ci/app-quotas.txt");
    String text = Files.readString(sample);

    QuotaTable table = QuotaFile.parse(sample.toString(), text.getBytes(UTF_8));

    assertThat(table.limitFor("features")).isEqualTo(new AppLimit(50 * GIB, AppLimit.UNLIMITED));
    assertThat(table.limitFor("unlisted")).isEqualTo(new AppLimit(10 * GIB, 100_000));
    String docs = Files.readString(Path.of("../docs/quotas.md"));
    String marker = "<!-- copied from ci/app-quotas.txt -->\n```\n";
    int start = docs.indexOf(marker) + marker.length();
    assertThat(start).isGreaterThan(marker.length());
    assertThat(text).contains(docs.substring(start, docs.indexOf("```", start)));
  }

  @Test
  void parse_notUtf8_rejected() {
    assertThatThrownBy(() -> QuotaFile.parse("q", new byte[] {'a', ' ', '1', ' ', '1', (byte) 0xff}))
        .isInstanceOf(ConfigException.class).hasMessage("q: the quotas file is not valid UTF-8");
  }
}
