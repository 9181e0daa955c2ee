package org.vqsim.engine.cost;

import java.util.Arrays;

/**
 * Every modelled cost, charged as (actor, category, cycles) right where the modelled step happens,
 * and every counted event. Totals are kept per actor × category; each charge and count is also
 * attributed to the request slot on whose behalf it was made, so per-request figures add up
 * exactly to the totals (a cost shared by several requests, such as one interrupt for a batch of
 * completions, is charged to the request that caused it).
 *
 * <p>Flat {@code long[]} arrays indexed by ordinal: no allocation after construction.
 */
public final class CycleLedger {
  private static final int A = Actor.COUNT;
  private static final int C = Category.COUNT;
  private static final int E = EventKind.COUNT;

  private final long[] total = new long[A * C];
  private final long[] totalEvents = new long[E];
  /**
   * Per slot, side by side (a replay with a thousand requests in flight touches a thousand slots, and
   * each should cost as few cache lines as it can): cycles by actor, events by kind, pop and fill time.
   */
  private final long[] slot;
  private static final int ACTOR_AT = 0, EVENT_AT = A, POP_AT = A + E, FILL_AT = A + E + 1;
  private static final int STRIDE = A + E + 2;
  private long grandTotal;

  public CycleLedger(int slots) {
    slot = new long[slots * STRIDE];
  }

  /**
   * Records when the device popped the slot's request and when it filled its used entry, in ps —
   * the model's counterpart of QEMU's {@code virtqueue_pop} and {@code virtqueue_fill} trace points,
   * whose difference is the device service time a capture shows.
   */
  public void markPop(int s, long ps) { slot[s * STRIDE + POP_AT] = ps; }
  public void markFill(int s, long ps) { slot[s * STRIDE + FILL_AT] = ps; }
  /** The device service time of the slot's request (fill − pop), ps; 0 before it was filled. */
  public long slotServicePs(int s) { return slot[s * STRIDE + FILL_AT] - slot[s * STRIDE + POP_AT]; }
  /** When the device popped the slot's request, ps (0 before). */
  public long slotPopPs(int s) { return slot[s * STRIDE + POP_AT]; }

  public int slots() { return slot.length / STRIDE; }

  public void charge(int s, Actor actor, Category category, long cycles) {
    if (cycles == 0) return;
    total[actor.ordinal() * C + category.ordinal()] += cycles;
    slot[s * STRIDE + ACTOR_AT + actor.ordinal()] += cycles;
    grandTotal += cycles;
  }

  public void count(int s, EventKind kind, long n) {
    totalEvents[kind.ordinal()] += n;
    slot[s * STRIDE + EVENT_AT + kind.ordinal()] += n;
  }

  /** Forgets what the slot's previous request accumulated; call when a new request takes the slot. */
  public void resetSlot(int s) {
    Arrays.fill(slot, s * STRIDE, s * STRIDE + STRIDE, 0L);
  }

  /** All cycles charged so far, every actor and category. */
  public long grandTotal() { return grandTotal; }

  public long total(Actor actor, Category category) { return total[actor.ordinal() * C + category.ordinal()]; }

  public long total(Actor actor) {
    long s = 0;
    for (int c = 0; c < C; c++) s += total[actor.ordinal() * C + c];
    return s;
  }

  public long total(Category category) {
    long s = 0;
    for (int a = 0; a < A; a++) s += total[a * C + category.ordinal()];
    return s;
  }

  public long events(EventKind kind) { return totalEvents[kind.ordinal()]; }

  public long slotCycles(int s, Actor actor) { return slot[s * STRIDE + ACTOR_AT + actor.ordinal()]; }

  public long slotGuestCycles(int s) { return slot[s * STRIDE + ACTOR_AT + Actor.VCPU.ordinal()]; }

  public long slotHostCycles(int s) {
    long sum = 0;
    for (int a = 0; a < A; a++) if (a != Actor.VCPU.ordinal()) sum += slot[s * STRIDE + ACTOR_AT + a];
    return sum;
  }

  public long slotEvents(int s, EventKind kind) { return slot[s * STRIDE + EVENT_AT + kind.ordinal()]; }
}
