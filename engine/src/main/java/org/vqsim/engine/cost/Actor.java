package org.vqsim.engine.cost;

/** Who spends the cycles (DESIGN.md §4). */
public enum Actor {
  /** The guest vCPU running the driver. Its cycles are the guest's. */
  VCPU("vcpu", "guest vCPU running the virtio driver and DMA API"),
  /** The VMM (QEMU) or vhost thread running the device model. */
  VMM("vmm", "VMM/vhost thread running the device model"),
  /** IOMMU emulation in the VMM (vIOMMU, virtio-iommu device, TCE hcall handling). */
  IOMMU("iommu", "IOMMU emulation in the host"),
  /** The host's storage path below the device model. */
  BACKEND("backend", "host storage backend submitting and completing I/O");

  public static final int COUNT = values().length;
  private static final Actor[] VALUES = values();

  public final String id;
  public final String description;

  Actor(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public static Actor of(int ordinal) { return VALUES[ordinal]; }

  /** Whether the cycles are spent inside the guest (true) or in the host (false). */
  public boolean isGuest() { return this == VCPU; }
}
