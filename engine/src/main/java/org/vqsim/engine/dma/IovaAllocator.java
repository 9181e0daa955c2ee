package org.vqsim.engine.dma;

import java.util.ArrayDeque;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.ModelException;
import org.vqsim.engine.sim.Timeline;

/**
 * IOVA allocation as Linux 6.1's dma-iommu does it ({@code iommu_dma_alloc_iova} → {@code
 * alloc_iova_fast}, {@code drivers/iommu/iova.c}), with the per-CPU caches that make it scale.
 *
 * <ul>
 *   <li>Sizes below 32 pages are rounded up to a power of two; sizes up to 32 pages (six classes,
 *       {@code IOVA_RANGE_CACHE_MAX_SIZE} 6) are cached, larger ones always go to the rbtree.
 *   <li>Per CPU and size class, two magazines of 127 IOVAs ({@code IOVA_MAG_SIZE}: "127 is chosen to
 *       assure size of 'iova_magazine' to be 1024 bytes"), {@code loaded} and {@code prev}: a free
 *       pushes onto {@code loaded} (swapping with {@code prev} when it is full), an allocation pops
 *       (swapping when empty) — last freed, first reused, which is why the lab traces show the same
 *       IOVAs over and over.
 *   <li>Per size class a depot of at most 32 full magazines ({@code MAX_GLOBAL_MAGS}), under its
 *       lock ({@code rcache->lock}, iova.c lines 790–797, 850–856): a CPU whose magazines are both
 *       full hands one to the depot; when the depot is full too, the whole magazine's 127 IOVAs go back
 *       to the rbtree in one hold of its lock ({@code iova_magazine_free_pfns}, lines 658–679).
 *   <li>The rbtree ({@code iova_rbtree_lock}, one per domain, lines 193–231): allocations that miss
 *       every cache, and every allocation and free above 32 pages. Allocation searches top-down
 *       below the 4 GiB limit first, aligned to the size rounded up to a power of two ({@code
 *       alloc_iova(..., size_aligned = true)}), then below the device's full DMA mask; the model reuses
 *       freed ranges of the same size before carving new ones.
 * </ul>
 *
 * Built without a timeline (tests, the POWER TCE window) it is the plain allocator: one CPU, no
 * locks, nothing charged.
 */
public final class IovaAllocator {
  /** {@code IOVA_RANGE_CACHE_MAX_SIZE} 6: sizes below 2^5 pages are rounded up to a power of two, sizes up to 2^5 cached. */
  private static final int ROUND_LIMIT_PAGES = 1 << 5;
  private static final int CACHE_CLASSES = 6;
  static final int MAG_SIZE = 127;
  static final int MAX_GLOBAL_MAGS = 32;

  private final int pageShift;
  private final long limitPage;
  private final long highLimitPage;
  private long nextTopPage;
  private boolean highRegion;
  // the rbtree's free ranges, by size: size → first free page + 1, page → next free page + 1
  private final PageMap freeHead = new PageMap(64);
  private final PageTable freeNext = new PageTable();
  private long live;

  // per-CPU caches and the depot (absent without a timeline)
  private final Timeline tl;
  private final Magazine[][] loaded, prev;
  private final Magazine[][] depot;
  private final int[] depotSize;
  private final ArrayDeque<Magazine> spare = new ArrayDeque<>();
  private final Lock rbtreeLock;
  private final Lock[] depotLocks;
  private final long rbtreeCycles, depotCycles;

  private static final class Magazine {
    final long[] pfns = new long[MAG_SIZE];
    int size;
  }

  /** The plain allocator: {@code pageSize} IOMMU pages below {@code limit} (4 GiB for a 32-bit-first PCI device). */
  public IovaAllocator(int pageSize, long limit) {
    this(pageSize, limit, null, 1);
  }

  /** dma-iommu's allocator for a guest of {@code cpus} vCPUs, its caches and locks on {@code tl}. */
  public IovaAllocator(int pageSize, long limit, DmaContext ctx) {
    this(pageSize, limit, ctx, ctx.vcpus());
  }

  private IovaAllocator(int pageSize, long limit, DmaContext ctx, int cpus) {
    this.pageShift = Integer.numberOfTrailingZeros(pageSize);
    this.limitPage = limit >>> pageShift;
    this.highLimitPage = (1L << 48) >>> pageShift;
    this.nextTopPage = limitPage;
    this.tl = ctx == null ? null : ctx.timeline();
    int n = Math.max(1, cpus);
    loaded = new Magazine[n][CACHE_CLASSES];
    prev = new Magazine[n][CACHE_CLASSES];
    for (int c = 0; c < n; c++) {
      for (int k = 0; k < CACHE_CLASSES; k++) {
        loaded[c][k] = new Magazine();
        prev[c][k] = new Magazine();
      }
    }
    depot = new Magazine[CACHE_CLASSES][MAX_GLOBAL_MAGS];
    depotSize = new int[CACHE_CLASSES];
    if (tl != null) {
      rbtreeLock = tl.lock("iova.rbtree", Lock.Kind.SPIN, 0);
      depotLocks = new Lock[CACHE_CLASSES];
      for (int k = 0; k < CACHE_CLASSES; k++) depotLocks[k] = tl.lock("iova.depot", Lock.Kind.SPIN, k);
      rbtreeCycles = ctx.profile().cycles(CostFigure.IOVA_RBTREE_CYCLES);
      depotCycles = ctx.profile().cycles(CostFigure.IOVA_DEPOT_CYCLES);
    } else {
      rbtreeLock = null;
      depotLocks = null;
      rbtreeCycles = depotCycles = 0;
    }
  }

  /** Pages an allocation of {@code pages} pages really takes. */
  public static long roundedPages(long pages) {
    return pages < ROUND_LIMIT_PAGES ? Long.highestOneBit(Math.max(1, pages - 1)) << (pages > 1 ? 1 : 0) : pages;
  }

  /** The cache class of a rounded size (0 for one page … 5 for 32), or -1 when it is not cached. */
  private static int cacheClass(long rounded) {
    return rounded <= ROUND_LIMIT_PAGES ? Long.numberOfTrailingZeros(rounded) : -1;
  }

  /** Allocates {@code pages} IOMMU pages on CPU 0 without charging anything (set-up, tests); returns the first IOVA. */
  public long alloc(long pages) {
    return alloc(0, 0, pages, false);
  }

  /** Frees an allocation made with the same {@code pages} (CPU 0, nothing charged). */
  public void free(long iova, long pages) {
    free(0, 0, iova, pages, false);
  }

  /** Allocates {@code pages} IOMMU pages for request {@code slot} on {@code cpu}; returns the first IOVA (page aligned). */
  public long alloc(int slot, int cpu, long pages) {
    return alloc(slot, cpu, pages, tl != null);
  }

  /** Frees an allocation made with the same {@code pages}, for request {@code slot} on {@code cpu}. */
  public void free(int slot, int cpu, long iova, long pages) {
    free(slot, cpu, iova, pages, tl != null);
  }

  private long alloc(int slot, int cpu, long pages, boolean charge) {
    long n = roundedPages(pages);
    live++;
    int k = cacheClass(n);
    if (k >= 0) {
      int c = cpu % loaded.length;
      Magazine m = loaded[c][k];
      if (m.size == 0 && prev[c][k].size > 0) {
        loaded[c][k] = prev[c][k];
        prev[c][k] = m;
        m = loaded[c][k];
      }
      if (m.size == 0 && depotSize[k] > 0) {
        // __iova_rcache_get: a full magazine from the depot replaces the empty one (which is freed)
        if (charge) tl.hold(depotLocks[k], slot, Actor.VCPU, Category.MAP, depotCycles);
        spare.push(m);
        m = depot[k][--depotSize[k]];
        depot[k][depotSize[k]] = null;
        loaded[c][k] = m;
      }
      if (m.size > 0) return m.pfns[--m.size] << pageShift;
    }
    if (charge) tl.hold(rbtreeLock, slot, Actor.VCPU, Category.MAP, rbtreeCycles);
    return rbtreeAlloc(n) << pageShift;
  }

  private void free(int slot, int cpu, long iova, long pages, boolean charge) {
    long n = roundedPages(pages);
    live--;
    long pfn = iova >>> pageShift;
    int k = cacheClass(n);
    if (k < 0) {
      if (charge) tl.hold(rbtreeLock, slot, Actor.VCPU, Category.UNMAP, rbtreeCycles);
      rbtreeFree(pfn, n);
      return;
    }
    int c = cpu % loaded.length;
    Magazine m = loaded[c][k];
    if (m.size == MAG_SIZE && prev[c][k].size < MAG_SIZE) {
      loaded[c][k] = prev[c][k];
      prev[c][k] = m;
      m = loaded[c][k];
    }
    if (m.size == MAG_SIZE) {
      // __iova_rcache_insert: both magazines full: the loaded one goes to the depot, or back to the rbtree when the depot is full
      if (charge) tl.hold(depotLocks[k], slot, Actor.VCPU, Category.UNMAP, depotCycles);
      if (depotSize[k] < MAX_GLOBAL_MAGS) {
        depot[k][depotSize[k]++] = m;
      } else {
        if (charge) tl.hold(rbtreeLock, slot, Actor.VCPU, Category.UNMAP, rbtreeCycles * m.size);
        for (int i = 0; i < m.size; i++) rbtreeFree(m.pfns[i], n);
        m.size = 0;
        spare.push(m);
      }
      Magazine fresh = spare.isEmpty() ? new Magazine() : spare.pop();
      fresh.size = 0;
      loaded[c][k] = fresh;
      m = fresh;
    }
    m.pfns[m.size++] = pfn;
  }

  /** alloc_iova: a freed range of this size, else a new one carved top-down, size aligned. */
  private long rbtreeAlloc(long n) {
    long head = freeHead.get(n, 0);
    if (head != 0) {
      long page = head - 1;
      long next = freeNext.get(page, 0);
      freeNext.remove(page);
      if (next == 0) freeHead.remove(n);
      else freeHead.put(n, next);
      return page;
    }
    // alloc_iova(..., size_aligned = true): new_pfn = (high_pfn - size) & (~0UL << fls_long(size - 1))
    long align = n > 1 ? Long.highestOneBit(n - 1) << 1 : 1;
    long page = (nextTopPage - n) & -align;
    if (page < 1) {
      // iommu_dma_alloc_iova: when the 32-bit space has no room, retry below the device's full DMA mask
      if (limitPage >= highLimitPage || highRegion) throw new ModelException("IOVA space exhausted by a mapping of " + n + " pages");
      highRegion = true;
      nextTopPage = highLimitPage;
      page = (nextTopPage - n) & -align;
    }
    nextTopPage = page;
    return page;
  }

  private void rbtreeFree(long page, long n) {
    long head = freeHead.get(n, 0);
    if (head != 0) freeNext.put(page, head);
    freeHead.put(n, page + 1);
  }

  public long live() { return live; }
}
