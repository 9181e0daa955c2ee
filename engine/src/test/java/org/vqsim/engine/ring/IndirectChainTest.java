package org.vqsim.engine.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.memory.GuestMemory;

/** VIRTIO_F_INDIRECT_DESC: a whole request behind one ring descriptor (virtio 1.2 §2.7.5.3). */
class IndirectChainTest {
  private static final long RING = 0x10_0000L;
  private static final long TABLE = 0x40_0400L;
  private static final long TABLE_DMA = 0x7700_0400L; // what the device is told; the direct strategy would use TABLE

  private GuestMemory mem;
  private RingLayout layout;
  private SplitDriverQueue driver;
  private SplitDeviceQueue device;
  private Chain request;

  @BeforeEach
  void setUp() {
    mem = new GuestMemory(4L << 30);
    layout = RingLayout.contiguous(8, RING, 64);
    driver = new SplitDriverQueue(mem, layout, true, true);
    device = new SplitDeviceQueue(layout, true, true);
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

    int head = driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);

    assertThat(driver.numFree()).isEqualTo(7);
    assertThat(driver.inFlight()).isEqualTo(1);
    long d = layout.desc(head);
    assertThat(mem.readU64(d + Descriptor.ADDR)).isEqualTo(TABLE_DMA);
    assertThat(mem.readU32(d + Descriptor.LEN)).isEqualTo(3 * 16L);
    assertThat(mem.readU16(d + Descriptor.FLAGS)).isEqualTo(Descriptor.F_INDIRECT);
    assertThat(mem.readU16(layout.availRing(0))).isEqualTo(head);
    assertThat(mem.readU16(layout.availIdx())).isEqualTo(1);
  }

  @Test
  void indirectTableHoldsTheBuffersWithNextAndWriteFlags() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);

    // entry 0: header, NEXT -> 1
    assertThat(mem.readU64(TABLE)).isEqualTo(0x50_0000L);
    assertThat(mem.readU32(TABLE + 8)).isEqualTo(16);
    assertThat(mem.readU16(TABLE + 12)).isEqualTo(Descriptor.F_NEXT);
    assertThat(mem.readU16(TABLE + 14)).isEqualTo(1);
    // entry 1: data, NEXT|WRITE -> 2
    assertThat(mem.readU64(TABLE + 16)).isEqualTo(0x60_0000L);
    assertThat(mem.readU32(TABLE + 24)).isEqualTo(4096);
    assertThat(mem.readU16(TABLE + 28)).isEqualTo(Descriptor.F_NEXT | Descriptor.F_WRITE);
    assertThat(mem.readU16(TABLE + 30)).isEqualTo(2);
    // entry 2: status, WRITE only, end of chain; never INDIRECT inside a table (virtio 1.2 §2.7.5.3.1)
    assertThat(mem.readU64(TABLE + 32)).isEqualTo(0x50_0010L);
    assertThat(mem.readU32(TABLE + 40)).isEqualTo(1);
    assertThat(mem.readU16(TABLE + 44)).isEqualTo(Descriptor.F_WRITE);
  }

  @Test
  void devicePopReportsTheTableAndReadIndirectYieldsTheBuffersWithDirections() {
    int head = driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    Chain popped = new Chain(8);

    assertThat(device.pop(mem, popped)).isTrue();

    assertThat(popped.head).isEqualTo(head);
    assertThat(popped.count).as("buffers arrive only after the table is read").isZero();
    assertThat(popped.indirectAddr).isEqualTo(TABLE_DMA);
    assertThat(popped.indirectLen).isEqualTo(48);

    device.readIndirect(mem, TABLE, popped.indirectLen, popped); // translated: TABLE_DMA -> TABLE
    assertThat(popped.count).isEqualTo(3);
    assertThat(popped.addr).startsWith(0x50_0000L, 0x60_0000L, 0x50_0010L);
    assertThat(popped.len).startsWith(16, 4096, 1);
    assertThat(popped.deviceWrites).startsWith(false, true, true);
    assertThat(popped.totalLength()).isEqualTo(16 + 4096 + 1);
  }

  @Test
  void reclaimedIndirectChainReturnsItsOneDescriptorAndToken() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    Chain popped = new Chain(8);
    device.pop(mem, popped);
    device.fill(mem, popped.head, 4097);
    device.flush(mem);

    assertThat(driver.getBuf(mem)).isEqualTo(7);
    assertThat(driver.lastUsedLen()).isEqualTo(4097);
    assertThat(driver.numFree()).isEqualTo(8);
    assertThat(driver.inFlight()).isZero();
    assertThat(driver.getBuf(mem)).isEqualTo(DriverQueue.NONE);
  }

  @Test
  void deviceRejectsANestedIndirectDescriptor() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    // a misbehaving driver sets INDIRECT on an entry inside the table
    mem.writeU16(TABLE + 16 + Descriptor.FLAGS, Descriptor.F_INDIRECT | Descriptor.F_NEXT);
    Chain popped = new Chain(8);
    device.pop(mem, popped);

    assertThatThrownBy(() -> device.readIndirect(mem, TABLE, popped.indirectLen, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("nested indirect")
        .hasMessageContaining("§2.7.5.3.1");
  }

  @Test
  void deviceRejectsAnIndirectDescriptorThatIsPartOfAChain() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    long d = layout.desc(0);
    mem.writeU16(d + Descriptor.FLAGS, Descriptor.F_INDIRECT | Descriptor.F_NEXT);

    assertThatThrownBy(() -> device.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("alone in its chain");
  }

  @Test
  void deviceRejectsAnIndirectTableWhoseLengthIsNotAMultipleOf16() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    mem.writeU32(layout.desc(0) + Descriptor.LEN, 40);

    assertThatThrownBy(() -> device.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("multiple of 16");
  }

  @Test
  void deviceWithoutIndirectFeatureRejectsAnIndirectDescriptor() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    SplitDeviceQueue noIndirect = new SplitDeviceQueue(layout, true, false);

    assertThatThrownBy(() -> noIndirect.pop(mem, new Chain(8)))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("VIRTIO_F_INDIRECT_DESC");
  }

  @Test
  void driverWithoutIndirectFeatureRefusesAnIndirectAdd() {
    SplitDriverQueue plain = new SplitDriverQueue(new GuestMemory(64L << 20), layout, true, false);

    assertThat(plain.descriptorsNeeded(3, true)).isEqualTo(3);
    assertThatThrownBy(() -> plain.addIndirect(mem, request, TABLE, TABLE_DMA, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("VIRTIO_F_INDIRECT_DESC");
  }

  @Test
  void deviceRejectsAnIndirectChainThatLoops() {
    driver.addIndirect(mem, request, TABLE, TABLE_DMA, 7);
    mem.writeU16(TABLE + 32 + Descriptor.FLAGS, Descriptor.F_WRITE | Descriptor.F_NEXT);
    mem.writeU16(TABLE + 32 + Descriptor.NEXT, 0);
    Chain popped = new Chain(8);
    device.pop(mem, popped);

    assertThatThrownBy(() -> device.readIndirect(mem, TABLE, popped.indirectLen, popped))
        .isInstanceOf(VirtqueueException.class)
        .hasMessageContaining("loops");
  }
}
