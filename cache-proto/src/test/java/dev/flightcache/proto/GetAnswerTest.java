package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcache.proto.GetAnswer.Part;
import java.util.List;
import org.junit.jupiter.api.Test;

/** flame's decision table (docs/protocol.md, do_get), rule by rule. */
class GetAnswerTest {
  /** Base at 3, patches 4 and 5: current version 5. */
  private static final Part<String> BASE = new Part<>(Version.of(3), 10, "b3");
  private static final List<Part<String>> PATCHES =
      List.of(new Part<>(Version.of(4), 1, "p4"), new Part<>(Version.of(5), 2, "p5"));

  private static GetAnswer<String> decide(long held) {
    return GetAnswer.decide(Version.of(held), false, BASE, PATCHES);
  }

  @Test
  void decide_heldCurrent_notModified() {
    assertThat(decide(5)).isEqualTo(new GetAnswer.NotModified<String>(Version.of(5)));
  }

  @Test
  void decide_heldBetweenBaseAndCurrent_patchesAfterHeld() {
    assertThat(decide(4)).isEqualTo(new GetAnswer.Patches<>(List.of(PATCHES.get(1))));
    assertThat(decide(3)).isEqualTo(new GetAnswer.Patches<>(PATCHES));
    assertThat(decide(4).payloadBytes()).isEqualTo(2);
  }

  @Test
  void decide_noneBelowBaseOrAboveCurrent_full() {
    GetAnswer<String> full = new GetAnswer.Full<>(BASE, PATCHES);
    assertThat(decide(0)).isEqualTo(full);
    assertThat(decide(2)).isEqualTo(full);
    assertThat(decide(6)).isEqualTo(full);
    assertThat(decide(0).payloadBytes()).isEqualTo(13);
    assertThat(decide(0).version()).isEqualTo(Version.of(5));
  }

  @Test
  void decide_heldWithHighBitAboveCurrent_fullNotPatches() {
    // Signed, -1 would sit below the base and pass for "behind"; unsigned it is far ahead.
    assertThat(decide(-1L)).isInstanceOf(GetAnswer.Full.class);
  }

  @Test
  void decide_versionsWithHighBit_comparedUnsigned() {
    Part<String> base = new Part<>(Version.of(Long.MAX_VALUE), 1, "b");
    List<Part<String>> patches = List.of(new Part<>(Version.of(Long.MIN_VALUE), 1, "p"));

    assertThat(GetAnswer.decide(Version.of(Long.MAX_VALUE), false, base, patches))
        .isEqualTo(new GetAnswer.Patches<>(patches));
  }

  @Test
  void decide_table_wholeUnlessCurrent() {
    Part<String> table = new Part<>(Version.of(7), 100, "t7");

    assertThat(GetAnswer.decide(Version.of(7), true, table, List.of())).isInstanceOf(GetAnswer.NotModified.class);
    assertThat(GetAnswer.decide(Version.NONE, true, table, List.of())).isEqualTo(new GetAnswer.Table<>(table));
    assertThat(GetAnswer.decide(Version.of(3), true, table, List.of())).isEqualTo(new GetAnswer.Table<>(table));
  }

  @Test
  void decide_baseOnly_heldNoneOrOther_full() {
    assertThat(GetAnswer.decide(Version.of(2), false, BASE, List.of())).isEqualTo(new GetAnswer.Full<>(BASE, List.of()));
    assertThat(GetAnswer.decide(Version.of(3), false, BASE, List.of())).isInstanceOf(GetAnswer.NotModified.class);
  }
}
