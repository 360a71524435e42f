package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectKeyTest {

  // ---------------------------------------------------------------- accepted keys

  @Test
  void parse_simpleKey_splitsIntoThreeComponents() {
    ObjectKey key = ObjectKey.parse("app/session/object");

    assertThat(key.app()).isEqualTo("app");
    assertThat(key.session()).isEqualTo("session");
    assertThat(key.object()).isEqualTo("object");
    assertThat(key).isEqualTo(new ObjectKey("app", "session", "object"));
  }

  @Test
  void parse_uuidObjectIdWithDashes_accepted() {
    ObjectKey key = ObjectKey.parse("my-app/session-1/550e8400-e29b-41d4-a716-446655440000");

    assertThat(key.app()).isEqualTo("my-app");
    assertThat(key.session()).isEqualTo("session-1");
    assertThat(key.object()).isEqualTo("550e8400-e29b-41d4-a716-446655440000");
  }

  @Test
  void parse_unicodeComponents_accepted() {
    ObjectKey key = ObjectKey.parse("应用/sitzung-ü/объект-🚀");

    assertThat(key.app()).isEqualTo("应用");
    assertThat(key.session()).isEqualTo("sitzung-ü");
    assertThat(key.object()).isEqualTo("объект-🚀");
  }

  @Test
  void parse_spacesInComponents_acceptedVerbatim() {
    ObjectKey key = ObjectKey.parse("my app/ session /my object ");

    assertThat(key.app()).isEqualTo("my app");
    assertThat(key.session()).isEqualTo(" session ");
    assertThat(key.object()).isEqualTo("my object ");
  }

  @Test
  void parse_singleDotsInsideComponent_accepted() {
    ObjectKey key = ObjectKey.parse(".app/v1.2/file.tar.gz");

    assertThat(key.app()).isEqualTo(".app");
    assertThat(key.session()).isEqualTo("v1.2");
    assertThat(key.object()).isEqualTo("file.tar.gz");
  }

  @Test
  void parse_asteriskInsideComponent_accepted() {
    ObjectKey key = ObjectKey.parse("app/s*/**");

    assertThat(key.session()).isEqualTo("s*");
    assertThat(key.object()).isEqualTo("**");
  }

  // ---------------------------------------------------------------- path traversal

  @Test
  void parse_pathTraversalLeading_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("../etc/passwd"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '../etc/passwd': app must not be '.' or contain '..'");
  }

  @Test
  void parse_pathTraversalInMiddle_rejected() {
    // Four components after splitting: rejected for its shape before any component check.
    assertThatThrownBy(() -> ObjectKey.parse("app/../other/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageStartingWith("Invalid key 'app/../other/object': ")
        .hasMessageContaining("expected '<app>/<session>/<object>'");
  }

  @Test
  void parse_pathTraversalAsSession_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/../object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("session")
        .hasMessageContaining("..");
  }

  @Test
  void parse_pathTraversalAsObject_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session/.."))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session/..': object id must not be '.' or contain '..'");
  }

  @Test
  void parse_loneDotComponent_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/./object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/./object': session must not be '.' or contain '..'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"./session/object", "app/session/."})
  void parse_loneDotAnyComponent_rejected(String text) {
    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("'.'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a..b/session/object", "app/a..b/object", "app/session/a..b", "app/session/..."})
  void parse_doubleDotInsideComponent_rejected(String text) {
    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("'..'")
        .hasMessageContaining(text);
  }

  // ---------------------------------------------------------------- shape

  @ParameterizedTest
  @ValueSource(strings = {"app/session", "app", "", "a/b/c/d", "a/b/c/d/e"})
  void parse_notThreeComponents_rejected(String text) {
    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '" + text + "': expected '<app>/<session>/<object>'");
  }

  @Test
  void parse_emptySession_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app//object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app//object': session is empty");
  }

  @Test
  void parse_emptyApp_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '/session/object': app is empty");
  }

  @Test
  void parse_emptyObject_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session/"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session/': object id is empty");
  }

  @Test
  void parse_allEmpty_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("//"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("empty");
  }

  // ---------------------------------------------------------------- forbidden characters

  @ParameterizedTest
  @ValueSource(strings = {"a\\pp/session/object", "app/ses\\sion/object", "app/session/obj\\ect", "app/session/\\"})
  void parse_backslash_rejected(String text) {
    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("must not contain '\\'");
  }

  @Test
  void parse_colonInApp_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("ap:p/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'ap:p/session/object': app must not contain ':'");
  }

  @Test
  void parse_colonInSession_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session:1/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session:1/object': session must not contain ':'");
  }

  @Test
  void parse_colonInObject_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session/object:3"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session/object:3': object id must not contain ':'");
  }

  @Test
  void parse_newlineInObject_rejectedWithEscapedMessage() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session/obj\nect"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/session/obj\\u000aect': object id must not contain control characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void parse_nulInSession_rejectedWithEscapedMessage() {
    assertThatThrownBy(() -> ObjectKey.parse("app/ses\u0000sion/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/ses\\u0000sion/object': session must not contain control characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0000"));
  }

  @Test
  void parse_deleteCharInApp_rejectedWithEscapedMessage() {
    assertThatThrownBy(() -> ObjectKey.parse("app\u007f/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app\\u007f/session/object': app must not contain control characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u007f"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\t", "\r", "\u001b", "\u0085", "\u009f"})
  void parse_otherControlCharacters_rejected(String control) {
    String text = "app/session/x" + control + "y";

    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("control characters")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(control));
  }

  @Test
  void parse_controlCharacterInShapeError_escapedInMessage() {
    assertThatThrownBy(() -> ObjectKey.parse("app/\nsession"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/\\u000asession': expected '<app>/<session>/<object>'");
  }

  // ---------------------------------------------------------------- wildcard

  @Test
  void parse_wildcardApp_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("*/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard '*'");
  }

  @Test
  void parse_wildcardSession_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/*/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard '*'");
  }

  @Test
  void parse_wildcardObject_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/session/*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage(
            "Invalid key 'app/session/*': wildcard '*' is only allowed as the session of a delete path");
  }

  @Test
  void parse_loneSurrogate_rejected() {
    // A lone surrogate is not encodable as UTF-8: getBytes(UTF_8) turns it into '?', so a key
    // holding one cannot be written to a ticket, BSON or a file name and read back unchanged.
    String object = "x\uD800y";

    assertThatThrownBy(() -> ObjectKey.parse("app/session/" + object))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("object id");
  }

  // ---------------------------------------------------------------- length

  @Test
  void parse_component255AsciiBytes_accepted() {
    String object = "o".repeat(255);

    ObjectKey key = ObjectKey.parse("app/session/" + object);

    assertThat(key.object()).hasSize(255).isEqualTo(object);
  }

  @Test
  void parse_component256AsciiBytes_rejected() {
    String object = "o".repeat(256);

    assertThatThrownBy(() -> ObjectKey.parse("app/session/" + object))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageEndingWith("object id is longer than 255 bytes");
  }

  @Test
  void parse_app256Bytes_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("a".repeat(256) + "/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageEndingWith("app is longer than 255 bytes");
  }

  @Test
  void parse_session256Bytes_rejected() {
    assertThatThrownBy(() -> ObjectKey.parse("app/" + "s".repeat(256) + "/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageEndingWith("session is longer than 255 bytes");
  }

  @Test
  void parse_twoByteChars255Bytes_accepted() {
    // 127 x 'é' (2 bytes each) + 'a' = 255 bytes in 128 chars.
    String object = "é".repeat(127) + "a";
    assertThat(object.getBytes(StandardCharsets.UTF_8)).hasSize(255);

    assertThat(ObjectKey.parse("app/session/" + object).object()).isEqualTo(object);
  }

  @Test
  void parse_twoByteChars256Bytes_rejected() {
    // 128 x 'é' = 256 bytes but only 128 chars: the limit counts bytes, not chars.
    String object = "é".repeat(128);
    assertThat(object).hasSize(128);
    assertThat(object.getBytes(StandardCharsets.UTF_8)).hasSize(256);

    assertThatThrownBy(() -> ObjectKey.parse("app/session/" + object))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("255");
  }

  @Test
  void parse_threeByteChars255Bytes_accepted() {
    String session = "€".repeat(85);
    assertThat(session.getBytes(StandardCharsets.UTF_8)).hasSize(255);

    assertThat(ObjectKey.parse("app/" + session + "/object").session()).isEqualTo(session);
  }

  @Test
  void parse_fourByteChars256Bytes_rejected() {
    // 64 emoji x 4 bytes = 256 bytes in 128 UTF-16 chars.
    String app = "🚀".repeat(64);
    assertThat(app.getBytes(StandardCharsets.UTF_8)).hasSize(256);

    assertThatThrownBy(() -> ObjectKey.parse(app + "/session/object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageEndingWith("app is longer than 255 bytes");
  }

  @Test
  void parse_fourByteChars252BytesPlusThreeAscii_accepted() {
    String app = "🚀".repeat(63) + "abc";
    assertThat(app.getBytes(StandardCharsets.UTF_8)).hasSize(255);

    assertThat(ObjectKey.parse(app + "/session/object").app()).isEqualTo(app);
  }

  @Test
  void parse_veryLongInput_messageCapped() {
    String text = "app/session/" + "x".repeat(1000);

    assertThatThrownBy(() -> ObjectKey.parse(text))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage(
            "Invalid key '" + text.substring(0, 300) + "...': object id is longer than 255 bytes");
  }

  // ---------------------------------------------------------------- constructor

  @Test
  void constructor_invalidComponent_rejected() {
    assertThatThrownBy(() -> new ObjectKey("app", "a/b", "object"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/a/b/object': session must not contain '/'");
  }

  @Test
  void constructor_invalidKey_isIllegalArgumentException() {
    assertThatThrownBy(() -> new ObjectKey("app", "", "object"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- generated

  @Test
  void generated_appAndSession_objectIsRandomUuid() {
    ObjectKey key = ObjectKey.generated("app", "session");

    assertThat(key.app()).isEqualTo("app");
    assertThat(key.session()).isEqualTo("session");
    UUID uuid = UUID.fromString(key.object());
    assertThat(uuid.toString()).isEqualTo(key.object());
    assertThat(uuid.version()).isEqualTo(4);
    assertThat(key.object()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void generated_result_parsesBackToEqualKey() {
    ObjectKey key = ObjectKey.generated("app", "session");

    assertThat(ObjectKey.parse(key.toString())).isEqualTo(key);
  }

  @Test
  void generated_twice_distinctObjectIds() {
    ObjectKey first = ObjectKey.generated("app", "session");
    ObjectKey second = ObjectKey.generated("app", "session");

    assertThat(first.object()).isNotEqualTo(second.object());
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void generated_invalidSession_rejected() {
    assertThatThrownBy(() -> ObjectKey.generated("app", "*"))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard");
  }

  // ---------------------------------------------------------------- toString / compareTo / equals

  @Test
  void toString_parsedKey_returnsOriginalText() {
    assertThat(ObjectKey.parse("app/session/object").toString()).isEqualTo("app/session/object");
    assertThat(new ObjectKey("a b", "ü", "🚀").toString()).isEqualTo("a b/ü/🚀");
  }

  @Test
  void equals_sameComponents_equalAndSameHash() {
    ObjectKey a = ObjectKey.parse("app/session/object");
    ObjectKey b = new ObjectKey("app", "session", "object");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.compareTo(b)).isZero();
  }

  @Test
  void compareTo_differentObject_ordersByText() {
    ObjectKey a = ObjectKey.parse("app/session/a");
    ObjectKey b = ObjectKey.parse("app/session/b");

    assertThat(a.compareTo(b)).isNegative();
    assertThat(b.compareTo(a)).isPositive();
  }

  @Test
  void compareTo_differentApp_appDecidesBeforeSession() {
    ObjectKey a = ObjectKey.parse("a/z/z");
    ObjectKey b = ObjectKey.parse("b/a/a");

    assertThat(a.compareTo(b)).isNegative();
    assertThat(b.compareTo(a)).isPositive();
  }

  @Test
  void compareTo_sortedList_matchesStringOrder() {
    List<ObjectKey> keys =
        new ArrayList<>(
            List.of(
                ObjectKey.parse("b/s/1"),
                ObjectKey.parse("a/t/1"),
                ObjectKey.parse("a/s/2"),
                ObjectKey.parse("a/s/10"),
                ObjectKey.parse("a/s/1")));

    keys.sort(null);

    assertThat(keys)
        .extracting(ObjectKey::toString)
        .containsExactly("a/s/1", "a/s/10", "a/s/2", "a/t/1", "b/s/1");
  }

  @Test
  void compareTo_unequalKeys_neverZero() {
    ObjectKey a = ObjectKey.parse("ab/c/d");
    ObjectKey b = ObjectKey.parse("a/bc/d");

    assertThat(a).isNotEqualTo(b);
    assertThat(a.compareTo(b)).isNotZero();
    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
  }
}
