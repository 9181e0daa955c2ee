package org.vqsim.replay.reproduce;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.util.Names;

/**
 * What a published experiment needs the model to have. A scenario names what it needs
 * ({@code requires = ["virtio-net"]}); while one of them is not {@link #modelled}, its figures are
 * listed as not yet reproducible with that capability named, and they run as soon as it is.
 */
public enum Capability {
  VIRTIO_BLK("virtio-blk", true, "a virtio-blk device and its virtqueues, split or packed"),
  INTEL_VIOMMU("intel-viommu", true, "QEMU's emulated VT-d (caching mode) in front of a virtio device"),
  VIRTIO_IOMMU("virtio-iommu", true, "virtio-iommu MAP/UNMAP requests, strict, lazy (guest Linux 6.8+) and bypass"),
  SWIOTLB("swiotlb", true, "swiotlb bouncing with per-CPU areas"),
  TCE("tce", true, "POWER pseries TCE hypercalls, DDW and TCE pools"),
  MANY_VCPUS("many-vcpus", true, "many vCPUs and queues with the guest's and QEMU's locks"),
  VIRTIO_NET("virtio-net", false, "a virtio-net device: packets, TX/RX queues, a network peer and its line rate"),
  PHYSICAL_NIC("physical-nic", false, "a physical network adapter driven by the (guest) OS: its multiqueue TX/RX rings, packets, TCP round trips and line rate"),
  ASSIGNED_DEVICE("assigned-device", false, "a physical device assigned to the guest (VFIO) behind a vIOMMU, with the host's IOMMU programmed for it"),
  SG_MAPPING_DEVICE("sg-mapping-device", false,
      "a device whose driver maps a request's buffers with one dma_map_sg (NVMe), so that iotlb_sync_map syncs once per request instead of once per buffer"),
  BARE_METAL_IOMMU("bare-metal-iommu", false, "a host (no guest) whose driver maps through the physical IOMMU (VT-d, SMMUv3) and its invalidation queue"),
  ARM_SMMU("arm-smmu", false, "an Arm SMMUv3 (command queue, its lock and its invalidation costs)"),
  SIDE_CORE("side-core", false, "IOMMU emulation polled on a dedicated host core instead of trapping (vIOMMU sidecore)"),
  IOMMU_BOUNCE_POOL("iommu-bounce-pool", false, "dma-iommu bounce buffers kept mapped in the IOMMU and reused across I/Os (dynamic IOMMU-backed bounce buffers)"),
  CONFIDENTIAL_ENCRYPTION("memory-encryption-cost", false, "the cost of encrypted memory itself (SEV/TDX page-state changes, encrypted copies), beyond the bounce copy");

  public final String id;
  public final boolean modelled;
  public final String description;

  Capability(String id, boolean modelled, String description) {
    this.id = id;
    this.modelled = modelled;
    this.description = description;
  }

  public static Capability of(String id) {
    for (Capability c : values()) if (c.id.equals(id)) return c;
    List<String> ids = new ArrayList<>();
    for (Capability c : values()) ids.add(c.id);
    throw new IllegalArgumentException("unknown capability '" + id + "'" + Names.didYouMean(id, ids) + "; known: " + String.join(", ", ids));
  }
}
