package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Free-running 16-bit ring indices and the event-index test (virtio 1.2 §2.7.10, Linux vring_need_event). */
class RingIndexTest {

  /**
   * The independent statement of the rule: the other side asked to hear about entry {@code event};
   * the entries just published are old, old+1, …, new-1 (mod 2^16); notify iff one of them is it.
   */
  private static boolean eventInPublishedWindow(int event, int newIdx, int oldIdx) {
    int published = (newIdx - oldIdx) & 0xffff;
    for (int k = 0; k < published; k++) {
      if (((oldIdx + k) & 0xffff) == (event & 0xffff)) return true;
    }
    return false;
  }

  @Test
  void needEventMatchesThePublishedWindowRuleExhaustivelyAcrossWrapAround() {
    int[] olds = {0, 1, 7, 100, 32767, 32768, 65000, 65530, 65533, 65534, 65535};
    long checked = 0;
    for (int old : olds) {
      for (int added = 0; added <= 40; added++) {
        int newIdx = (old + added) & 0xffff;
        // every event index near the window, on both sides, plus a sweep of the whole 16-bit space
        for (int e = -48; e <= 48; e++) {
          int event = (old + e) & 0xffff;
          assertThat(RingIndex.needEvent(event, newIdx, old))
              .as("event=%d new=%d old=%d", event, newIdx, old)
              .isEqualTo(eventInPublishedWindow(event, newIdx, old));
          checked++;
        }
        for (int event = 0; event < 65536; event += 251) {
          assertThat(RingIndex.needEvent(event, newIdx, old)).isEqualTo(eventInPublishedWindow(event, newIdx, old));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(100_000);
  }

  @Test
  void needEventIsExhaustivelyCorrectForEveryEventAndOldIndexAroundTheWrap() {
    // all 2^16 event values for windows straddling 65535 -> 0
    for (int old = 65520; old <= 65535; old++) {
      for (int added = 0; added <= 20; added++) {
        int newIdx = (old + added) & 0xffff;
        for (int event = 0; event < 65536; event++) {
          boolean expected = eventInPublishedWindow(event, newIdx, old);
          if (RingIndex.needEvent(event, newIdx, old) != expected) {
            throw new AssertionError("needEvent(" + event + ", " + newIdx + ", " + old + ") != " + expected);
          }
        }
      }
    }
  }

  @Test
  void nothingPublishedNeverNotifies() {
    for (int i = 0; i < 65536; i += 7) assertThat(RingIndex.needEvent(i, i, i)).isFalse();
  }

  @Test
  void distanceWrapsModulo65536() {
    assertThat(RingIndex.distance(0, 0)).isZero();
    assertThat(RingIndex.distance(10, 14)).isEqualTo(4);
    assertThat(RingIndex.distance(65535, 0)).isEqualTo(1);
    assertThat(RingIndex.distance(65535, 1)).isEqualTo(2);
    assertThat(RingIndex.distance(65530, 3)).isEqualTo(9);
    assertThat(RingIndex.distance(1, 0)).isEqualTo(65535);
    for (int from = 65000; from < 65536; from += 13) {
      for (int d = 0; d < 1000; d += 17) {
        assertThat(RingIndex.distance(from, RingIndex.u16(from + d))).isEqualTo(d);
      }
    }
  }

  @Test
  void u16KeepsTheLow16Bits() {
    assertThat(RingIndex.u16(65536)).isZero();
    assertThat(RingIndex.u16(65537)).isEqualTo(1);
    assertThat(RingIndex.u16(-1)).isEqualTo(65535);
  }
}
