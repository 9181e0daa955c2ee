package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/** A full packed ring pushes back on the driver until the device returns chains and the driver reclaims them. */
class PackedRingBackPressureTest {
  private static final long RING = 0x10_0000L;

  private final GuestMemory mem = new GuestMemory(64L << 20);
  private final PackedRingLayout layout = PackedRingLayout.contiguous(8, RING);
  private final PackedDriverQueue driver = new PackedDriverQueue(mem, layout, true, false);
  private final PackedDeviceQueue device = new PackedDeviceQueue(layout, true, false);

  private static Chain chainOf(int buffers) {
    Chain c = new Chain(buffers);
    c.add(0x30_0000L, 16, false);
    for (int i = 1; i < buffers - 1; i++) c.add(0x40_0000L + 4096L * i, 4096, true);
    if (buffers > 1) c.add(0x30_0010L, 1, true);
    return c;
  }

  @Test
  void addingChainsUntilTheRingIsFullReturnsNoSpaceWithoutTouchingTheRing() {
    Chain three = chainOf(3);

    assertThat(driver.addDirect(mem, three, 0)).isEqualTo(0);
    assertThat(driver.numFree()).isEqualTo(5);
    assertThat(driver.addDirect(mem, three, 1)).as("a 3-descriptor chain took 3 ids").isEqualTo(3);
    assertThat(driver.numFree()).isEqualTo(2);
    int slot = driver.nextAvailIdx();
    int flagsBefore = mem.readU16(layout.desc(slot) + PackedDescriptor.FLAGS);

    assertThat(driver.addDirect(mem, three, 2)).isEqualTo(DriverQueue.NO_SPACE);

    assertThat(driver.numFree()).isEqualTo(2);
    assertThat(driver.inFlight()).isEqualTo(2);
    assertThat(driver.nextAvailIdx()).isEqualTo(slot);
    assertThat(mem.readU16(layout.desc(slot) + PackedDescriptor.FLAGS)).as("nothing made available").isEqualTo(flagsBefore);

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

    assertThat(driver.addDirect(mem, three, 12)).as("slots 6, 7, 0: across the end").isNotEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.numFree()).isEqualTo(2);
    assertThat(driver.inFlight()).isEqualTo(2);
    assertThat(driver.availWrapCounter()).isFalse();
  }

  @Test
  void numFreeAndIdsHoldThroughOutOfOrderCompletion() {
    int[] sizes = {1, 3, 2, 2};
    int[] ids = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) ids[i] = driver.addDirect(mem, chainOf(sizes[i]), i);
    assertThat(ids).containsExactly(0, 1, 4, 6);
    assertThat(driver.numFree()).isZero();
    Chain popped = new Chain(8);
    while (device.pop(mem, popped)) {
      // the device takes everything
    }
    // complete in the order 2, 0, 3, 1: used descriptors land in slots 0, 2, 3, 5
    int[] order = {2, 0, 3, 1};
    int free = 0;
    for (int k : order) {
      device.fill(mem, ids[k], 0);
      device.flush(mem);
      assertThat(driver.getBuf(mem)).isEqualTo(k);
      free += sizes[k];
      assertThat(driver.numFree()).isEqualTo(free);
    }
    assertThat(driver.inFlight()).isZero();
    assertThat(driver.lastUsedIdx()).isZero();
    assertThat(driver.usedWrapCounter()).isFalse();
    // the recycled id list still yields a chain of 8
    int expected = driver.peekFreeHead();
    assertThat(driver.addDirect(mem, chainOf(8), 99)).isEqualTo(expected);
    assertThat(driver.numFree()).isZero();
    device.pop(mem, popped);
    assertThat(popped.count).isEqualTo(8);
    assertThat(popped.head).isEqualTo(expected);
  }

  @Test
  void driverRejectsAnEmptyChain() {
    assertThatThrownBy(() -> driver.addDirect(mem, new Chain(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("§2.8.21.1");
  }

  @Test
  void driverRejectsAUsedDescriptorForAnIdNotInFlight() {
    driver.addDirect(mem, chainOf(1), 0);
    device.pop(mem, new Chain(8));
    long d = layout.desc(0);
    mem.writeU16(d + PackedDescriptor.ID, 5); // id 5 was never handed out
    mem.writeU16(d + PackedDescriptor.FLAGS, PackedDescriptor.F_AVAIL | PackedDescriptor.F_USED);

    assertThatThrownBy(() -> driver.getBuf(mem))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not in flight");
  }

  @Test
  void driverRejectsAUsedDescriptorWithAnIdOutOfRange() {
    driver.addDirect(mem, chainOf(1), 0);
    long d = layout.desc(0);
    mem.writeU16(d + PackedDescriptor.ID, 8);
    mem.writeU16(d + PackedDescriptor.FLAGS, PackedDescriptor.F_AVAIL | PackedDescriptor.F_USED);

    assertThatThrownBy(() -> driver.getBuf(mem))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("buffer id 8");
  }
}
