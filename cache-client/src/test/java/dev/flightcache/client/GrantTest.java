package dev.flightcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.Permission;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrantTest {
  @ParameterizedTest
  @ValueSource(strings = {"read:*", "read,write:team-a/*", "read,delete:team-a/run-7/*", "write:team-a/run-7/model.bin",
      "read,write,delete,admin:*"})
  void parse_storeForms_toStringGivesThemBack(String text) {
    assertThat(Grant.parse(text)).hasToString(text);
  }

  @Test
  void parse_allAndAnyOrder_permissionsInEnumOrder() {
    assertThat(Grant.parse("all:team-a/*").permissions()).containsExactly(Permission.values());
    assertThat(Grant.parse("write,read,read:x/*")).hasToString("read,write:x/*");
    assertThat(Grant.parse("write,read:x/*")).isEqualTo(Grant.of("x/*", Permission.READ, Permission.WRITE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"read", "read:", ":app/*", "read:app", "read:app/*/*", "read:*/s/*", "read:a/b/c/d", "read:a/../x",
      "read:a/s:1/o", "Read:app/*", "read,:app/*", "list:app/*", "read:a//*"})
  void parse_badForms_illegalArgumentNamingIt(String text) {
    assertThatThrownBy(() -> Grant.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("null");
  }

  @Test
  void grant_noPermissions_rejected_andPermissionsUnmodifiable() {
    assertThatThrownBy(() -> new Grant("app/*", Set.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grant on 'app/*' has no permissions");
    EnumSet<Permission> given = EnumSet.of(Permission.READ);
    Grant grant = new Grant("app/*", given);
    given.add(Permission.ADMIN);

    assertThat(grant.permissions()).containsExactly(Permission.READ);
    assertThatThrownBy(() -> grant.permissions().add(Permission.WRITE)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void permission_wireNames_roundTrip() {
    for (Permission permission : Permission.values()) {
      assertThat(Permission.parse(permission.wireName())).containsExactly(permission);
    }
    assertThat(Permission.ADMIN.wireName()).isEqualTo("admin");
  }
}
