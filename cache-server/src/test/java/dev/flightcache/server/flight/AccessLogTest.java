package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogTest {

  @Test
  void format_patchOnlyGet_everyField() {
    CallReport get = new CallReport(
        "do_get", "OK", null, "etl/run-42/features", 3, 5, GetOutcome.PATCH_ONLY, 0, 1024, 812_345);

    assertThat(AccessLog.format(get)).isEqualTo(
        "call=do_get status=OK key=etl/run-42/features have=3 version=5 outcome=patch_only in=0 out=1024 ms=0.812");
  }

  @Test
  void format_failedDelete_actionKeyNoVersion() {
    CallReport delete = new CallReport("do_action", "INVALID_ARGUMENT", "DELETE", null, -1, -1, null, 0, 0, 2_000_000);

    assertThat(AccessLog.format(delete)).isEqualTo("call=do_action action=DELETE status=INVALID_ARGUMENT in=0 out=0 ms=2.000");
  }

  @Test
  void format_keyWithSpaceQuoteAndEquals_quotedAndEscaped() {
    CallReport put = new CallReport("do_put", "OK", null, "a b/\"s\"/k=v", -1, 1, null, 3, 0, 0);

    assertThat(AccessLog.format(put)).contains("key=\"a b/\\\"s\\\"/k=v\" version=1");
  }

  @Test
  void format_prefixWithNewline_stillOneLine() {
    CallReport list = new CallReport("list_flights", "OK", null, "x\ncall=do_get\u2028", -1, -1, null, 0, 0, 0);

    String line = AccessLog.format(list);

    assertThat(line).doesNotContain("\n").doesNotContain("\u2028").contains("key=\"x\\u000acall=do_get\\u2028\"");
  }

  @Test
  void format_unsignedVersion_printedUnsigned() {
    CallReport get = new CallReport("do_get", "OK", null, "a/b/c", -1, -2, GetOutcome.FULL, 0, 0, 0);

    assertThat(AccessLog.format(get)).contains(" version=18446744073709551614 ");
  }

  @Test
  void app_keyOrPrefix_firstComponent() {
    assertThat(new CallReport("do_get", "OK", null, "etl/s/o", -1, -1, null, 0, 0, 0).app()).isEqualTo("etl");
    assertThat(new CallReport("list_flights", "OK", null, "etl", -1, -1, null, 0, 0, 0).app()).isEqualTo("etl");
    assertThat(new CallReport("list_flights", "OK", null, "", -1, -1, null, 0, 0, 0).app()).isNull();
    assertThat(new CallReport("do_action", "OK", "STATS", null, -1, -1, null, 0, 0, 0).app()).isNull();
  }
}
