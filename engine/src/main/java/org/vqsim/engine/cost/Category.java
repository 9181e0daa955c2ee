package org.vqsim.engine.cost;

/** What the cycles are spent on (DESIGN.md §4); each is a {@code cycles_<id>} column of the summary. */
public enum Category {
  RING("ring", "adding, popping, filling and reclaiming ring entries"),
  NOTIFY("notify", "driver-to-device notifications (kick exits and their handling)"),
  INTERRUPT("interrupt", "device-to-driver interrupts (injection and guest handling)"),
  MAP("map", "DMA map operations (IOVA allocation, page-table updates)"),
  UNMAP("unmap", "DMA unmap operations"),
  INVALIDATE("invalidate", "IOTLB invalidations and their waits"),
  IOTLB_WALK("iotlb_walk", "device-side page walks on IOTLB misses"),
  TRANSLATE("translate", "device-side address translation (IOTLB hits)"),
  BOUNCE_COPY("bounce_copy", "copies into and out of the swiotlb bounce pool"),
  BOUNCE_ALLOC("bounce_alloc", "swiotlb slot search, allocation and release"),
  HYPERCALL("hypercall", "hypercalls (POWER H_PUT_TCE and friends)"),
  DEVICE("device", "device request handling and backend submission"),
  SCHED("sched", "block-layer I/O scheduler (mq-deadline) insert and dispatch"),
  LOCK_WAIT("lock_wait", "spinning on a contended guest lock (vCPU cycles)");

  public static final int COUNT = values().length;
  private static final Category[] VALUES = values();

  public final String id;
  public final String description;

  Category(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public static Category of(int ordinal) { return VALUES[ordinal]; }
}
