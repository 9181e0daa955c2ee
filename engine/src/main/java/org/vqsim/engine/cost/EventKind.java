package org.vqsim.engine.cost;

/** Countable DMA-path events, per request (each a column of requests.arrow and a per-request mean in summary.arrow). */
public enum EventKind {
  MAPS("maps", "DMA mappings created"),
  UNMAPS("unmaps", "DMA mappings removed"),
  BOUNCES("bounces", "buffers bounced through swiotlb"),
  BOUNCE_BYTES("bounce_bytes", "bytes copied to or from bounce slots"),
  INVALIDATIONS("invalidations", "IOTLB invalidation requests"),
  IOTLB_MISSES("iotlb_misses", "device-side IOTLB misses (page walks)"),
  HYPERCALLS("hypercalls", "hypercalls issued"),
  EXITS("exits", "VM exits caused (kicks, invalidations, hypercalls)"),
  INTERRUPTS("interrupts", "interrupts taken by the guest");

  public static final int COUNT = values().length;
  private static final EventKind[] VALUES = values();

  public final String id;
  public final String description;

  EventKind(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public static EventKind of(int ordinal) { return VALUES[ordinal]; }
}
