package org.vqsim.engine.dma;

import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * The bouncing part of every {@code bounce} / {@code +bounce} strategy: Linux 6.1 {@code
 * swiotlb_tbl_map_single} / {@code swiotlb_tbl_unmap_single}. At map time the buffer is copied
 * into its slots in every direction (since 5.19, so that stale pool data never reaches the device
 * — "we must copy to ensure kernel data doesn't leak"); at unmap it is copied back when the device
 * may have written it (FROM_DEVICE, BIDIRECTIONAL). The bytes really move in guest memory; their
 * cost is charged per KiB.
 *
 * <p>Locks: the slot search runs under its area's spinlock ({@code swiotlb_do_find_slots}, swiotlb.c
 * 6.1 lines 639–693), the CPU's own area first, then the next ones; the release takes the lock of the
 * area the slots came from (lines 788–825). The copies run outside the locks (lines 777, 840).
 */
final class SwiotlbBouncer {
  private final CycleLedger ledger;
  private final GuestMemory mem;
  private final SwiotlbPool pool;
  private final long allocCycles, releaseCycles;
  private final Timeline tl;
  private final Lock[] areaLocks;
  private final double copyCyclesPerByte;
  private final PageTable origOf;

  SwiotlbBouncer(DmaContext ctx, long poolBase) {
    this.ledger = ctx.ledger();
    this.mem = ctx.memory();
    int pageSize = (int) ctx.profile().get(CostFigure.PAGE_SIZE);
    this.pool = new SwiotlbPool(poolBase, ctx.options().swiotlbPoolBytes(), ctx.options().areasFor(ctx.vcpus()), pageSize);
    this.allocCycles = ctx.profile().cycles(CostFigure.BOUNCE_ALLOC_CYCLES);
    this.releaseCycles = ctx.profile().cycles(CostFigure.BOUNCE_RELEASE_CYCLES);
    this.tl = ctx.timeline();
    this.areaLocks = new Lock[pool.areas()];
    for (int a = 0; a < areaLocks.length; a++) areaLocks[a] = tl.lock("swiotlb.area", Lock.Kind.SPIN, a);
    this.copyCyclesPerByte = ctx.profile().get(CostFigure.BOUNCE_COPY_CYCLES_PER_KIB) / 1024.0;
    this.origOf = new PageTable(); // by slot: tlb >>> IO_TLB_SHIFT
  }

  SwiotlbPool pool() { return pool; }

  /** Bounces a buffer into the pool; returns the slot address, or {@link DmaStrategy#MAPPING_ERROR} when the pool is full. */
  long map(int slot, long paddr, int length, DmaDirection dir) {
    int first = pool.firstArea(tl.cpu());
    long tlb = SwiotlbPool.NOT_FOUND;
    for (int k = 0; k < pool.areas() && tlb == SwiotlbPool.NOT_FOUND; k++) {
      int a = (first + k) & (pool.areas() - 1);
      tl.hold(areaLocks[a], slot, Actor.VCPU, Category.BOUNCE_ALLOC, allocCycles);
      tlb = pool.allocInArea(a, length);
    }
    if (tlb == SwiotlbPool.NOT_FOUND) {
      pool.failed();
      return DmaStrategy.MAPPING_ERROR;
    }
    origOf.put(tlb >>> SwiotlbPool.IO_TLB_SHIFT, paddr);
    mem.copy(paddr, tlb, length);
    ledger.charge(slot, Actor.VCPU, Category.BOUNCE_COPY, Math.round(length * copyCyclesPerByte));
    ledger.count(slot, EventKind.BOUNCES, 1);
    ledger.count(slot, EventKind.BOUNCE_BYTES, length);
    return tlb;
  }

  /** Copies back what the device wrote (if it could write) and frees the slots. */
  void unmap(int slot, long tlb, int length, DmaDirection dir) {
    long orig = (tlb & ((1L << SwiotlbPool.IO_TLB_SHIFT) - 1)) != 0 ? -1 : origOf.get(tlb >>> SwiotlbPool.IO_TLB_SHIFT, -1);
    if (orig < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "unmap of 0x%x, which is not a bounce slot in use", tlb));
    if (dir == DmaDirection.FROM_DEVICE || dir == DmaDirection.BIDIRECTIONAL) {
      mem.copy(tlb, orig, length);
      ledger.charge(slot, Actor.VCPU, Category.BOUNCE_COPY, Math.round(length * copyCyclesPerByte));
    }
    origOf.remove(tlb >>> SwiotlbPool.IO_TLB_SHIFT);
    tl.hold(areaLocks[pool.areaOf(tlb)], slot, Actor.VCPU, Category.BOUNCE_ALLOC, releaseCycles);
    pool.release(tlb);
  }

  long live() { return origOf.size(); }
}
