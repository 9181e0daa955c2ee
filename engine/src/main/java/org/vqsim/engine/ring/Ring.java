package org.vqsim.engine.ring;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.util.Names;

/**
 * The virtqueue layouts vqsim can replay, registered once with their CLI id, their queue-size rule
 * and how to build the driver and device sides over the same ring bytes. Chosen once per replay;
 * after that the engine only sees the sealed {@link DriverQueue} / {@link DeviceQueue}.
 */
public enum Ring {
  /** virtio 1.2 §2.7: descriptor table, available ring, used ring; power-of-two sizes. */
  SPLIT("split", "descriptor table + available ring + used ring (virtio 1.2 §2.7), power-of-two sizes", RingIndex::splitQueueSizeError, (mem, size, base, eventIdx, indirect) -> {
    // the used ring cache-line aligned, as virtio_pci_modern asks of vring_create_virtqueue
    RingLayout layout = RingLayout.contiguous(size, base, Ring.SPLIT_USED_ALIGN);
    return new Queues(new SplitDriverQueue(mem, layout, eventIdx, indirect), new SplitDeviceQueue(mem, layout, eventIdx, indirect), layout.end());
  }),
  /** virtio 1.2 §2.8 (VIRTIO_F_RING_PACKED): one descriptor ring and two event suppression areas; any size. */
  PACKED("packed", "one descriptor ring + two event suppression areas (virtio 1.2 §2.8), any size up to 32768", RingIndex::packedQueueSizeError, (mem, size, base, eventIdx, indirect) -> {
    PackedRingLayout layout = PackedRingLayout.contiguous(size, base);
    return new Queues(new PackedDriverQueue(mem, layout, eventIdx, indirect), new PackedDeviceQueue(layout, eventIdx, indirect), layout.end());
  });

  /** Alignment of the split ring's used ring, in bytes. */
  public static final int SPLIT_USED_ALIGN = 64;

  public final String id;
  public final String description;
  private final IntFunction<String> sizeRule;
  private final Factory factory;

  /** Both sides of one virtqueue; {@code end} is one past the ring's last byte (its start is the base it was built at). */
  public record Queues(DriverQueue driver, DeviceQueue device, long end) {}

  @FunctionalInterface
  private interface Factory {
    Queues create(GuestMemory mem, int size, long base, boolean eventIdx, boolean indirect);
  }

  Ring(String id, String description, IntFunction<String> sizeRule, Factory factory) {
    this.id = id;
    this.description = description;
    this.sizeRule = sizeRule;
    this.factory = factory;
  }

  /** Why {@code size} is not a valid queue size for this layout, or null when it is. */
  public String queueSizeError(int size) {
    return sizeRule.apply(size);
  }

  /** Lays the ring out at {@code base} (zeroing it, as the driver does) and builds both sides over it. */
  public Queues create(GuestMemory mem, int size, long base, boolean eventIdx, boolean indirect) {
    String err = queueSizeError(size);
    if (err != null) throw new IllegalArgumentException(err);
    return factory.create(mem, size, base, eventIdx, indirect);
  }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (Ring r : values()) l.add(r.id);
    return l;
  }

  public static Ring of(String id) {
    for (Ring r : values()) if (r.id.equals(id)) return r;
    throw new IllegalArgumentException("unknown ring '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
