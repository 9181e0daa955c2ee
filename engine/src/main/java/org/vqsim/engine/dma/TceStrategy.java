package org.vqsim.engine.dma;

import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * POWER pseries TCE mapping (Linux 6.1 {@code arch/powerpc/kernel/iommu.c}, {@code
 * arch/powerpc/platforms/pseries/iommu.c}; QEMU {@code hw/ppc/spapr_iommu.c}, {@code
 * spapr_rtas_ddw.c}).
 *
 * <ul>
 *   <li>{@code tce}: the default 32-bit window with 4 KiB IOMMU pages. A map allocates TCE entries
 *       from the table's pools ({@code iommu_alloc}) and writes them by hypercall: one {@code
 *       H_PUT_TCE} for a single entry ({@code tce_buildmulti_pSeriesLP} falls back to {@code
 *       tce_build_pSeriesLP}), else {@code H_PUT_TCE_INDIRECT} with up to 512 entries per call. An
 *       unmap clears them with one {@code H_STUFF_TCE} ({@code tce_freemulti_pSeriesLP}). Each
 *       hcall is an exit, handled in KVM real mode or virtual mode;
 *   <li>{@code tce-ddw}: a dynamic DMA window (64 KiB IOMMU pages) mapping all of RAM was created
 *       once at boot; the driver uses it directly, so no per-I/O hcalls — the device still
 *       translates every access through the window's table;
 *   <li>{@code tce-bypass}: the RTAS {@code ibm,set-tce-bypass} call once, then untranslated DMA.
 *       For virtio-pci this exists only as a proposal (the mailing-list thread): a prediction no
 *       trace can check.
 * </ul>
 *
 * <p>TCE pools ({@code iommu_init_table}, arch/powerpc/kernel/iommu.c 6.1 lines 714–769): a window of
 * 1 GiB or more (QEMU's default window is exactly 1 GiB) is split into 4 small pools over its lower
 * three quarters, else 1, plus a large pool over the top quarter for mappings of more than 15 TCEs
 * (so every 64 KiB buffer of a 64 KiB-page guest). A CPU allocates from the small pool its per-CPU
 * hash picks ({@code hash_32(cpu, 2)}, line 110, 237), under that pool's spinlock, which covers the
 * bitmap search only; the hypercalls run after it is released ({@code iommu_alloc}, lines 345–356). A
 * free makes its hypercall first, then clears the bitmap under the lock of the pool that owns the
 * entry ({@code __iommu_free}, lines 433–442). {@code --tce-pools 1|4} compares the two splits.
 */
public final class TceStrategy implements DmaStrategy {
  public enum Mode { TCE, DDW, BYPASS }

  private final String id;
  private final Mode mode;
  private final CycleLedger ledger;
  private final SwiotlbBouncer bouncer;
  private final int pageShift;
  private final long pageMask;
  private final PageTable table = new PageTable();
  private final long allocCycles, freeCycles, hcallCycles, perTceCycles, xlateCycles;
  private final Timeline tl;
  /** The small pools, then the large pool; each allocates its own part of the window. */
  private final IovaAllocator[] pools;
  private final long[] poolStart;
  private final Lock[] poolLocks;
  private final int smallPools;
  private final int indirectMax;
  private long live;

  TceStrategy(String id, Mode mode, boolean bounce, DmaContext ctx) {
    this.id = id;
    this.mode = mode;
    this.ledger = ctx.ledger();
    this.bouncer = bounce ? new SwiotlbBouncer(ctx, ctx.reservedBase()) : null;
    var p = ctx.profile();
    if (!"power".equals(p.platform())) {
      // TCE tables and their hcalls exist only on pseries; an x86 profile has iommu_page_size 4096 but no hcall costs
      throw new IllegalArgumentException(id + " needs a POWER cost profile such as power9-kvm; profile " + p.name() + " is for platform " + p.platform());
    }
    int page = (int) (mode == Mode.DDW ? p.get(CostFigure.DDW_PAGE_SIZE) : p.get(CostFigure.IOMMU_PAGE_SIZE));
    if (page < 4096 || Integer.bitCount(page) != 1) {
      throw new IllegalArgumentException("profile " + p.name() + " has no usable " + (mode == Mode.DDW ? "ddw_page_size" : "iommu_page_size")
          + " for " + id + " (" + page + "); use a POWER profile such as power9-kvm");
    }
    this.pageShift = Integer.numberOfTrailingZeros(page);
    this.pageMask = page - 1L;
    this.tl = ctx.timeline();
    long window = (long) p.get(CostFigure.TCE_WINDOW_BYTES);
    if (window < (1L << 24)) throw new IllegalArgumentException("profile " + p.name() + " has no usable tce_window_bytes (" + window + ") for " + id);
    int nr = ctx.options().tcePools() > 0 ? ctx.options().tcePools() : window >= (1L << 30) ? 4 : 1;
    this.smallPools = nr;
    long tableEntries = window >>> pageShift;
    long poolEntries = tableEntries * 3 / 4 / nr; // "We reserve the top 1/4 of the table for large allocations"
    this.pools = new IovaAllocator[nr + 1];
    this.poolStart = new long[nr + 2];
    this.poolLocks = new Lock[nr + 1];
    for (int i = 0; i <= nr; i++) {
      poolStart[i] = (i * poolEntries) << pageShift;
      long end = i < nr ? ((i + 1) * poolEntries) << pageShift : window;
      pools[i] = new IovaAllocator(page, end);
      poolLocks[i] = tl.lock("tce.pool", Lock.Kind.SPIN, i);
    }
    poolStart[nr + 1] = window;
    this.allocCycles = p.cycles(CostFigure.TCE_ALLOC_CYCLES);
    this.freeCycles = p.cycles(CostFigure.TCE_FREE_CYCLES);
    this.hcallCycles = p.cycles(ctx.options().hcallRealMode() ? CostFigure.HCALL_REALMODE_CYCLES : CostFigure.HCALL_VIRTMODE_CYCLES);
    this.perTceCycles = p.cycles(CostFigure.TCE_PUT_CYCLES);
    this.indirectMax = (int) Math.max(1, p.get(CostFigure.TCE_INDIRECT_MAX));
    this.xlateCycles = p.cycles(CostFigure.IOTLB_HIT_CYCLES);
  }

  @Override public String id() { return id; }

  private long pagesSpanned(long addr, long length) {
    return ((addr & pageMask) + length + pageMask) >>> pageShift;
  }

  private void hcall(int slot, long tces) {
    ledger.charge(slot, Actor.VCPU, Category.HYPERCALL, hcallCycles);
    ledger.charge(slot, Actor.IOMMU, Category.HYPERCALL, perTceCycles * tces);
    ledger.count(slot, EventKind.HYPERCALLS, 1);
    ledger.count(slot, EventKind.EXITS, 1);
  }

  @Override
  public long map(int slot, long paddr, int length, DmaDirection dir) {
    long phys = paddr;
    if (bouncer != null) {
      phys = bouncer.map(slot, paddr, length, dir);
      if (phys == MAPPING_ERROR) return MAPPING_ERROR;
    }
    live++;
    if (mode != Mode.TCE) return phys; // DDW: dma-direct through the window's fixed offset (identity here); bypass: untranslated
    long tces = pagesSpanned(phys, length);
    // iommu_range_alloc: "int largealloc = npages > 15"; else the pool of this CPU's hash
    int pool = tces > 15 ? smallPools : poolOfCpu(tl.cpu());
    tl.hold(poolLocks[pool], slot, Actor.VCPU, Category.MAP, allocCycles);
    long bus = pools[pool].alloc(tces);
    if (bus < poolStart[pool]) throw new org.vqsim.engine.sim.ModelException("TCE pool " + pool + " of the " + (poolStart[smallPools + 1] >> 20) + " MiB window is full");
    long busPage = bus >>> pageShift, physPage = phys >>> pageShift;
    for (long k = 0; k < tces; k++) table.put(busPage + k, physPage + k);
    ledger.count(slot, EventKind.MAPS, 1);
    if (tces == 1) {
      hcall(slot, 1); // H_PUT_TCE
    } else {
      for (long done = 0; done < tces; done += indirectMax) hcall(slot, Math.min(indirectMax, tces - done)); // H_PUT_TCE_INDIRECT
    }
    return bus | (phys & pageMask);
  }

  @Override
  public void unmap(int slot, long dmaAddr, int length, DmaDirection dir) {
    long phys = dmaAddr;
    if (mode == Mode.TCE) {
      long tces = pagesSpanned(dmaAddr, length);
      long busPage = dmaAddr >>> pageShift;
      long physPage = table.get(busPage, -1);
      if (physPage < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "unmap of bus address 0x%x, which has no TCE", dmaAddr));
      phys = (physPage << pageShift) | (dmaAddr & pageMask);
      for (long k = 0; k < tces; k++) table.remove(busPage + k);
      ledger.count(slot, EventKind.UNMAPS, 1);
      hcall(slot, tces); // H_STUFF_TCE, before the pool lock
      int pool = poolOfEntry(busPage << pageShift);
      tl.hold(poolLocks[pool], slot, Actor.VCPU, Category.UNMAP, freeCycles);
      pools[pool].free(busPage << pageShift, tces);
    }
    if (bouncer != null) bouncer.unmap(slot, phys, length, dir);
    live--; // counted once the unmap succeeded
  }

  @Override
  public long translate(int slot, long dmaAddr, int length, boolean deviceWrites) {
    if (mode == Mode.BYPASS) return dmaAddr;
    long pages = pagesSpanned(dmaAddr, Math.max(1, length));
    // spapr_tce_translate_iommu: one TCE table read per IOMMU page the access touches
    ledger.charge(slot, Actor.IOMMU, Category.TRANSLATE, xlateCycles * pages);
    if (mode == Mode.DDW) return dmaAddr;
    long first = dmaAddr >>> pageShift;
    long physPage = table.get(first, -1);
    if (physPage < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "TCE fault: device accessed bus address 0x%x with no TCE", dmaAddr));
    return (physPage << pageShift) | (dmaAddr & pageMask);
  }

  @Override
  public long mapCoherent(long paddr, int length) {
    if (mode != Mode.TCE) return paddr;
    long tces = pagesSpanned(paddr, length);
    long bus = pools[0].alloc(tces); // dma_alloc_coherent → iommu_alloc from a pool, at set-up: nothing charged
    for (long k = 0; k < tces; k++) table.put((bus >>> pageShift) + k, (paddr >>> pageShift) + k);
    return bus | (paddr & pageMask);
  }

  /** hash_32(cpu, IOMMU_POOL_HASHBITS) & (nr_pools - 1): include/linux/hash.h, GOLDEN_RATIO_32 0x61C88647. */
  private int poolOfCpu(int cpu) {
    int h = (int) (((cpu * 0x61C88647L) & 0xffffffffL) >>> (32 - 2));
    return h & (smallPools - 1);
  }

  /** get_pool: the large pool from its start up, else the small pool the entry lies in. */
  private int poolOfEntry(long bus) {
    for (int i = smallPools; i > 0; i--) if (bus >= poolStart[i]) return i;
    return 0;
  }

  @Override public long maxMappingSize() { return bouncer != null ? SwiotlbPool.MAX_MAPPING : Long.MAX_VALUE; }

  @Override public long liveMappings() { return live; }
}
