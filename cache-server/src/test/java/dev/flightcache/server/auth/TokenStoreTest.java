package dev.flightcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class TokenStoreTest {
  private static final String TEAM_A_HASH = TokenStore.sha256Hex("team-a-token");

  @Test
  void sha256Hex_asSha256sumPrintsIt() {
    // printf %s abc | sha256sum
    assertThat(TokenStore.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void parse_tokenAndCertificateLines_lookedUpByHashAndSubject() {
    TokenStore store = TokenStore.parse(String.join("\n",
        "# name credential grants",
        "",
        "team-a  sha256:" + TEAM_A_HASH.toUpperCase() + "  read,write,delete:team-a/*   read:shared/*",
        "exec-7\tcert:CN=exec-7,o=team-a\tread:team-a/*",
        "spaced cert:CN=exec\\207,O=team-a read:team-a/s7/*"), "tokens");

    Principal teamA = store.byToken("team-a-token");
    assertThat(teamA.name()).isEqualTo("team-a");
    assertThat(teamA.grants()).extracting(Grant::toString).containsExactly("read,write,delete:team-a/*", "read:shared/*");
    assertThat(store.byToken("other-token")).isNull();
    assertThat(store.byCertificate(new X500Principal("CN=exec-7,O=team-a")).name()).isEqualTo("exec-7");
    assertThat(store.byCertificate(new X500Principal("CN=exec-8,O=team-a"))).isNull();
    // Spaces inside a subject are written as \20, since fields are separated by spaces.
    assertThat(store.byCertificate(new X500Principal("CN=exec 7, O=team-a")).name()).isEqualTo("spaced");
    assertThat(store.size()).isEqualTo(3);
  }

  @Test
  void parse_badLine_wholeFileInvalidNamingFileAndLine() {
    String good = "team-a sha256:" + TEAM_A_HASH + " read:team-a/*";
    assertThatThrownBy(() -> TokenStore.parse(good + "\nteam-b sha256:abc read:team-b/*\n", "/etc/tokens"))
        .hasMessageStartingWith("/etc/tokens:2: ").hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> TokenStore.parse("\n\nteam-b sha256:" + TEAM_A_HASH + " read:team-b\n", "f"))
        .hasMessageStartingWith("f:3: ").hasMessageContaining("invalid scope 'team-b'");
    assertThatThrownBy(() -> TokenStore.parse(good + "\nteam-a cert:CN=x read:a/*", "f")).hasMessage("f:2: name 'team-a' appears twice");
    assertThatThrownBy(() -> TokenStore.parse(good + "\nother sha256:" + TEAM_A_HASH + " read:a/*", "f"))
        .hasMessage("f:2: the same token hash appears twice");
    assertThatThrownBy(() -> TokenStore.parse("team-a sha256:" + TEAM_A_HASH, "f")).hasMessageContaining("expected '<name> <credential> <grant>...'");
    assertThatThrownBy(() -> TokenStore.parse("team-a plain:secret read:a/*", "f")).hasMessageContaining("'sha256:' or 'cert:'");
    assertThatThrownBy(() -> TokenStore.parse("x cert:not a dn read:a/*", "f")).hasMessageContaining("f:1: ");
  }

  @Test
  void parseError_neverContainsMoreThanTheHash() {
    // The store holds hashes only; a message may quote a line's fields, never a token.
    assertThatThrownBy(() -> TokenStore.parse("team-a sha256:" + TEAM_A_HASH + " read:nope", "f"))
        .message().doesNotContain("team-a-token");
  }
}
