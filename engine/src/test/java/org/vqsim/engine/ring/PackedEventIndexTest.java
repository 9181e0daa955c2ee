package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The packed-ring event test (virtio 1.2 §2.8.10, §2.8.14): an {@code off_wrap} word names one ring
 * slot in one lap, and the other side is notified when a batch it has just been handed includes
 * that slot. {@link RingIndex#packedEventIdx} plus {@link RingIndex#needEvent} is how Linux ({@code
 * virtqueue_kick_prepare_packed}) and QEMU ({@code vring_packed_need_event}) decide; this checks it
 * against the rule stated directly, for every position, wrap and batch length of small rings.
 */
class PackedEventIndexTest {

  /** The rule itself: the batch is the slots old, old+1, …, old+added-1 with their laps; is (off, wrap) one of them? */
  private static boolean slotInBatch(int size, int oldPos, boolean oldWrap, int added, int off, boolean wrap) {
    for (int k = 0; k < added; k++) {
      int p = oldPos + k;
      boolean w = p >= size ? !oldWrap : oldWrap;
      if (p % size == off && w == wrap) return true;
    }
    return false;
  }

  /** The same rule in closed form: slots of alternating laps numbered 0..2*size-1, the batch a window of them. */
  private static boolean slotInBatchClosedForm(int size, int oldPos, boolean oldWrap, int added, int off, boolean wrap) {
    int from = oldPos + (oldWrap ? 0 : size);
    int at = off + (wrap ? 0 : size);
    return Math.floorMod(at - from, 2 * size) < added;
  }

  private static boolean linuxDecision(int size, int oldPos, boolean oldWrap, int added, int offWrap) {
    int sum = oldPos + added;
    int newPos = sum % size;
    boolean newWrap = sum >= size ? !oldWrap : oldWrap;
    int event = RingIndex.packedEventIdx(offWrap, newWrap, size);
    return RingIndex.needEvent(event, newPos, newPos - added);
  }

  @Test
  void offWrapPacksOffsetInBits0To14AndWrapInBit15() {
    assertThat(RingIndex.packedOffWrap(0, true)).isEqualTo(0x8000);
    assertThat(RingIndex.packedOffWrap(0, false)).isZero();
    assertThat(RingIndex.packedOffWrap(32767, false)).isEqualTo(0x7fff);
    assertThat(RingIndex.packedOffWrap(300, true)).isEqualTo(0x812c);
    assertThat(RingIndex.packedEventIdx(0x812c, true, 1000)).isEqualTo(300);
    assertThat(RingIndex.packedEventIdx(0x812c, false, 1000)).as("previous lap").isEqualTo(300 - 1000);
    assertThat(RingIndex.packedEventIdx(0x012c, true, 1000)).isEqualTo(300 - 1000);
  }

  @Test
  void needEventOnPackedPositionsMatchesTheBatchRuleExhaustivelyOnSmallRings() {
    long checked = 0;
    for (int size : new int[] {1, 2, 3, 5, 7, 8, 12}) {
      for (int oldPos = 0; oldPos < size; oldPos++) {
        for (boolean oldWrap : new boolean[] {true, false}) {
          for (int added = 0; added <= size; added++) {
            for (int off = 0; off < size; off++) {
              for (boolean wrap : new boolean[] {true, false}) {
                boolean expected = slotInBatch(size, oldPos, oldWrap, added, off, wrap);
                assertThat(slotInBatchClosedForm(size, oldPos, oldWrap, added, off, wrap)).isEqualTo(expected);
                assertThat(linuxDecision(size, oldPos, oldWrap, added, RingIndex.packedOffWrap(off, wrap)))
                    .as("size %d old %d wrap %s added %d event %d/%s", size, oldPos, oldWrap, added, off, wrap)
                    .isEqualTo(expected);
                checked++;
              }
            }
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(5_000);
  }

  @Test
  void needEventOnPackedPositionsMatchesTheBatchRuleOnLargeRingsNearTheEnds() {
    for (int size : new int[] {1000, 32767, 32768}) {
      int[] olds = {0, 1, size / 2, size - 3, size - 1};
      int[] addeds = {0, 1, 2, 5, size - 1, size};
      for (int oldPos : olds) {
        for (boolean oldWrap : new boolean[] {true, false}) {
          for (int added : addeds) {
            for (int d = -6; d <= 6; d++) {
              for (int base : new int[] {oldPos, (oldPos + added) % size, 0, size - 1}) {
                int off = Math.floorMod(base + d, size);
                for (boolean wrap : new boolean[] {true, false}) {
                  assertThat(linuxDecision(size, oldPos, oldWrap, added, RingIndex.packedOffWrap(off, wrap)))
                      .as("size %d old %d wrap %s added %d event %d/%s", size, oldPos, oldWrap, added, off, wrap)
                      .isEqualTo(slotInBatchClosedForm(size, oldPos, oldWrap, added, off, wrap));
                }
              }
            }
          }
        }
      }
    }
  }
}
