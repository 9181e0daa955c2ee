package org.vqsim.engine.dma;

/**
 * The device-side IOTLB of an emulated IOMMU, as QEMU's intel-iommu keeps it: a hash of translated
 * pages with a fixed limit ({@code VTD_IOTLB_MAX_SIZE}, 1024), emptied completely when an insert
 * finds it full ({@code vtd_update_iotlb}: "iotlb exceeds size limit"), entries removed by
 * page-selective invalidations and all of them by a domain-selective one.
 */
public final class IotlbCache {
  private final int capacity;
  private final PageTable entries;
  private long resets;

  public IotlbCache(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("IOTLB capacity must be at least 1 entry, not " + capacity);
    this.capacity = capacity;
    this.entries = new PageTable();
  }

  public int capacity() { return capacity; }
  public int size() { return entries.size(); }
  /** Times the cache was emptied because it was full. */
  public long resets() { return resets; }

  /** Whether the page is cached. */
  public boolean lookup(long iovaPage) {
    return entries.contains(iovaPage);
  }

  /** Caches a page after a walk; empties the cache first when it is full. */
  public void insert(long iovaPage) {
    if (entries.size() >= capacity) {
      entries.clear();
      resets++;
    }
    entries.put(iovaPage, 1);
  }

  /** Page-selective invalidation of {@code pages} pages from {@code firstPage}. */
  public void invalidate(long firstPage, long pages) {
    for (long p = 0; p < pages; p++) entries.remove(firstPage + p);
  }

  /** Domain-selective invalidation. */
  public void invalidateAll() {
    entries.clear();
  }
}
