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
  private final long[] slotActor;
  private final long[] slotEvents;
  private final long[] slotPopPs, slotFillPs;
  private long grandTotal;

  public CycleLedger(int slots) {
    slotActor = new long[slots * A];
    slotEvents = new long[slots * E];
    slotPopPs = new long[slots];
    slotFillPs = new long[slots];
  }

  /**
   * Records when the device popped the slot's request and when it filled its used entry, in ps —
   * the model's counterpart of QEMU's {@code virtqueue_pop} and {@code virtqueue_fill} trace points,
   * whose difference is the device service time a capture shows.
   */
  public void markPop(int slot, long ps) { slotPopPs[slot] = ps; }
  public void markFill(int slot, long ps) { slotFillPs[slot] = ps; }
  /** The device service time of the slot's request (fill − pop), ps; 0 before it was filled. */
  public long slotServicePs(int slot) { return slotFillPs[slot] - slotPopPs[slot]; }

  public int slots() { return slotActor.length / A; }

  public void charge(int slot, Actor actor, Category category, long cycles) {
    if (cycles == 0) return;
    total[actor.ordinal() * C + category.ordinal()] += cycles;
    slotActor[slot * A + actor.ordinal()] += cycles;
    grandTotal += cycles;
  }

  public void count(int slot, EventKind kind, long n) {
    totalEvents[kind.ordinal()] += n;
    slotEvents[slot * E + kind.ordinal()] += n;
  }

  /** Forgets what the slot's previous request accumulated; call when a new request takes the slot. */
  public void resetSlot(int slot) {
    Arrays.fill(slotActor, slot * A, slot * A + A, 0L);
    Arrays.fill(slotEvents, slot * E, slot * E + E, 0L);
    slotPopPs[slot] = 0;
    slotFillPs[slot] = 0;
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

  public long slotCycles(int slot, Actor actor) { return slotActor[slot * A + actor.ordinal()]; }

  public long slotGuestCycles(int slot) { return slotActor[slot * A + Actor.VCPU.ordinal()]; }

  public long slotHostCycles(int slot) {
    long s = 0;
    for (int a = 0; a < A; a++) if (a != Actor.VCPU.ordinal()) s += slotActor[slot * A + a];
    return s;
  }

  public long slotEvents(int slot, EventKind kind) { return slotEvents[slot * E + kind.ordinal()]; }
}
