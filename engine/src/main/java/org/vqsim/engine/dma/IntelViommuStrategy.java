package org.vqsim.engine.dma;

import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * An emulated Intel VT-d (QEMU {@code intel-iommu,caching-mode=on}) under Linux 6.1's
 * dma-iommu and intel-iommu drivers.
 *
 * <ul>
 *   <li>map ({@code iommu_dma_map_page}): allocate an IOVA, write the page-table entries, and —
 *       because caching mode lets the IOMMU cache non-present entries — a page-selective IOTLB
 *       invalidation ({@code __mapping_notify_one} → {@code iommu_flush_iotlb_psi}), which traps
 *       to QEMU;
 *   <li>unmap, strict: clear the entries, invalidate and wait (another trap), free the IOVA;
 *       lazy: the IOVA goes to a flush queue (256 entries, 10 ms) and one domain-selective
 *       invalidation covers the batch — but Linux 6.1 refuses batching under caching mode ("IOMMU
 *       batching disallowed due to virtualization"), so lazy behaves as strict unless the model is
 *       told the host allows it;
 *   <li>device side: every access translates through QEMU's IOTLB; a miss walks the guest's page
 *       table (with vhost, the miss goes to QEMU over the vhost IOTLB interface);
 *   <li>passthrough ({@code iommu=pt}): an identity domain, so the driver uses dma-direct and QEMU
 *       switches the device to the untranslated address space: no maps, no translations.
 * </ul>
 *
 * With {@code bounce}, an encrypted guest behind the vIOMMU: the buffer is bounced through swiotlb
 * first and the slot is what the IOMMU maps (a prediction: no lab trace has it).
 *
 * <p>Locks (Linux 6.1 + QEMU 7.2):
 *
 * <ul>
 *   <li>{@code vtd.qi_lock}: the guest's invalidation-queue lock, a raw spinlock of the one emulated
 *       DMAR unit, held with interrupts off across the descriptor write, the trapping write of
 *       DMAR_IQT_REG and the poll for the wait descriptor ({@code qi_submit_sync}, dmar.c lines
 *       1352–1418). QEMU handles the write synchronously, so the lock is held across the whole exit;
 *   <li>{@code qemu.bql}: QEMU handles that MMIO exit in the vCPU thread under its big lock ({@code
 *       prepare_mmio_access}, physmem.c lines 2760–2773): the vCPU sleeps when another thread holds it;
 *   <li>{@code vtd.iommu_lock}: QEMU's IOMMU mutex, around the IOTLB scan of a page-selective
 *       invalidation ({@code vtd_iotlb_page_invalidate}, intel_iommu.c lines 2204–2206) and around
 *       every translation, page walk and IOTLB insert included ({@code vtd_do_iommu_translate}, lines
 *       1844–1960) — so a device thread translating and a vCPU invalidating contend;
 *   <li>the IOVA allocator's per-CPU caches, depot lock and rbtree lock ({@link IovaAllocator}).
 * </ul>
 */
public final class IntelViommuStrategy implements DmaStrategy {
  public enum Mode { STRICT, LAZY, PASSTHROUGH }

  private static final int VTD_PAGE_SHIFT = 12;
  private static final long VTD_PAGE_MASK = (1L << VTD_PAGE_SHIFT) - 1;
  private static final long DMA_32BIT_LIMIT = 1L << 32;

  private final String id;
  private final Mode mode;
  private final boolean batching;
  private final CycleLedger ledger;
  private final Timeline tl;
  private final SwiotlbBouncer bouncer;
  private final IovaAllocator iovas;
  private final PageTable pageTable = new PageTable();
  private final IotlbCache iotlb;
  private final long mapCycles, unmapCycles, invExitCycles, invQemuCycles, invScanCycles, hitCycles, missCycles;
  // lazy: one flush queue per CPU
  private final FlushQueue[] flushQueues;
  private final Lock qiLock, bql, iommuLock;
  private final boolean vhost;
  private long live;

  IntelViommuStrategy(String id, Mode mode, boolean bounce, DmaContext ctx) {
    this.id = id;
    this.mode = mode;
    this.ledger = ctx.ledger();
    this.tl = ctx.timeline();
    this.iovas = new IovaAllocator(1 << VTD_PAGE_SHIFT, DMA_32BIT_LIMIT, ctx);
    this.batching = mode == Mode.LAZY && ctx.options().viommuBatching();
    this.bouncer = bounce ? new SwiotlbBouncer(ctx, ctx.reservedBase()) : null;
    var p = ctx.profile();
    int entries = ctx.options().iotlbEntries() > 0 ? ctx.options().iotlbEntries() : (int) p.get(CostFigure.IOTLB_ENTRIES);
    this.iotlb = new IotlbCache(Math.max(1, entries));
    this.mapCycles = p.cycles(CostFigure.VIOMMU_MAP_CYCLES);
    this.unmapCycles = p.cycles(CostFigure.VIOMMU_UNMAP_CYCLES);
    this.invExitCycles = p.cycles(CostFigure.VIOMMU_INV_EXIT_CYCLES);
    this.invQemuCycles = p.cycles(CostFigure.VIOMMU_INV_QEMU_CYCLES);
    this.invScanCycles = p.cycles(CostFigure.VIOMMU_INV_SCAN_CYCLES);
    this.hitCycles = p.cycles(CostFigure.IOTLB_HIT_CYCLES);
    this.missCycles = p.cycles(ctx.vhost() ? CostFigure.VHOST_IOTLB_MISS_CYCLES : CostFigure.IOTLB_WALK_CYCLES);
    this.vhost = ctx.vhost();
    this.flushQueues = new FlushQueue[ctx.vcpus()];
    for (int c = 0; c < flushQueues.length; c++) flushQueues[c] = new FlushQueue(p);
    this.qiLock = tl.lock("vtd.qi_lock", Lock.Kind.SPIN, 0);
    this.bql = ctx.bql();
    this.iommuLock = tl.lock("vtd.iommu_lock", Lock.Kind.MUTEX, 0);
  }

  @Override public String id() { return id; }

  public IotlbCache iotlb() { return iotlb; }

  private static long pagesSpanned(long addr, long length) {
    return ((addr & VTD_PAGE_MASK) + length + VTD_PAGE_MASK) >>> VTD_PAGE_SHIFT;
  }

  @Override
  public long map(int slot, long paddr, int length, DmaDirection dir) {
    long phys = paddr;
    if (bouncer != null) {
      phys = bouncer.map(slot, paddr, length, dir);
      if (phys == MAPPING_ERROR) return MAPPING_ERROR;
    }
    if (mode == Mode.PASSTHROUGH) {
      live++;
      return phys;
    }
    long pages = pagesSpanned(phys, length);
    long iova = iovas.alloc(slot, tl.cpu(), pages);
    long iovaPage = iova >>> VTD_PAGE_SHIFT, physPage = phys >>> VTD_PAGE_SHIFT;
    for (long k = 0; k < pages; k++) pageTable.put(iovaPage + k, physPage + k);
    ledger.charge(slot, Actor.VCPU, Category.MAP, mapCycles);
    ledger.count(slot, EventKind.MAPS, 1);
    // caching mode: the new entries must be invalidated so QEMU does not use a cached non-present entry
    invalidatePages(slot, iovaPage, pages);
    live++;
    return iova | (phys & VTD_PAGE_MASK);
  }

  /** One page-selective invalidation descriptor plus its wait, submitted with one trapping register write. */
  private void invalidatePages(int slot, long firstPage, long pages) {
    submitInvalidation(slot);
    iotlb.invalidate(firstPage, pages);
  }

  /**
   * qi_submit_sync: under the guest's invalidation-queue lock, the trapping IQT write; QEMU processes
   * the descriptors in the vCPU thread under its big lock, scanning its IOTLB under the IOMMU lock.
   */
  private void submitInvalidation(int slot) {
    tl.acquire(qiLock, slot);
    ledger.charge(slot, Actor.VCPU, Category.INVALIDATE, invExitCycles);
    tl.acquire(bql, slot);
    ledger.charge(slot, Actor.IOMMU, Category.INVALIDATE, invQemuCycles);
    tl.hold(iommuLock, slot, Actor.IOMMU, Category.INVALIDATE, invScanCycles);
    tl.release(bql);
    tl.release(qiLock);
    ledger.count(slot, EventKind.INVALIDATIONS, 1);
    ledger.count(slot, EventKind.EXITS, 1);
  }

  @Override
  public void unmap(int slot, long dmaAddr, int length, DmaDirection dir) {
    long phys = dmaAddr;
    if (mode != Mode.PASSTHROUGH) {
      long pages = pagesSpanned(dmaAddr, length);
      long iovaPage = dmaAddr >>> VTD_PAGE_SHIFT;
      long physPage = pageTable.get(iovaPage, -1);
      if (physPage < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "unmap of IOVA 0x%x, which is not mapped", dmaAddr));
      phys = (physPage << VTD_PAGE_SHIFT) | (dmaAddr & VTD_PAGE_MASK);
      for (long k = 0; k < pages; k++) pageTable.remove(iovaPage + k);
      ledger.charge(slot, Actor.VCPU, Category.UNMAP, unmapCycles);
      ledger.count(slot, EventKind.UNMAPS, 1);
      if (batching) {
        deferFree(slot, iovaPage, pages);
      } else {
        invalidatePages(slot, iovaPage, pages);
        iovas.free(slot, tl.cpu(), iovaPage << VTD_PAGE_SHIFT, pages);
      }
    }
    if (bouncer != null) bouncer.unmap(slot, phys, length, dir);
    live--; // counted once the unmap succeeded
  }

  /** Lazy mode: queue_iova on this CPU's queue; it is flushed when full or when its oldest entry is 10 ms old. */
  private void deferFree(int slot, long iovaPage, long pages) {
    long now = tl.nowPs();
    int cpu = tl.cpu();
    FlushQueue fq = flushQueues[cpu % flushQueues.length];
    if (fq.flushDue(now)) flush(slot, fq, cpu);
    fq.add(iovaPage << VTD_PAGE_SHIFT, pages, now);
  }

  /** One domain-selective invalidation (flush_iotlb_all) for the whole batch, then the IOVAs are reusable. */
  private void flush(int slot, FlushQueue fq, int cpu) {
    submitInvalidation(slot);
    iotlb.invalidateAll();
    fq.drainTo(iovas, slot, cpu);
  }


  @Override
  public long translate(int slot, long dmaAddr, int length, boolean deviceWrites) {
    if (mode == Mode.PASSTHROUGH) return dmaAddr;
    long first = dmaAddr >>> VTD_PAGE_SHIFT;
    long pages = pagesSpanned(dmaAddr, Math.max(1, length));
    for (long k = 0; k < pages; k++) {
      long page = first + k;
      // vtd_do_iommu_translate holds the IOMMU lock across lookup, walk and insert; with vhost a miss is
      // answered by QEMU's main loop (VHOST_IOTLB_MISS), under the big lock
      if (iotlb.lookup(page)) {
        tl.hold(iommuLock, slot, Actor.IOMMU, Category.TRANSLATE, hitCycles);
      } else {
        if (!pageTable.contains(page)) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "DMA fault: device accessed unmapped IOVA 0x%x", page << VTD_PAGE_SHIFT));
        tl.hold(vhost ? bql : iommuLock, slot, Actor.IOMMU, Category.IOTLB_WALK, missCycles);
        ledger.count(slot, EventKind.IOTLB_MISSES, 1);
        iotlb.insert(page);
      }
    }
    return (pageTable.get(first, 0) << VTD_PAGE_SHIFT) | (dmaAddr & VTD_PAGE_MASK);
  }

  @Override
  public long mapCoherent(long paddr, int length) {
    if (mode == Mode.PASSTHROUGH) return paddr;
    long pages = pagesSpanned(paddr, length);
    long iova = iovas.alloc(pages); // at set-up: nothing charged
    for (long k = 0; k < pages; k++) pageTable.put((iova >>> VTD_PAGE_SHIFT) + k, (paddr >>> VTD_PAGE_SHIFT) + k);
    return iova | (paddr & VTD_PAGE_MASK);
  }

  @Override public long maxMappingSize() { return bouncer != null ? SwiotlbPool.MAX_MAPPING : Long.MAX_VALUE; }

  @Override public long liveMappings() { return live; }
}
