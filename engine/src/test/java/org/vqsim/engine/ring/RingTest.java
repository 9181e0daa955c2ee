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

  /**
   * virtqueue_enable_cb_delayed (Linux 6.1): with 8 chains in flight used_event is last_used + 8 * 3/4
   * = 6, and the device interrupts when the used index passes it — at the 7th push, not before; on
   * both layouts.
   */
  @Test
  void enableCbDelayedAsksForAnInterruptAfterThreeQuartersOfWhatIsInFlight() {
    for (Ring r : Ring.values()) {
      GuestMemory mem = new GuestMemory(64L << 20);
      Ring.Queues q = r.create(mem, 16, BASE, true, false);
      for (int i = 0; i < 8; i++) {
        Chain c = new Chain(1);
        c.add(0x30_0000L + i * 0x1000L, 64, false);
        q.driver().addDirect(mem, c, i);
      }
      q.driver().kickPrepare(mem);
      q.driver().disableCb(mem);
      assertThat(q.driver().enableCbDelayed(mem)).as(r.id).isTrue();
      q.device().shouldNotify(mem); // QEMU's first decision after reset always notifies (signalled_used_valid)
      Chain popped = new Chain(1);
      int notified = -1;
      for (int i = 0; i < 8; i++) {
        assertThat(q.device().pop(mem, popped)).isTrue();
        q.device().fill(mem, popped.head, 0);
        q.device().flush(mem);
        if (q.device().shouldNotify(mem) && notified < 0) notified = i + 1;
      }
      assertThat(notified).as(r.id + ": the push that interrupts").isEqualTo(7);
      // all 8 used and none taken: more than 3/4 are already there, so the driver must poll again
      q.driver().disableCb(mem);
      assertThat(q.driver().enableCbDelayed(mem)).as(r.id).isFalse();
    }
  }
}
