package dev.flightcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.Permission;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  private final Principal teamAdmin =
      new Principal("team-admin", List.of(Grant.parse("admin,read,write:team-a/*"), Grant.parse("read:shared/s/*")), null);

  @Test
  void grantParse_permissionsAndAll() {
    assertThat(Grant.parse("read,write:a/*").permissions()).containsExactlyInAnyOrder(Permission.READ, Permission.WRITE);
    assertThat(Grant.parse("all:*").permissions()).isEqualTo(EnumSet.allOf(Permission.class));
    assertThat(Grant.parse("write,read:a/s/*")).hasToString("read,write:a/s/*");
  }

  @Test
  void grantParse_badInput_rejected() {
    assertThatThrownBy(() -> Grant.parse("read")).hasMessageContaining("expected '<perms>:<scope>'");
    assertThatThrownBy(() -> Grant.parse("fly:a/*")).hasMessageContaining("unknown permission 'fly'");
    assertThatThrownBy(() -> Grant.parse("read,:a/*")).hasMessageContaining("unknown permission ''");
    assertThatThrownBy(() -> Grant.parse("read:")).hasMessageContaining("expected '<perms>:<scope>'");
  }

  @Test
  void require_checksPermissionAndScope() {
    teamAdmin.require(Permission.WRITE, Scope.of(ObjectKey.parse("team-a/s/o")), "team-a/s/o");
    teamAdmin.require(Permission.READ, Scope.of(ObjectKey.parse("shared/s/o")), "shared/s/o");

    assertThatThrownBy(() -> teamAdmin.require(Permission.WRITE, Scope.of(ObjectKey.parse("shared/s/o")), "shared/s/o"))
        .isInstanceOf(PermissionDeniedException.class).hasMessage("not permitted: write on shared/s/o");
    assertThatThrownBy(() -> teamAdmin.require(Permission.DELETE, Scope.parse("team-a/*"), "team-a/*"))
        .hasMessage("not permitted: delete on team-a/*");
  }

  @Test
  void requireDelegable_narrowerOrEqual_accepted() {
    teamAdmin.requireDelegable(Grant.parse("read:team-a/s1/*"));
    teamAdmin.requireDelegable(Grant.parse("read,write:team-a/*"));
    teamAdmin.requireDelegable(Grant.parse("admin:team-a/s1/o"));
  }

  @Test
  void requireDelegable_widerOrWithoutAdmin_rejected() {
    assertThatThrownBy(() -> teamAdmin.requireDelegable(Grant.parse("delete:team-a/s1/*")))
        .hasMessage("not permitted: delete on team-a/s1/*");
    assertThatThrownBy(() -> teamAdmin.requireDelegable(Grant.parse("read:*"))).hasMessage("not permitted: admin on *");
    // Read on shared, but no admin there: cannot hand it on.
    assertThatThrownBy(() -> teamAdmin.requireDelegable(Grant.parse("read:shared/s/*")))
        .hasMessage("not permitted: admin on shared/s/*");
  }
}
