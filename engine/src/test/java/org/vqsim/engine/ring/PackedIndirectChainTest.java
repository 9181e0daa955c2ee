package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/**
 * VIRTIO_F_INDIRECT_DESC on a packed ring (virtio 1.2 §2.8.7, §2.8.19): one ring slot with INDIRECT
 * points at a table of 16-byte packed descriptors; inside it only addr, len and WRITE count.
 */
class PackedIndirectChainTest {
  private static final long RING = 0x10_0000L;
  private static final long TABLE = 0x40_0400L;
  private static final long TABLE_DMA = 0x7700_0400L; // what the device is told; the direct strategy would use TABLE

  private GuestMemory mem;
  private PackedRingLayout layout;
  private PackedDriverQueue driver;
  private PackedDeviceQueue device;
  private Chain request;

  @BeforeEach
  void setUp() {
    mem = new GuestMemory(4L << 30);
    layout = PackedRingLayout.contiguous(6, RING);
    driver = new PackedDriverQueue(mem, layout, true, true);
    device = new PackedDeviceQueue(layout, true, true);
    request = new Chain(8);
    request.add(0x50_0000L, 16, false); // virtio-blk header, device reads
    request.add(0x60_0000L, 4096, true); // data, device writes (a read request)
    request.add(0x50_0010L, 1, true); // status byte
  }

  @Test
  void indirectChainUsesOneRingSlot() {
    assertThat(driver.descriptorsNeeded(3, true)).isEqualTo(1);
    assertThat(driver.descriptorsNeeded(1, true)).as("a single buffer goes direct").isEqualTo(1);
    assertThat(driver.descriptorsNeeded(3, false)).isEqualTo(3);

    int id = driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);

    assertThat(id).isZero();
    assertThat(driver.numFree()).isEqualTo(5);
    assertThat(driver.nextAvailIdx()).isEqualTo(1);
    assertThat(driver.peekFreeHead()).as("one id taken").isEqualTo(1);
    assertThat(driver.inFlight()).isEqualTo(1);
    long d = layout.desc(0);
    assertThat(mem.readU64(d + PackedDescriptor.ADDR)).isEqualTo(TABLE_DMA);
    assertThat(mem.readU32(d + PackedDescriptor.LEN)).isEqualTo(3 * 16L);
    assertThat(mem.readU16(d + PackedDescriptor.ID)).isEqualTo(id);
    assertThat(mem.readU16(d + PackedDescriptor.FLAGS)).isEqualTo(PackedDescriptor.F_INDIRECT | PackedDescriptor.F_AVAIL);
    assertThat(mem.readU16(layout.desc(1) + PackedDescriptor.FLAGS)).as("the next slot stays untouched").isZero();
  }

  @Test
  void sixIndirectChainsFillASixSlotRingAndTheSeventhFindsNoSpace() {
    for (int t = 0; t < 6; t++) assertThat(driver.addIndirect(mem, request, TABLE, TABLE_DMA, t)).isEqualTo(t);
    assertThat(driver.numFree()).isZero();
    assertThat(driver.addIndirect(mem, request, TABLE, TABLE_DMA, 6)).isEqualTo(DriverQueue.NO_SPACE);
    assertThat(driver.availWrapCounter()).isFalse();
  }

  @Test
  void indirectTableHoldsTheBuffersWithWriteFlagsOnly() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);

    long[] addr = {0x50_0000L, 0x60_0000L, 0x50_0010L};
    long[] len = {16, 4096, 1};
    int[] flags = {0, PackedDescriptor.F_WRITE, PackedDescriptor.F_WRITE};
    for (int k = 0; k < 3; k++) {
      long e = TABLE + 16L * k;
      assertThat(mem.readU64(e)).isEqualTo(addr[k]);
      assertThat(mem.readU32(e + 8)).isEqualTo(len[k]);
      assertThat(mem.readU16(e + 12)).as("id is ignored in a table").isZero();
      assertThat(mem.readU16(e + 14)).as("entry %d: no NEXT, no AVAIL/USED (virtio 1.2 §2.8.19)", k).isEqualTo(flags[k]);
    }
  }

  @Test
  void writeIndirectThenAddIndirectTableIsTheSameAsAddIndirect() {
    driver.writeIndirect(mem, request, TABLE);
    int id = driver.addIndirectTable(mem, 3, TABLE_DMA, 11);
    Chain popped = new Chain(8);

    assertThat(device.pop(mem, popped)).isTrue();
    assertThat(popped.head).isEqualTo(id);
    device.readIndirect(mem, TABLE, popped.indirectLen, popped);
    assertThat(popped.count).isEqualTo(3);
  }

  @Test
  void devicePopReportsTheTableAndReadIndirectYieldsTheBuffersWithDirections() {
    int id = driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    Chain popped = new Chain(8);

    assertThat(device.pop(mem, popped)).isTrue();

    assertThat(popped.head).isEqualTo(id);
    assertThat(popped.count).as("buffers arrive only after the table is read").isZero();
    assertThat(popped.indirectAddr).isEqualTo(TABLE_DMA);
    assertThat(popped.indirectLen).isEqualTo(48);
    assertThat(device.lastAvailIdx()).as("the device moves one slot on").isEqualTo(1);

    device.readIndirect(mem, TABLE, popped.indirectLen, popped); // translated: TABLE_DMA -> TABLE
    assertThat(popped.count).isEqualTo(3);
    assertThat(popped.addr).startsWith(0x50_0000L, 0x60_0000L, 0x50_0010L);
    assertThat(popped.len).startsWith(16, 4096, 1);
    assertThat(popped.deviceWrites).startsWith(false, true, true);
  }

  @Test
  void reclaimedIndirectChainReturnsItsOneSlotAndToken() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    Chain popped = new Chain(8);
    device.pop(mem, popped);
    device.fill(mem, popped.head, 4097);
    device.flush(mem);

    assertThat(device.usedIdx()).isEqualTo(1);
    assertThat(driver.getBuf(mem)).isEqualTo(7);
    assertThat(driver.lastUsedLen()).isEqualTo(4097);
    assertThat(driver.lastUsedIdx()).isEqualTo(1);
    assertThat(driver.numFree()).isEqualTo(6);
    assertThat(driver.inFlight()).isZero();
    assertThat(driver.getBuf(mem)).isEqualTo(DriverQueue.NONE);
  }

  @Test
  void mixedDirectAndIndirectChainsShareTheRingInOrder() {
    Chain two = new Chain(2);
    two.add(0x50_0000L, 16, false);
    two.add(0x50_0010L, 1, true);
    int a = driver.addDirect(mem, two, 1); // slots 0,1; ids 0,1
    int b = driver.addIndirect(mem, request, TABLE, TABLE_DMA, 2); // slot 2; id 2
    int c = driver.addDirect(mem, two, 3); // slots 3,4; ids 3,4

    assertThat(new int[] {a, b, c}).containsExactly(0, 2, 3);
    assertThat(driver.numFree()).isEqualTo(1);
    Chain popped = new Chain(8);
    int[] counts = new int[3];
    for (int k = 0; k < 3; k++) {
      device.pop(mem, popped);
      counts[k] = popped.count;
    }
    assertThat(counts).containsExactly(2, 0, 2);
    assertThat(device.lastAvailIdx()).isEqualTo(5);
  }

  @Test
  void deviceRejectsANestedIndirectDescriptor() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    mem.writeU16(TABLE + 16 + PackedDescriptor.FLAGS, PackedDescriptor.F_INDIRECT | PackedDescriptor.F_WRITE);
    Chain popped = new Chain(8);
    device.pop(mem, popped);

    assertThatThrownBy(() -> device.readIndirect(mem, TABLE, popped.indirectLen, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("nested indirect")
        .hasMessageContaining("§2.8.19");
  }

  @Test
  void deviceRejectsNextInsideAnIndirectTable() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    mem.writeU16(TABLE + PackedDescriptor.FLAGS, PackedDescriptor.F_NEXT);
    Chain popped = new Chain(8);
    device.pop(mem, popped);

    assertThatThrownBy(() -> device.readIndirect(mem, TABLE, popped.indirectLen, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("only WRITE");
  }

  @Test
  void deviceRejectsAnIndirectDescriptorWithNext() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    long d = layout.desc(0);
    mem.writeU16(d + PackedDescriptor.FLAGS, PackedDescriptor.F_INDIRECT | PackedDescriptor.F_NEXT | PackedDescriptor.F_AVAIL);

    assertThatThrownBy(() -> device.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("alone in its chain");
  }

  @Test
  void deviceRejectsAnIndirectTableWhoseLengthIsNotAPositiveMultipleOf16() {
    for (int bad : new int[] {40, 0}) {
      setUp();
      driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
      mem.writeU32(layout.desc(0) + PackedDescriptor.LEN, bad);

      assertThatThrownBy(() -> device.pop(mem, new Chain(8)))
          .as("length %d", bad)
          .isInstanceOf(VirtqueueException.class)
          .hasMessageContaining("multiple of 16");
    }
  }

  @Test
  void deviceRejectsATableLargerThanItAccepts() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    Chain small = new Chain(2);
    device.pop(mem, small);

    assertThatThrownBy(() -> device.readIndirect(mem, TABLE, small.indirectLen, small))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("exceeds what the device accepts");
  }

  @Test
  void deviceWithoutIndirectFeatureRejectsAnIndirectDescriptor() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    PackedDeviceQueue noIndirect = new PackedDeviceQueue(layout, true, false);

    assertThatThrownBy(() -> noIndirect.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("VIRTIO_F_INDIRECT_DESC");
  }

  @Test
  void driverWithoutIndirectFeatureRefusesAnIndirectAdd() {
    PackedDriverQueue plain = new PackedDriverQueue(new GuestMemory(64L << 20), layout, true, false);

    assertThat(plain.descriptorsNeeded(3, true)).isEqualTo(3);
    assertThatThrownBy(() -> plain.addIndirect(mem, request, TABLE, TABLE_DMA, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("VIRTIO_F_INDIRECT_DESC");
    assertThatThrownBy(() -> plain.addIndirectTable(mem, 3, TABLE_DMA, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("VIRTIO_F_INDIRECT_DESC");
  }
}
