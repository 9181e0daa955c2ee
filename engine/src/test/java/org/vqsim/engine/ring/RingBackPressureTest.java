package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/** A full descriptor table pushes back on the driver until the device returns chains. */
class RingBackPressureTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);
  private final RingLayout layout = RingLayout.contiguous(8, RING, 64);
  private final SplitDriverQueue driver = new SplitDriverQueue(mem, layout, true, false);
  private final SplitDeviceQueue device = new SplitDeviceQueue(layout, true, false);

  private static Chain chainOf(int buffers) {
    Chain c = new Chain(buffers);
    c.add(0x30_0000L, 16, false);
    for (int i = 1; i < buffers - 1; i++) c.add(0x40_0000L + 4096L * i, 4096, true);
    if (buffers > 1) c.add(0x30_0010L, 1, true);
    return c;
  }

  @Test
  void addingChainsUntilTheTableIsFullReturnsNoSpaceWithoutTouchingTheRing() {
    Chain three = chainOf(3);

    assertThat(driver.addDirect(mem, three, 0)).isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isEqualTo(5);
    assertThat(driver.addDirect(mem, three, 1)).isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isEqualTo(2);
    int availBefore = mem.readU16(layout.availIdx());

    assertThat(driver.addDirect(mem, three, 2)).isEqualTo(DriverQueue.NO_SPACE);

    assertThat(driver.numFree()).isEqualTo(2);
    assertThat(driver.inFlight()).isEqualTo(2);
    assertThat(mem.readU16(layout.availIdx())).as("nothing published").isEqualTo(availBefore);

    assertThat(driver.addDirect(mem, chainOf(2), 3)).as("a smaller chain still fits").isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isZero();
    assertThat(driver.addDirect(mem, chainOf(1), 4)).isEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.inFlight()).isEqualTo(3);
  }

  @Test
  void spaceReturnsAfterTheDeviceFlushesAndTheDriverReclaims() {
    Chain three = chainOf(3);
    driver.addDirect(mem, three, 10);
    driver.addDirect(mem, three, 11);
    assertThat(driver.addDirect(mem, three, 12)).isEqualTo(DriverQueue.NO_SPACE);

    Chain popped = new Chain(8);
    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.count).isEqualTo(3);
    device.fill(mem, popped.head, 4097);
    assertThat(driver.getBuf(mem)).as("filled but not flushed: invisible to the driver").isEqualTo(DriverQueue.NONE);
    assertThat(driver.addDirect(mem, three, 12)).isEqualTo(DriverQueue.NO_SPACE);

    device.flush(mem);
    assertThat(driver.numFree()).as("flushed but not reclaimed").isEqualTo(2);
    assertThat(driver.getBuf(mem)).isEqualTo(10);
    assertThat(driver.numFree()).isEqualTo(5);

    assertThat(driver.addDirect(mem, three, 12)).isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isEqualTo(2);
    assertThat(driver.inFlight()).isEqualTo(2);
  }

  @Test
  void numFreeAccountingHoldsThroughOutOfOrderCompletion() {
    int[] sizes = {1, 3, 2, 2};
    int[] heads = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) heads[i] = driver.addDirect(mem, chainOf(sizes[i]), i);
    assertThat(driver.numFree()).isZero();
    Chain popped = new Chain(8);
    while (device.pop(mem, popped)) {
      // the device takes everything
    }
    // complete in the order 2, 0, 3, 1
    int[] order = {2, 0, 3, 1};
    int free = 0;
    for (int k : order) {
      device.fill(mem, heads[k], 0);
      device.flush(mem);
      assertThat(driver.getBuf(mem)).isEqualTo(k);
      free += sizes[k];
      assertThat(driver.numFree()).isEqualTo(free);
    }
    assertThat(driver.inFlight()).isZero();
    // the recycled free list still yields 8 usable descriptors
    assertThat(driver.addDirect(mem, chainOf(8), 99)).isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isZero();
    device.pop(mem, popped);
    assertThat(popped.count).isEqualTo(8);
  }

  @Test
  void driverRejectsAnEmptyChain() {
    assertThatThrownBy(() -> driver.addDirect(mem, new Chain(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("§2.7.13.1");
  }

  @Test
  void driverRejectsAUsedEntryForADescriptorNotInFlight() {
    driver.addDirect(mem, chainOf(1), 0);
    device.pop(mem, new Chain(8));
    device.fill(mem, 5, 0); // descriptor 5 was never handed out
    device.flush(mem);

    assertThatThrownBy(() -> driver.getBuf(mem))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not in flight");
  }

  @Test
  void deviceRejectsAnAvailIndexThatRunsAheadOfTheQueueSize() {
    mem.writeU16(layout.availIdx(), 9);

    assertThatThrownBy(() -> device.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("more than the queue size");
  }

  @Test
  void deviceRejectsADescriptorChainThatLoops() {
    Chain three = chainOf(3);
    int head = driver.addDirect(mem, three, 0);
    long last = layout.desc(head + 2);
    mem.writeU16(last + Descriptor.FLAGS, Descriptor.F_WRITE | Descriptor.F_NEXT);
    mem.writeU16(last + Descriptor.NEXT, head);

    assertThatThrownBy(() -> device.pop(mem, new Chain(16)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("loops");
  }
}
