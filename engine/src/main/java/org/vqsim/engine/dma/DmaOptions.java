package org.vqsim.engine.dma;

/**
 * Model parameters of the DMA strategies that are not cost figures, validated when built.
 *
 * @param swiotlbPoolBytes swiotlb pool size; Linux's default is 64 MiB
 *     ({@code IO_TLB_DEFAULT_SIZE}), SEV/TDX guests use 6% of RAM clamped to 64 MiB–1 GiB
 * @param swiotlbAreas swiotlb areas (Linux: one per possible CPU, rounded to a power of two; the
 *     modelled guest has one vCPU)
 * @param iotlbEntries device-side IOTLB capacity, 0 for the profile's {@code iotlb_entries}
 * @param viommuBatching model a host where Linux may batch invalidations under the vIOMMU (a
 *     flush queue); Linux 6.1 refuses it under caching mode ("IOMMU batching disallowed due to
 *     virtualization"), so the default is false and {@code viommu-lazy} behaves as strict
 * @param guestKernel guest Linux version as major*100+minor (601 for 6.1): virtio-iommu gets a
 *     flush queue (lazy) only from 6.8
 * @param hcallRealMode POWER: hypercalls handled in KVM real mode; false: virtual mode (the POWER9
 *     host path since real-mode handling was removed)
 * @param tcePools POWER: small TCE pools of the default window, 1 or 4; 0: Linux's rule, 4 for a
 *     window of 1 GiB or more, else 1 ({@code iommu_init_table}, arch/powerpc/kernel/iommu.c 6.1 lines
 *     735–739); the large pool for mappings of more than 15 TCEs comes on top either way
 */
public record DmaOptions(long swiotlbPoolBytes, int swiotlbAreas, int iotlbEntries, boolean viommuBatching, int guestKernel, boolean hcallRealMode,
    int tcePools) {
  public static final long DEFAULT_SWIOTLB_POOL = 64L << 20;
  public static final int DEFAULT_GUEST_KERNEL = 601;
  /** virtio-iommu deferred flush (flush-queue domains) arrived in Linux 6.8 (commits 00271ca5cbcd, 6f01a732608f; first in the v6.8 merge window). */
  public static final int VIRTIO_IOMMU_LAZY_SINCE = 608;
  public static final long MAX_SWIOTLB_POOL = 1L << 30;

  public DmaOptions {
    if (swiotlbPoolBytes < SwiotlbPool.MAX_MAPPING || swiotlbPoolBytes > MAX_SWIOTLB_POOL) {
      throw new IllegalArgumentException("swiotlb pool must be between 256 KiB and 1 GiB, not " + swiotlbPoolBytes + " bytes");
    }
    if (swiotlbPoolBytes % SwiotlbPool.MAX_MAPPING != 0) throw new IllegalArgumentException("swiotlb pool size must be a multiple of 256 KiB");
    if (swiotlbAreas < 0 || swiotlbAreas > 0 && Integer.bitCount(swiotlbAreas) != 1) {
      throw new IllegalArgumentException("swiotlb areas must be a power of two (or 0 for one per vCPU, rounded up), not " + swiotlbAreas);
    }
    if (tcePools != 0 && tcePools != 1 && tcePools != 4) throw new IllegalArgumentException("TCE pools must be 1 or 4 (or 0 for Linux's rule), not " + tcePools);
    if (iotlbEntries < 0) throw new IllegalArgumentException("IOTLB entries must be ≥ 0 (0: the profile's)");
    if (guestKernel < 400 || guestKernel > 9999) throw new IllegalArgumentException("guest kernel version must look like 6.1 (601), not " + guestKernel);
  }

  public static DmaOptions defaults() {
    return new DmaOptions(DEFAULT_SWIOTLB_POOL, 0, 0, false, DEFAULT_GUEST_KERNEL, false, 0);
  }

  /** The swiotlb areas of a guest with {@code vcpus} vCPUs: the option, or the CPUs rounded up to a power of two. */
  public int areasFor(int vcpus) {
    return swiotlbAreas > 0 ? swiotlbAreas : Integer.highestOneBit(Math.max(1, vcpus) * 2 - 1);
  }

  /** Parses a kernel version "6.1" or "6.10" into 601 / 610. */
  public static int parseKernel(String v) {
    String[] p = v.split("\\.");
    try {
      if (p.length >= 2) return Integer.parseInt(p[0]) * 100 + Integer.parseInt(p[1]);
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("guest kernel version must be MAJOR.MINOR (e.g. 6.1), not '" + v + "'");
  }
}
