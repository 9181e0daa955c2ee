package org.vqsim.engine.sim;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CycleLedger;

/**
 * The discrete-event timeline: pending events in time order, the servers that run passes, and the
 * locks they contend for.
 *
 * <p>A pass runs on one server from {@link #begin} to {@link #end}. Its clock, {@link #nowPs}, starts
 * when both the event and the server are ready and advances with every cycle charged to the ledger
 * during the pass (at the profile's clock), and with every wait for a lock. Costs and time therefore
 * cannot disagree: a pass is as long as the work charged in it plus the time it spent waiting.
 *
 * <p>Locks: {@link #hold} for a hold of known length (the work under the lock is charged by it),
 * {@link #acquire}/{@link #release} around work whose length is known only afterwards. A wait on a
 * {@link Lock.Kind#SPIN} lock is charged to the waiting pass's request as {@link Category#LOCK_WAIT}
 * cycles of the {@link Actor#VCPU}; a wait on a {@link Lock.Kind#MUTEX} only adds time.
 */
public final class Timeline {
  private final CycleLedger ledger;
  /** Picoseconds per 1024 cycles, so that turning cycles into time is integer arithmetic. */
  private final long psPer1024Cycles;
  final EventQueue events = new EventQueue();
  private final List<Lock> locks = new ArrayList<>();

  private Server current;
  private long passStartPs, passCycles0, blockedPs;
  /** The current event's time: nothing can be asked of a lock before it, and the time outside a pass. */
  private long eventPs;

  public Timeline(CycleLedger ledger, double cpuGhz) {
    this.ledger = ledger;
    this.psPer1024Cycles = Math.round(1024_000.0 / cpuGhz);
  }

  public CycleLedger ledger() { return ledger; }

  /** A new lock on this timeline (its holds are pruned as time moves on). */
  public Lock lock(String name, Lock.Kind kind, int instance) {
    Lock l = new Lock(name, kind, instance);
    locks.add(l);
    return l;
  }

  public List<Lock> locks() { return locks; }

  /** Simulated time now: the running pass's clock, or the current event's time between passes. */
  public long nowPs() {
    if (current == null) return eventPs;
    return passStartPs + (((ledger.grandTotal() - passCycles0) * psPer1024Cycles + 512) >> 10) + blockedPs;
  }

  /** The server running the current pass, or null between passes. */
  public Server current() { return current; }

  /** The vCPU running the current pass (the CPU whose per-CPU state a DMA mapping uses); 0 outside a vCPU pass. */
  public int cpu() {
    return current != null && current.kind == Server.Kind.VCPU ? current.index : 0;
  }

  /** Moves the time outside a pass (the event loop, at each event; tests). */
  public void atTime(long ps) {
    if (current != null) throw new IllegalStateException("time set during a pass on " + current);
    eventPs = ps;
  }

  /** Starts a pass on {@code s} for an event at {@code t}: it begins when both are ready. */
  public void begin(Server s, long t) {
    if (current != null) throw new IllegalStateException("pass on " + s + " while " + current + " runs one");
    current = s;
    passStartPs = Math.max(t, s.freePs);
    passCycles0 = ledger.grandTotal();
    blockedPs = 0;
  }

  /** Ends the current pass; returns its end time (the server is free from then on). */
  public long end() {
    long now = nowPs();
    current.busyPs += now - passStartPs;
    current.freePs = now;
    current = null;
    return now;
  }

  public long cyclesToPs(long cycles) {
    return (cycles * psPer1024Cycles + 512) >> 10;
  }

  private long psToCycles(long ps) {
    return (ps * 1024 + psPer1024Cycles - 1) / psPer1024Cycles;
  }

  /**
   * A hold of {@code lock} for {@code cycles} of work charged as ({@code actor}, {@code category}) to
   * request {@code slot}: the pass waits until the lock is free (in the first gap long enough), then
   * works under it.
   */
  public void hold(Lock lock, int slot, Actor actor, Category category, long cycles) {
    long t = nowPs();
    long dur = cyclesToPs(cycles);
    lock.prune(eventPs);
    long start = lock.fit(t, dur);
    waitUntil(lock, slot, t, start);
    long s = start > t ? nowPs() : t; // (without a wait the clock has not moved)
    ledger.charge(slot, actor, category, cycles);
    long e = nowPs();
    lock.place(s, e);
    lock.count(s - t, e - s);
  }

  /** Takes {@code lock} for work whose length is known at {@link #release}: it starts after every hold already placed. */
  public void acquire(Lock lock, int slot) {
    long t = nowPs();
    lock.prune(eventPs);
    long start = Math.max(t, lock.lastEnd());
    waitUntil(lock, slot, t, start);
    long s = start > t ? nowPs() : t; // (without a wait the clock has not moved)
    lock.open(s);
    lock.count(s - t, 0);
  }

  /** Releases a lock taken with {@link #acquire}. */
  public void release(Lock lock) {
    long s = lock.close();
    long e = nowPs();
    lock.place(s, e);
    lock.holdPs += e - s;
  }

  private void waitUntil(Lock lock, int slot, long t, long start) {
    if (start <= t) return;
    if (lock.kind == Lock.Kind.SPIN) {
      ledger.charge(slot, Actor.VCPU, Category.LOCK_WAIT, psToCycles(start - t));
      // the cycles' conversion rounds up: the pass is at or just past the lock's free time
    } else {
      blockedPs += start - t;
    }
  }

  /**
   * The current pass stands still for {@code ps}: its server was not running (a stall of the guest's
   * vCPU thread on its host), so time passes and no cycles are charged.
   */
  public void stall(long ps) {
    if (ps > 0) blockedPs += ps;
  }

  /** Schedules an event of {@code type} at {@code ps}; events at one time run in the order scheduled. */
  public void schedule(long ps, int type, int a, int b) {
    events.push(ps, type, a, b);
  }
}
