package org.vqsim.engine.dma;

import java.util.Arrays;

/**
 * IOVA allocation as Linux's dma-iommu does it ({@code iommu_dma_alloc_iova} → {@code
 * alloc_iova_fast}): sizes below 32 pages are rounded up to a power of two; PCI devices get
 * addresses below 4 GiB first, allocated top-down and aligned to their size rounded up to a power of
 * two ({@code alloc_iova} with {@code size_aligned}); freed ranges go to per-size caches and are
 * reused last-in first-out (the per-CPU rcache magazines), which is why the lab traces show the
 * same IOVAs over and over.
 */
public final class IovaAllocator {
  /** {@code IOVA_RANGE_CACHE_MAX_SIZE} 6: sizes below 2^5 pages are rounded up to a power of two. */
  private static final int ROUND_LIMIT_PAGES = 1 << 5;
  private static final int CACHED_SIZES = 4097;

  private final int pageShift;
  private final long limitPage;
  private long nextTopPage;
  private final long[][] stacks = new long[CACHED_SIZES][];
  private final int[] depth = new int[CACHED_SIZES];
  private long live;
  private boolean highRegion;
  /** Above the 32-bit space: a 48-bit DMA mask (the IOMMU's address width in the model). */
  private final long highLimitPage;

  /** @param pageSize IOMMU page size; @param limit highest address + 1 (4 GiB for a 32-bit-first PCI device) */
  public IovaAllocator(int pageSize, long limit) {
    this.pageShift = Integer.numberOfTrailingZeros(pageSize);
    this.limitPage = limit >>> pageShift;
    this.highLimitPage = (1L << 48) >>> pageShift;
    this.nextTopPage = limitPage;
  }

  /** Pages an allocation of {@code pages} pages really takes. */
  public static long roundedPages(long pages) {
    return pages < ROUND_LIMIT_PAGES ? Long.highestOneBit(Math.max(1, pages - 1)) << (pages > 1 ? 1 : 0) : pages;
  }

  /** Allocates {@code pages} IOMMU pages; returns the first IOVA (page aligned). */
  public long alloc(long pages) {
    long n = roundedPages(pages);
    live++;
    if (n < CACHED_SIZES && depth[(int) n] > 0) return stacks[(int) n][--depth[(int) n]] << pageShift;
    // alloc_iova(..., size_aligned = true): new_pfn = (high_pfn - size) & (~0UL << fls_long(size - 1))
    long align = n > 1 ? Long.highestOneBit(n - 1) << 1 : 1;
    long page = (nextTopPage - n) & -align;
    if (page < 1) {
      // iommu_dma_alloc_iova: when the 32-bit space has no room, retry below the device's full DMA mask
      if (limitPage >= highLimitPage || highRegion) {
        throw new org.vqsim.engine.sim.ModelException("IOVA space exhausted by a mapping of " + n + " pages");
      }
      highRegion = true;
      nextTopPage = highLimitPage;
      page = (nextTopPage - n) & -align;
    }
    nextTopPage = page;
    return nextTopPage << pageShift;
  }

  /** Frees an allocation made with the same {@code pages}. */
  public void free(long iova, long pages) {
    long n = roundedPages(pages);
    live--;
    if (n >= CACHED_SIZES) return; // large ranges are not cached; the model never runs out below 4 GiB
    int i = (int) n;
    if (stacks[i] == null) stacks[i] = new long[16];
    if (depth[i] == stacks[i].length) stacks[i] = Arrays.copyOf(stacks[i], depth[i] * 2);
    stacks[i][depth[i]++] = iova >>> pageShift;
  }

  public long live() { return live; }
}
