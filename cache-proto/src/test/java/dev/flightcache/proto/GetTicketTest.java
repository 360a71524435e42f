package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GetTicketTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- parse: accepted

  @Test
  void parse_keyAndVersion_bothRead() {
    GetTicket ticket = GetTicket.parse(utf8("app/s/o:3"));

    assertThat(ticket.key()).isEqualTo(new ObjectKey("app", "s", "o"));
    assertThat(ticket.clientVersion().bits()).isEqualTo(3L);
    assertThat(ticket).isEqualTo(new GetTicket(new ObjectKey("app", "s", "o"), Version.of(3)));
  }

  @Test
  void parse_noColon_versionZero() {
    GetTicket ticket = GetTicket.parse(utf8("app/s/o"));

    assertThat(ticket.key()).isEqualTo(new ObjectKey("app", "s", "o"));
    assertThat(ticket.clientVersion().bits()).isZero();
  }

  @Test
  void parse_explicitZero_versionZero() {
    assertThat(GetTicket.parse(utf8("app/s/o:0")).clientVersion().bits()).isZero();
  }

  @Test
  void parse_leadingPlus_accepted() {
    assertThat(GetTicket.parse(utf8("app/s/o:+5")).clientVersion().bits()).isEqualTo(5L);
  }

  @Test
  void parse_leadingZeros_accepted() {
    assertThat(GetTicket.parse(utf8("app/s/o:007")).clientVersion().bits()).isEqualTo(7L);
    assertThat(GetTicket.parse(utf8("app/s/o:" + "0".repeat(30) + "42")).clientVersion().bits())
        .isEqualTo(42L);
  }

  @Test
  void parse_maxUnsigned64_parsedAsUnsigned() {
    GetTicket ticket = GetTicket.parse(utf8("app/s/o:18446744073709551615"));

    assertThat(ticket.clientVersion().bits()).isEqualTo(-1L);
    assertThat(Long.toUnsignedString(ticket.clientVersion().bits())).isEqualTo("18446744073709551615");
  }

  @Test
  void parse_aboveSignedMax_parsedAsUnsigned() {
    GetTicket ticket = GetTicket.parse(utf8("app/s/o:9223372036854775808"));

    assertThat(ticket.clientVersion().bits()).isEqualTo(Long.MIN_VALUE);
    assertThat(Long.toUnsignedString(ticket.clientVersion().bits())).isEqualTo("9223372036854775808");
    assertThat(Long.compareUnsigned(ticket.clientVersion().bits(), Long.MAX_VALUE)).isPositive();
  }

  @Test
  void parse_unicodeKey_decodedAsUtf8() {
    GetTicket ticket = GetTicket.parse(utf8("应用/sitzung ü/🚀:12"));

    assertThat(ticket.key()).isEqualTo(new ObjectKey("应用", "sitzung ü", "🚀"));
    assertThat(ticket.clientVersion().bits()).isEqualTo(12L);
  }

  // ---------------------------------------------------------------- parse: bad versions

  @ParameterizedTest
  @ValueSource(strings = {"-1", " 1", "1 ", "", "1.0", "+", "++5", "+-5", "-0", "0x10", "1e3", "abc", "1:2", "١٢"})
  void parse_badVersion_rejected(String version) {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/s/o:" + version)))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid version: '" + version + "' is not an unsigned decimal integer");
  }

  @Test
  void parse_versionOverflow_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/s/o:18446744073709551616")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid version: '18446744073709551616' is too large");
  }

  @Test
  void parse_versionFarBeyondRange_rejected() {
    String version = "9".repeat(40);

    assertThatThrownBy(() -> GetTicket.parse(utf8("app/s/o:" + version)))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid version: '" + version + "' is too large");
  }

  @Test
  void parse_controlCharacterInVersion_escapedInMessage() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/s/o:1\n")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid version: '1\\u000a' is not an unsigned decimal integer")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  // ---------------------------------------------------------------- parse: bad bytes / keys

  @Test
  void parse_invalidUtf8Byte_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(new byte[] {(byte) 0xff}))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageStartingWith("Invalid ticket")
        .hasMessage("Invalid ticket: not valid UTF-8");
  }

  @Test
  void parse_invalidUtf8InsideOtherwiseValidTicket_rejected() {
    byte[] prefix = utf8("app/s/o");
    byte[] ticket = new byte[prefix.length + 3];
    System.arraycopy(prefix, 0, ticket, 0, prefix.length);
    ticket[prefix.length] = (byte) 0xc3; // lead byte of a 2-byte sequence ...
    ticket[prefix.length + 1] = (byte) ':'; // ... not followed by a continuation byte
    ticket[prefix.length + 2] = (byte) '1';

    assertThatThrownBy(() -> GetTicket.parse(ticket))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageStartingWith("Invalid ticket");
  }

  @Test
  void parse_utf8EncodedSurrogate_rejected() {
    // CESU-style encoding of U+D800 is not valid UTF-8.
    assertThatThrownBy(
            () -> GetTicket.parse(new byte[] {'a', '/', 'b', '/', (byte) 0xed, (byte) 0xa0, (byte) 0x80}))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageStartingWith("Invalid ticket");
  }

  @Test
  void parse_emptyTicket_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(new byte[0]))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '': expected '<app>/<session>/<object>'");
  }

  @Test
  void parse_traversalKey_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/../o:1")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/../o': session must not be '.' or contain '..'");
  }

  @Test
  void parse_emptyComponentKey_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app//o:1")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app//o': session is empty");
  }

  @Test
  void parse_wildcardKey_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/*/o:1")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("wildcard '*'");
  }

  @Test
  void parse_twoPartKey_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8("app/s:1")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key 'app/s': expected '<app>/<session>/<object>'");
  }

  @Test
  void parse_onlyVersion_rejected() {
    assertThatThrownBy(() -> GetTicket.parse(utf8(":1")))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("Invalid key '': expected '<app>/<session>/<object>'");
  }

  // ---------------------------------------------------------------- encode

  @Test
  void encode_keyAndVersion_keyColonDecimal() {
    GetTicket ticket = new GetTicket(ObjectKey.parse("app/s/o"), Version.of(3));

    assertThat(new String(ticket.encode(), StandardCharsets.UTF_8)).isEqualTo("app/s/o:3");
  }

  @Test
  void encode_versionZero_writesZero() {
    GetTicket ticket = new GetTicket(ObjectKey.parse("app/s/o"), Version.of(0));

    assertThat(ticket.encode()).isEqualTo(utf8("app/s/o:0"));
  }

  @Test
  void encode_negativeLong_writtenUnsigned() {
    GetTicket ticket = new GetTicket(ObjectKey.parse("app/s/o"), Version.of(-1L));

    assertThat(new String(ticket.encode(), StandardCharsets.UTF_8))
        .isEqualTo("app/s/o:18446744073709551615");
  }

  @Test
  void encode_unicodeKey_utf8Bytes() {
    GetTicket ticket = new GetTicket(ObjectKey.parse("应用/ü/🚀"), Version.of(1));

    assertThat(ticket.encode()).isEqualTo(utf8("应用/ü/🚀:1"));
  }

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, 42L, Long.MAX_VALUE, Long.MIN_VALUE, -2L, -1L})
  void encode_thenParse_roundTrips(long version) {
    GetTicket ticket = new GetTicket(ObjectKey.parse("my app/sitzung ü/550e8400-e29b-41d4-a716-446655440000"), Version.of(version));

    GetTicket decoded = GetTicket.parse(ticket.encode());

    assertThat(decoded).isEqualTo(ticket);
    assertThat(decoded.clientVersion().bits()).isEqualTo(version);
  }

  @Test
  void parse_thenEncode_canonicalizesVersion() {
    assertThat(GetTicket.parse(utf8("app/s/o:+007")).encode()).isEqualTo(utf8("app/s/o:7"));
    assertThat(GetTicket.parse(utf8("app/s/o")).encode()).isEqualTo(utf8("app/s/o:0"));
  }
}
