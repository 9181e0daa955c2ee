package org.vqsim.engine.negotiation;

import org.vqsim.engine.dma.StrategyId;

/**
 * Feature negotiation: device features offered × what the guest's driver knows × the platform →
 * what happens (DESIGN.md §1, §4).
 *
 * <ul>
 *   <li>A host that offers VIRTIO_F_ACCESS_PLATFORM fails a driver that does not accept it: QEMU's
 *       {@code virtio_validate_features} refuses FEATURES_OK when {@code iommu_platform=on} and the
 *       bit was not acked → {@link Status#FAILED}.
 *   <li>A Linux ≥ 6.0 encrypted guest refuses a device without it ({@code virtio_features_ok}:
 *       "device must provide VIRTIO_F_ACCESS_PLATFORM") → FAILED; an older one uses it and hands
 *       the device addresses of memory the host cannot read → {@link Status#BROKEN}.
 *   <li>Otherwise the guest runs: without ACCESS_PLATFORM on {@code direct}; with it through the
 *       platform's DMA path, bouncing if encrypted.
 * </ul>
 */
public final class Negotiation {
  private Negotiation() {}

  public enum Status { OK, FAILED, BROKEN }

  /** @param strategy what the guest ends up with, null unless {@code status} is OK */
  public record Outcome(Status status, StrategyId strategy, String reason) {}

  public static Outcome negotiate(Platform platform, boolean accessPlatformOffered, GuestKind guest) {
    if (!accessPlatformOffered) {
      if (guest.requiresAccessPlatform) {
        return new Outcome(Status.FAILED, null, "Linux ≥ 6.0 encrypted guest refuses a virtio device without ACCESS_PLATFORM (virtio_features_ok)");
      }
      if (guest.encrypted) {
        return new Outcome(Status.BROKEN, null, "encrypted guest without the DMA API: the device is handed private memory it cannot read");
      }
      return new Outcome(Status.OK, StrategyId.DIRECT, "no ACCESS_PLATFORM: the driver hands the device guest-physical addresses");
    }
    if (!guest.knowsAccessPlatform) {
      return new Outcome(Status.FAILED, null, "the host requires ACCESS_PLATFORM and the driver does not accept it: FEATURES_OK is refused");
    }
    boolean bounce = guest.encrypted;
    return switch (platform) {
      case X86_INTEL_IOMMU -> new Outcome(Status.OK, bounce ? StrategyId.VIOMMU_STRICT_BOUNCE : StrategyId.VIOMMU_STRICT,
          "DMA API through the emulated VT-d; Linux 6.1 uses strict invalidation under caching mode" + (bounce ? "; every buffer bounced (encrypted guest)" : ""));
      case X86_VIRTIO_IOMMU -> guest.hasVirtioIommuDriver
          ? new Outcome(Status.OK, bounce ? StrategyId.VIRTIO_IOMMU_BOUNCE : StrategyId.VIRTIO_IOMMU,
              "DMA API through virtio-iommu: a MAP request per aligned chunk of a mapping, an UNMAP per MAP chunk" + (bounce ? "; every buffer bounced (encrypted guest)" : ""))
          : new Outcome(Status.OK, bounce ? StrategyId.BOUNCE : StrategyId.VIRTIO_IOMMU_BYPASS,
              "no virtio-iommu driver: dma-direct, and QEMU's boot-bypass leaves the endpoint untranslated");
      case X86_VIRTIO_IOMMU_BYPASS -> guest.hasVirtioIommuDriver
          ? new Outcome(Status.OK, bounce ? StrategyId.BOUNCE : StrategyId.VIRTIO_IOMMU_BYPASS,
              "identity domain attached with VIRTIO_IOMMU_ATTACH_F_BYPASS: dma-direct, no translation" + (bounce ? "; swiotlb bounces (encrypted guest)" : ""))
          : new Outcome(Status.OK, bounce ? StrategyId.BOUNCE : StrategyId.VIRTIO_IOMMU_BYPASS,
              "no virtio-iommu driver: dma-direct, endpoint left in bypass");
      case PSERIES_TCE -> new Outcome(Status.OK, bounce ? StrategyId.TCE_BOUNCE : StrategyId.TCE,
          "DMA API through the default TCE window: hcalls per map and unmap" + (bounce ? "; every buffer bounced (secure VM)" : ""));
      case PSERIES_DDW -> new Outcome(Status.OK, bounce ? StrategyId.TCE_DDW_BOUNCE : StrategyId.TCE_DDW,
          "a dynamic DMA window maps all RAM at boot: no per-I/O hcalls" + (bounce ? "; every buffer bounced (secure VM)" : ""));
      case PSERIES_TCE_BYPASS -> new Outcome(Status.OK, bounce ? StrategyId.BOUNCE : StrategyId.TCE_BYPASS,
          "ibm,set-tce-bypass switches the device to untranslated DMA (the thread's proposal: a prediction)" + (bounce ? "; swiotlb bounces (secure VM)" : ""));
    };
  }
}
