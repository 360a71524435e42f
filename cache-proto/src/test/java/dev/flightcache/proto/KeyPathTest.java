package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPathTest {

  private static final String SHAPE =
      "expected '<app>/<session>', '<app>/<session>/<object>' or '<app>/*'";

  // ---------------------------------------------------------------- parse: accepted

  @Test
  void parse_twoParts_sessionPath() {
    KeyPath path = KeyPath.parse("app/session");

    assertThat(path).isEqualTo(new KeyPath("app", "session", null));
    assertThat(path.app()).isEqualTo("app");
    assertThat(path.session()).isEqualTo("session");
    assertThat(path.object()).isNull();
    assertThat(path.isFullKey()).isFalse();
    assertThat(path.isAppWildcard()).isFalse();
  }

  @Test
  void parse_threeParts_fullKeyPath() {
    KeyPath path = KeyPath.parse("app/session/object");

    assertThat(path).isEqualTo(new KeyPath("app", "session", "object"));
    assertThat(path.isFullKey()).isTrue();
    assertThat(path.isAppWildcard()).isFalse();
  }

  @Test
  void parse_appWildcard_wildcardPath() {
    KeyPath path = KeyPath.parse("app/*");

    assertThat(path).isEqualTo(new KeyPath("app", "*", null));
    assertThat(path.session()).isEqualTo(KeyRules.WILDCARD);
    assertThat(path.isAppWildcard()).isTrue();
    assertThat(path.isFullKey()).isFalse();
  }

  @Test
  void parse_unicodeAndSpaces_accepted() {
    KeyPath path = KeyPath.parse("my app/sitzung ü/🚀");

    assertThat(path).isEqualTo(new KeyPath("my app", "sitzung ü", "🚀"));
  }

  // ---------------------------------------------------------------- parse: rejected

  @ParameterizedTest
  @ValueSource(strings = {"app", "", "*", "a/b/c/d", "app/s/o/"})
  void parse_wrongNumberOfParts_rejected(String text) {
    assertThatThrownBy(() -> KeyPath.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '" + text + "': " + SHAPE);
  }

  @Test
  void parse_wildcardApp_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("*/session"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage(
            "Invalid key '*/session': wildcard '*' is only allowed as the session of a delete path");
  }

  @Test
  void parse_wildcardAppAndSession_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("*/*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard '*'");
  }

  @Test
  void parse_wildcardSessionWithObject_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/*/obj"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage(
            "Invalid key 'app/*/obj': wildcard '*' is only allowed as the session of a delete path");
  }

  @Test
  void parse_wildcardObject_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/session/*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard '*'");
  }

  @Test
  void parse_emptySession_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/': session is empty");
  }

  @Test
  void parse_emptyApp_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("/session"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '/session': app is empty");
  }

  @Test
  void parse_emptyAppInWildcard_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("/*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '/*': app is empty");
  }

  @Test
  void parse_traversalInSessionPath_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("../session"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> KeyPath.parse("app/.."))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("'..'");
  }

  @Test
  void parse_traversalInWildcardApp_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("../*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '../*': app must not be '.' or contain '..'");
  }

  @Test
  void parse_colonInSessionPath_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/ses:sion"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/ses:sion': session must not contain ':'");
  }

  @Test
  void parse_controlCharacterInSessionPath_rejectedWithEscapedMessage() {
    assertThatThrownBy(() -> KeyPath.parse("app/ses\nsion"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/ses\\u000asion': session must not contain control characters");
  }

  @Test
  void parse_longSessionInSessionPath_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/" + "s".repeat(256)))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageEndingWith("session is longer than 255 bytes");
  }

  @Test
  void parse_badObjectInFullKey_rejected() {
    assertThatThrownBy(() -> KeyPath.parse("app/session/a\\b"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session/a\\b': object id must not contain '\\'");
  }

  // ---------------------------------------------------------------- keyPrefix

  @Test
  void keyPrefix_fullKey_isTheKey() {
    assertThat(KeyPath.parse("app/s/obj").keyPrefix()).isEqualTo("app/s/obj");
  }

  @Test
  void keyPrefix_session_endsWithSlash() {
    assertThat(KeyPath.parse("app/s").keyPrefix()).isEqualTo("app/s/");
  }

  @Test
  void keyPrefix_wildcard_appWithSlash() {
    assertThat(KeyPath.parse("app/*").keyPrefix()).isEqualTo("app/");
  }

  @Test
  void keyPrefix_session_doesNotPrefixSimilarSession() {
    String prefix = KeyPath.parse("app/s").keyPrefix();

    assertThat("app/s2/x").doesNotStartWith(prefix);
    assertThat("app/s-extra/x").doesNotStartWith(prefix);
    assertThat("app/s/x").startsWith(prefix);
  }

  @Test
  void keyPrefix_wildcard_doesNotPrefixSimilarApp() {
    String prefix = KeyPath.parse("app/*").keyPrefix();

    assertThat("app2/s/x").doesNotStartWith(prefix);
    assertThat("app/s/x").startsWith(prefix);
  }

  // ---------------------------------------------------------------- matches

  @Test
  void matches_sessionPathOwnSession_true() {
    KeyPath path = KeyPath.parse("app/s");

    assertThat(path.matches(ObjectKey.parse("app/s/x"))).isTrue();
    assertThat(path.matches(ObjectKey.parse("app/s/y"))).isTrue();
  }

  @Test
  void matches_sessionPathLongerSessionName_false() {
    KeyPath path = KeyPath.parse("app/s");

    assertThat(path.matches(ObjectKey.parse("app/s2/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("app/s-extra/x"))).isFalse();
  }

  @Test
  void matches_sessionPathOtherSessionOrApp_false() {
    KeyPath path = KeyPath.parse("app/s");

    assertThat(path.matches(ObjectKey.parse("app/t/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("other/s/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("ap/s/x"))).isFalse();
  }

  @Test
  void matches_wildcardPathAnySessionOfApp_true() {
    KeyPath path = KeyPath.parse("app/*");

    assertThat(path.matches(ObjectKey.parse("app/s/x"))).isTrue();
    assertThat(path.matches(ObjectKey.parse("app/s2/y"))).isTrue();
    assertThat(path.matches(ObjectKey.parse("app/another session/z"))).isTrue();
  }

  @Test
  void matches_wildcardPathOtherApp_false() {
    KeyPath path = KeyPath.parse("app/*");

    assertThat(path.matches(ObjectKey.parse("app2/s/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("ap/s/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("other/app/x"))).isFalse();
  }

  @Test
  void matches_fullKeyItself_true() {
    assertThat(KeyPath.parse("app/s/x").matches(ObjectKey.parse("app/s/x"))).isTrue();
  }

  @Test
  void matches_fullKeyOtherKeys_false() {
    KeyPath path = KeyPath.parse("app/s/x");

    assertThat(path.matches(ObjectKey.parse("app/s/y"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("app/s/x2"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("app/s2/x"))).isFalse();
    assertThat(path.matches(ObjectKey.parse("app2/s/x"))).isFalse();
  }

  // ---------------------------------------------------------------- toKey / toString

  @Test
  void toKey_fullKey_returnsObjectKey() {
    assertThat(KeyPath.parse("app/s/x").toKey()).isEqualTo(new ObjectKey("app", "s", "x"));
  }

  @Test
  void toKey_sessionPath_throwsIllegalState() {
    assertThatThrownBy(() -> KeyPath.parse("app/s").toKey())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("not a full key: app/s");
  }

  @Test
  void toKey_wildcardPath_throwsIllegalState() {
    assertThatThrownBy(() -> KeyPath.parse("app/*").toKey())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("not a full key: app/*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"app/s", "app/*", "app/s/x", "my app/ü/🚀"})
  void toString_parsedPath_returnsOriginalText(String text) {
    assertThat(KeyPath.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void constructor_nullApp_throwsNullPointer() {
    assertThatThrownBy(() -> new KeyPath(null, "s", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("app");
  }

  @Test
  void constructor_nullSession_throwsNullPointer() {
    assertThatThrownBy(() -> new KeyPath("app", null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("session");
  }
}
