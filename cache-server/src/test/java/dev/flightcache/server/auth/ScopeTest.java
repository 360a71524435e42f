package dev.flightcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScopeTest {

  @ParameterizedTest
  @CsvSource({
      "*, a/s/o, true",
      "a/*, a/s/o, true",
      "a/*, b/s/o, false",
      "a/s/*, a/s/o, true",
      "a/s/*, a/t/o, false",
      "a/s/o, a/s/o, true",
      "a/s/o, a/s/p, false",
      // A prefix of a name is not the name: app 'a' does not cover app 'ab'.
      "a/*, ab/s/o, false",
      "a/s/*, a/st/o, false"})
  void coversKey_matchesWholeComponentsOnly(String scope, String key, boolean covered) {
    assertThat(Scope.parse(scope).covers(ObjectKey.parse(key))).isEqualTo(covered);
  }

  @ParameterizedTest
  @CsvSource({
      "*, a/*, true",
      "a/*, a/*, true",
      "a/s/*, a/*, false",
      "a/*, a/s, true",
      "a/s/*, a/s, true",
      "a/s/*, a/t, false",
      "a/s/o, a/s, false"})
  void coversDeletePath_needsTheWholePath(String scope, String path, boolean covered) {
    assertThat(Scope.parse(scope).covers(Scope.of(KeyPath.parse(path)))).isEqualTo(covered);
  }

  @ParameterizedTest
  @ValueSource(strings = {"*", "a/*", "a/s/*", "a/s/o"})
  void parse_toString_roundTrips(String text) {
    assertThat(Scope.parse(text)).hasToString(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/s", "*/s/*", "a/*/o", "a/s/o/x", "a/../o", "a/s/*/x", "a//*"})
  void parse_malformed_rejectedNamingTheScope(String text) {
    assertThatThrownBy(() -> Scope.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + text + "'");
  }
}
