package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/** The ring registry: CLI ids, each layout's queue-size rule, and both sides built over the same bytes. */
class RingTest {
  private static final long BASE = 0x10_0000L;

  @Test
  void idsAreSplitAndPacked() {
    assertThat(Ring.ids()).containsExactly("split", "packed");
    assertThat(Ring.of("split")).isEqualTo(Ring.SPLIT);
    assertThat(Ring.of("packed")).isEqualTo(Ring.PACKED);
  }

  @Test
  void anUnknownIdSuggestsTheClosest() {
    assertThatThrownBy(() -> Ring.of("paked"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown ring 'paked'")
        .hasMessageContaining("did you mean 'packed'")
        .hasMessageContaining("known: split, packed");
  }

  @Test
  void eachRingHasItsOwnQueueSizeRule() {
    assertThat(Ring.SPLIT.queueSizeError(256)).isNull();
    assertThat(Ring.SPLIT.queueSizeError(100)).contains("queue size 100").contains("power of two");
    assertThat(Ring.PACKED.queueSizeError(100)).isNull();
    assertThat(Ring.PACKED.queueSizeError(32768)).isNull();
    assertThat(Ring.PACKED.queueSizeError(32769)).contains("§2.8");
    assertThatThrownBy(() -> Ring.SPLIT.create(new GuestMemory(64L << 20), 100, BASE, true, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
  }

  @Test
  void createBuildsBothSidesOverOneRing() {
    for (Ring r : Ring.values()) {
      GuestMemory mem = new GuestMemory(64L << 20);
      Ring.Queues q = r.create(mem, 8, BASE, true, true);
      Chain c = new Chain(2);
      c.add(0x30_0000L, 16, false);
      c.add(0x30_0010L, 1, true);
      int head = q.driver().addDirect(mem, c, 42);
      Chain popped = new Chain(4);

      assertThat(q.device().pop(mem, popped)).as(r.id).isTrue();
      assertThat(popped.head).isEqualTo(head);
      q.device().fill(mem, popped.head, 1);
      q.device().flush(mem);
      assertThat(q.driver().getBuf(mem)).isEqualTo(42);
      assertThat(q.driver().numFree()).isEqualTo(8);
    }
    GuestMemory mem = new GuestMemory(64L << 20);
    assertThat(Ring.PACKED.create(mem, 8, BASE, true, true).end()).isEqualTo(BASE + 16 * 8 + 8);
    assertThat(Ring.SPLIT.create(mem, 8, BASE, true, true).end()).isEqualTo(RingLayout.contiguous(8, BASE, Ring.SPLIT_USED_ALIGN).end());
  }
}
