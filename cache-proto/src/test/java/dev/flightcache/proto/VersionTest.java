package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void compare_highBitSet_isAfterEveryVersionBelowIt() {
    Version top = Version.of(-1L);
    Version high = Version.of(Long.MIN_VALUE);
    Version max = Version.of(Long.MAX_VALUE);

    assertThat(high.isAfter(max)).isTrue();
    assertThat(top.isAfter(high)).isTrue();
    assertThat(max.isBefore(high)).isTrue();
    assertThat(Version.NONE.isBefore(Version.of(1))).isTrue();
  }

  @Test
  void of_zero_isNone() {
    assertThat(Version.of(0)).isSameAs(Version.NONE);
    assertThat(Version.NONE.isNone()).isTrue();
    assertThat(Version.of(1).isNone()).isFalse();
  }

  @Test
  void toString_isUnsignedDecimal() {
    assertThat(Version.of(-1L)).hasToString("18446744073709551615");
    assertThat(Version.of(42)).hasToString("42");
  }
}
