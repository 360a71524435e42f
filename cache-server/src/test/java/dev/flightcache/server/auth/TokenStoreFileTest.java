package dev.flightcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreFileTest {
  @TempDir Path dir;

  private static String line(String name, String token) {
    return name + " sha256:" + TokenStore.sha256Hex(token) + " read:" + name + "/*\n";
  }

  @Test
  void reloadIfChanged_newContent_oldTokenStopsNewOneWorks() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), line("a", "old-token"));
    TokenStoreFile tokens = TokenStoreFile.load(file);
    assertThat(tokens.reloadIfChanged()).isFalse();

    Files.writeString(file, line("a", "new-token"));

    assertThat(tokens.reloadIfChanged()).isTrue();
    assertThat(tokens.current().byToken("old-token")).isNull();
    assertThat(tokens.current().byToken("new-token").name()).isEqualTo("a");
  }

  @Test
  void reloadIfChanged_brokenOrMissingFile_keepsThePreviousStore() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), line("a", "a-token"));
    TokenStoreFile tokens = TokenStoreFile.load(file);

    Files.writeString(file, line("a", "a-token") + "b sha256:nothex read:b/*\n");
    assertThat(tokens.reloadIfChanged()).isFalse();
    assertThat(tokens.current().byToken("a-token").name()).isEqualTo("a");

    Files.delete(file);
    assertThat(tokens.reloadIfChanged()).isFalse();
    assertThat(tokens.current().byToken("a-token").name()).isEqualTo("a");

    Files.writeString(file, line("b", "b-token"));
    assertThat(tokens.reloadIfChanged()).isTrue();
    assertThat(tokens.current().byToken("a-token")).isNull();
  }

  @Test
  void load_brokenOrMissingFile_rejected() throws Exception {
    assertThatThrownBy(() -> TokenStoreFile.load(dir.resolve("missing"))).hasMessageContaining("cannot read");
    Path bad = Files.write(dir.resolve("bad"), new byte[] {(byte) 0xff, '\n'});
    assertThatThrownBy(() -> TokenStoreFile.load(bad)).hasMessageContaining("not valid UTF-8");
  }
}
