package org.vqsim.capture.observed;

import java.util.Arrays;

/**
 * What a captured run shows for one request, counted from the trace (a reusable cursor like
 * {@code IoRequest}: readers fill it, consumers copy what they need).
 *
 * <p>Guest side (ftrace): {@code maps}, {@code unmaps} (iommu:map/unmap, or the pseries
 * {@code dma_iommu_map_page}/{@code unmap_page} calls), {@code bounces} and {@code bounceBytes}
 * (swiotlb_bounced), {@code hypercalls} inferred from the TCE helpers ({@code putTce} H_PUT_TCE,
 * {@code putTceIndirect} H_PUT_TCE_INDIRECT, {@code stuffTce} H_STUFF_TCE), and the sizes of the
 * mapped (or bounced) buffers in map order — the request's real scatter-gather shape.
 *
 * <p>Host side (QEMU log): {@code kicks} (virtio_queue_notify, any queue), {@code interrupts}
 * (virtio_notify, virtio_notify_irqfd), {@code invalidations} (vtd_inv_desc_* IOTLB/context
 * invalidations), {@code iotlbMisses} (vtd_iotlb_page_update: a miss that walked the page
 * table), {@code iotlbHits}, {@code translations} (vtd_dmar_translate, virtio_iommu_translate,
 * spapr_iommu_xlate), {@code maps}/{@code unmaps} (virtio_iommu_map/unmap requests) and
 * {@code hypercalls} (spapr_iommu_*put/indirect/stuff).
 */
public final class ObservedEvents {
  /** Counters, indexed by {@link Counter}. */
  public final long[] counts = new long[Counter.values().length];
  /** Observed completion time, ns on the same clock as the request's tsNs; -1 when the trace has none. */
  public long completeNs = -1;
  private int[] mapSizes = new int[8];
  private int mapSizeCount;
  private int[] bounceSizes = new int[8];
  private int bounceSizeCount;

  /** The per-request counters, each with its unit and meaning. */
  public enum Counter {
    MAPS("maps", "DMA mappings created (iommu:map, dma_iommu_map_*, virtio_iommu_map)"),
    UNMAPS("unmaps", "DMA mappings removed (iommu:unmap, dma_iommu_unmap_*, virtio_iommu_unmap)"),
    BOUNCES("bounces", "buffers bounced through swiotlb (swiotlb_bounced)"),
    BOUNCE_BYTES("bounce_bytes", "bytes bounced through swiotlb"),
    INVALIDATIONS("invalidations", "IOMMU invalidations processed by QEMU (vtd_inv_desc_iotlb_*; virtio_iommu_unmap)"),
    IOTLB_MISSES("iotlb_misses", "IOTLB misses that walked the page table (vtd_iotlb_page_update)"),
    IOTLB_HITS("iotlb_hits", "IOTLB hits (vtd_iotlb_page_hit)"),
    TRANSLATIONS("translations", "device accesses translated by the IOMMU model"),
    HYPERCALLS("hypercalls", "TCE hypercalls (H_PUT_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE)"),
    PUT_TCE("put_tce", "H_PUT_TCE hypercalls"),
    PUT_TCE_INDIRECT("put_tce_indirect", "H_PUT_TCE_INDIRECT hypercalls"),
    STUFF_TCE("stuff_tce", "H_STUFF_TCE hypercalls"),
    KICKS("kicks", "virtqueue notifications from the driver (virtio_queue_notify, every queue)"),
    INTERRUPTS("interrupts", "interrupts to the guest (virtio_notify, virtio_notify_irqfd)");

    public final String id;
    public final String description;

    Counter(String id, String description) {
      this.id = id;
      this.description = description;
    }
  }

  public long get(Counter c) { return counts[c.ordinal()]; }
  public void add(Counter c, long n) { counts[c.ordinal()] += n; }
  public void inc(Counter c) { counts[c.ordinal()]++; }

  public void addMapSize(int size) {
    if (mapSizeCount == mapSizes.length) mapSizes = Arrays.copyOf(mapSizes, mapSizeCount * 2);
    mapSizes[mapSizeCount++] = size;
  }

  public void addBounceSize(int size) {
    if (bounceSizeCount == bounceSizes.length) bounceSizes = Arrays.copyOf(bounceSizes, bounceSizeCount * 2);
    bounceSizes[bounceSizeCount++] = size;
  }

  /**
   * The captured scatter-gather shape: sizes in bytes of the buffers mapped for this request, in
   * map order (from iommu:map when the trace has it, else from swiotlb_bounced); empty when the
   * trace shows neither.
   */
  public int[] segmentSizes() {
    return mapSizeCount > 0 ? Arrays.copyOf(mapSizes, mapSizeCount) : Arrays.copyOf(bounceSizes, bounceSizeCount);
  }

  public int segmentCount() {
    return mapSizeCount > 0 ? mapSizeCount : bounceSizeCount;
  }

  public void clear() {
    Arrays.fill(counts, 0);
    completeNs = -1;
    mapSizeCount = 0;
    bounceSizeCount = 0;
  }

  /** Adds every counter and segment of {@code o} (the completion time is not touched). */
  public void addAll(ObservedEvents o) {
    for (int i = 0; i < counts.length; i++) counts[i] += o.counts[i];
    for (int i = 0; i < o.mapSizeCount; i++) addMapSize(o.mapSizes[i]);
    for (int i = 0; i < o.bounceSizeCount; i++) addBounceSize(o.bounceSizes[i]);
  }

  public void copyFrom(ObservedEvents o) {
    clear();
    addAll(o);
    completeNs = o.completeNs;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Counter c : Counter.values()) if (counts[c.ordinal()] != 0) s.append(c.id).append('=').append(counts[c.ordinal()]).append(' ');
    return s.append("segments=").append(Arrays.toString(segmentSizes())).toString();
  }
}
