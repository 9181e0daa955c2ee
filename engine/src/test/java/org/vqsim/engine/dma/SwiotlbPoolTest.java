package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The swiotlb slot allocator against Linux 6.1 {@code kernel/dma/swiotlb.c}: IO_TLB_SHIFT 11 (2 KiB
 * slots), IO_TLB_SEGSIZE 128, {@code slots[i].list} = free slots from i to the end of its segment,
 * {@code swiotlb_do_find_slots} (stride 1, or a page's worth of slots for allocations of a page or
 * more; search from {@code area->index}, wrapping once), {@code swiotlb_find_slots} (areas from the
 * cpu's, then the others) and {@code swiotlb_release_slots} (merge with the free run above, then
 * renumber the free slots below).
 */
class SwiotlbPoolTest {
  private static final long BASE = 0x8000_0000L;
  private static final int PAGE_4K = 4096;
  private static final int PAGE_64K = 65536;
  private static final long SEGMENT = 256 << 10;

  private static SwiotlbPool pool(long bytes, int areas, int pageSize) {
    return new SwiotlbPool(BASE, bytes, areas, pageSize);
  }

  private static int slotOf(long addr) {
    return (int) ((addr - BASE) >>> SwiotlbPool.IO_TLB_SHIFT);
  }

  /** swiotlb_init_io_tlb_mem: mem->slots[i].list = IO_TLB_SEGSIZE - io_tlb_offset(i). */
  private static int freshList(int i) {
    return 128 - (i % 128);
  }

  @Test
  void constantsAreLinux61s() {
    // kernel/dma/swiotlb.c / include/linux/swiotlb.h: IO_TLB_SHIFT 11, IO_TLB_SEGSIZE 128
    assertThat(SwiotlbPool.IO_TLB_SIZE).isEqualTo(2048);
    assertThat(SwiotlbPool.IO_TLB_SEGSIZE).isEqualTo(128);
    assertThat(SwiotlbPool.MAX_MAPPING).as("swiotlb_max_mapping_size: 128 slots x 2 KiB").isEqualTo(256 << 10);
    assertThat(SwiotlbPool.slotsFor(1)).isEqualTo(1);
    assertThat(SwiotlbPool.slotsFor(2048)).isEqualTo(1);
    assertThat(SwiotlbPool.slotsFor(2049)).isEqualTo(2);
  }

  @Test
  void freshPoolListCountsFreeSlotsToTheEndOfEachSegment() {
    SwiotlbPool p = pool(64L << 20, 1, PAGE_4K); // IO_TLB_DEFAULT_SIZE 64 MiB
    assertThat(p.slots()).isEqualTo(32768);
    for (int i = 0; i < p.slots(); i++) assertThat(p.freeRun(i)).as("list[%d]", i).isEqualTo(freshList(i));
    assertThat(p.freeRun(0)).isEqualTo(128);
    assertThat(p.freeRun(1)).isEqualTo(127);
    assertThat(p.freeRun(127)).isEqualTo(1);
    assertThat(p.freeRun(128)).isEqualTo(128);
    assertThat(p.usedSlots()).isZero();
  }

  @Test
  void sixteenByteMapTakesOneSlot() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    long a = p.alloc(16, 0);
    assertThat(a).isEqualTo(BASE);
    assertThat(p.usedSlots()).isEqualTo(1);
    assertThat(p.freeRun(0)).isZero();
    assertThat(p.freeRun(1)).isEqualTo(127);
  }

  @Test
  void fourKiBMapTakesTwoPageAlignedSlots() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    p.alloc(16, 0); // slot 0; area->index = 1
    long a = p.alloc(4096, 0);
    // alloc_size >= PAGE_SIZE: stride = 1 << (PAGE_SHIFT - IO_TLB_SHIFT) = 2, index ALIGN(1, 2) = 2
    assertThat(slotOf(a)).isEqualTo(2);
    assertThat(a % 4096).isZero();
    assertThat(p.usedSlots()).isEqualTo(3);
    assertThat(p.freeRun(1)).as("the slot skipped for alignment stays free, its run now ends at slot 2").isEqualTo(1);
    assertThat(p.freeRun(2)).isZero();
    assertThat(p.freeRun(3)).isZero();
    assertThat(p.freeRun(4)).isEqualTo(124);
  }

  @Test
  void sixtyFourKiBPagesMakeTheStride32Slots() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_64K);
    p.alloc(16, 0); // slot 0
    long small = p.alloc(4096, 0); // below one 64 KiB page: stride 1
    assertThat(slotOf(small)).isEqualTo(1);
    long big = p.alloc(65536, 0); // a whole page: stride 1 << (16 - 11) = 32
    assertThat(slotOf(big)).isEqualTo(32);
    assertThat(big % 65536).isZero();
    assertThat(p.freeRun(3)).isEqualTo(29);
  }

  @Test
  void twoHundredFiftySixKiBIsTheLargestMapping() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    assertThat(p.alloc(SwiotlbPool.MAX_MAPPING, 0)).isEqualTo(BASE);
    assertThat(p.usedSlots()).isEqualTo(128);
    assertThat(p.alloc(SwiotlbPool.MAX_MAPPING + 1, 0)).as("129 slots never fit a segment").isEqualTo(SwiotlbPool.NOT_FOUND);
    assertThat(p.usedSlots()).isEqualTo(128);
  }

  @Test
  void fullSegmentMappingSkipsToTheNextSegmentStart() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    p.alloc(16, 0);
    long a = p.alloc(SwiotlbPool.MAX_MAPPING, 0);
    assertThat(slotOf(a)).isEqualTo(128);
  }

  @Test
  void allocationsNeverCrossASegment() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    long first = p.alloc(100L * 2048, 0); // slots 0..99
    assertThat(slotOf(first)).isZero();
    long second = p.alloc(64L * 2048, 0); // 28 free slots left in segment 0: not enough
    assertThat(slotOf(second)).isEqualTo(128);
    for (int i = 100; i < 128; i++) assertThat(p.freeRun(i)).as("list[%d]", i).isEqualTo(128 - i);
  }

  @Test
  void releaseRestoresTheListExactly() {
    SwiotlbPool p = pool(SEGMENT, 1, PAGE_4K);
    long a = p.alloc(16, 0);
    long b = p.alloc(5000, 0); // 3 slots at ALIGN(1, 2) = 2
    long c = p.alloc(2048, 0); // slot 5
    assertThat(slotOf(b)).isEqualTo(2);
    assertThat(slotOf(c)).isEqualTo(5);
    assertThat(p.freeRun(1)).isEqualTo(1);
    p.release(b); // merges with nothing above (slot 5 used): 2,3,4 -> 3,2,1; below: slot 1 -> 4
    assertThat(p.freeRun(1)).isEqualTo(4);
    assertThat(p.freeRun(2)).isEqualTo(3);
    assertThat(p.freeRun(4)).isEqualTo(1);
    p.release(a);
    p.release(c);
    for (int i = 0; i < p.slots(); i++) assertThat(p.freeRun(i)).isEqualTo(freshList(i));
    assertThat(p.usedSlots()).isZero();
  }

  @Test
  void releasingASlotThatIsNotAllocatedFails() {
    SwiotlbPool p = pool(SEGMENT, 1, PAGE_4K);
    assertThatThrownBy(() -> p.release(BASE + 2048)).isInstanceOf(IllegalStateException.class).hasMessageContaining("not allocated");
  }

  @Test
  void exhaustionReturnsNotFoundAndCountsTheFailure() {
    SwiotlbPool p = pool(SEGMENT, 1, PAGE_4K);
    long a = p.alloc(SwiotlbPool.MAX_MAPPING, 0);
    assertThat(p.alloc(16, 0)).isEqualTo(SwiotlbPool.NOT_FOUND);
    assertThat(p.alloc(16, 0)).isEqualTo(SwiotlbPool.NOT_FOUND);
    assertThat(p.failures()).as("\"swiotlb buffer is full\" twice").isEqualTo(2);
    p.release(a);
    assertThat(p.alloc(16, 0)).isNotEqualTo(SwiotlbPool.NOT_FOUND);
    assertThat(p.failures()).isEqualTo(2);
  }

  @Test
  void twoAreasSearchFromTheCpusAreaAndFallBackToTheOther() {
    SwiotlbPool p = pool(4 * SEGMENT, 2, PAGE_4K); // 512 slots, 256 per area
    assertThat(slotOf(p.alloc(16, 1))).as("cpu 1 -> area 1").isEqualTo(256);
    assertThat(slotOf(p.alloc(16, 0))).as("cpu 0 -> area 0").isZero();
    assertThat(slotOf(p.alloc(16, 3))).as("cpu 3 & (nareas - 1) = area 1").isEqualTo(257);
    // fill what is left of area 1 (slot 256, 257 used): one full segment fits, 128..255 of it remain partly
    long s1 = p.alloc(SwiotlbPool.MAX_MAPPING, 1);
    assertThat(slotOf(s1)).isEqualTo(384);
    // area 1 has 126 free slots at 258..383: a further full segment cannot come from it -> area 0
    long s2 = p.alloc(SwiotlbPool.MAX_MAPPING, 1);
    assertThat(slotOf(s2)).as("fallback to area 0, its second segment").isEqualTo(128);
  }

  @Test
  void fourAreasSkipAFullAreaWithoutSearchingIt() {
    SwiotlbPool p = pool(4 * SEGMENT, 4, PAGE_4K); // 128 slots per area
    long a2 = p.alloc(SwiotlbPool.MAX_MAPPING, 2);
    assertThat(slotOf(a2)).isEqualTo(256);
    long next = p.alloc(16, 2); // area 2 full (area->used + nslots > area_nslabs) -> area 3
    assertThat(slotOf(next)).isEqualTo(384);
    long wrap = p.alloc(SwiotlbPool.MAX_MAPPING, 3); // area 3 has 127 free -> area 0 (wraps)
    assertThat(slotOf(wrap)).isZero();
  }

  @Test
  void areasMustEachHoldASegment() {
    assertThatThrownBy(() -> pool(SEGMENT, 2, PAGE_4K)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("areas");
    assertThatThrownBy(() -> pool(4 * SEGMENT, 3, PAGE_4K)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    assertThatThrownBy(() -> pool(SEGMENT + 4096, 1, PAGE_4K)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 256 KiB");
  }

  @Test
  void highWaterMarkKeepsThePeak() {
    SwiotlbPool p = pool(SEGMENT * 2, 1, PAGE_4K);
    long a = p.alloc(10L * 2048, 0);
    p.alloc(20L * 2048, 0);
    assertThat(p.highWaterSlots()).isEqualTo(30);
    p.release(a);
    p.alloc(5L * 2048, 0);
    assertThat(p.usedSlots()).isEqualTo(25);
    assertThat(p.highWaterSlots()).isEqualTo(30);
  }

  @Test
  void containsCoversExactlyThePool() {
    SwiotlbPool p = pool(SEGMENT, 1, PAGE_4K);
    assertThat(p.contains(BASE)).isTrue();
    assertThat(p.contains(BASE + SEGMENT - 1)).isTrue();
    assertThat(p.contains(BASE + SEGMENT)).isFalse();
    assertThat(p.contains(BASE - 1)).isFalse();
  }

  /**
   * Random alloc/release sequences: after every step list[] equals the free-run counts recomputed
   * from which slots are in use (the invariant Linux keeps), and once everything is released it
   * equals the fresh pool's.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 1234, 0xC0FFEE, 987654321})
  void randomAllocReleaseSequencesKeepTheListExactAndRestoreItFully(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int areas = 1 << rnd.nextInt(3); // 1, 2 or 4
    int page = rnd.nextBoolean() ? PAGE_4K : PAGE_64K;
    SwiotlbPool p = pool(8 * SEGMENT, areas, page);
    boolean[] used = new boolean[p.slots()];
    List<long[]> live = new ArrayList<>(); // {addr, slots}
    for (int step = 0; step < 3000; step++) {
      if (!live.isEmpty() && (rnd.nextInt(100) < 45 || p.usedSlots() > p.slots() * 3 / 4)) {
        long[] m = live.remove(rnd.nextInt(live.size()));
        p.release(m[0]);
        for (int i = 0; i < m[1]; i++) used[slotOf(m[0]) + i] = false;
      } else {
        long bytes = rnd.nextInt(4) == 0 ? 1 + rnd.nextLong(SwiotlbPool.MAX_MAPPING) : 1 + rnd.nextLong(8192);
        long a = p.alloc(bytes, rnd.nextInt(8));
        if (a == SwiotlbPool.NOT_FOUND) continue;
        int n = SwiotlbPool.slotsFor(bytes);
        int s = slotOf(a);
        assertThat(s / 128).as("allocation stays in one segment").isEqualTo((s + n - 1) / 128);
        if (bytes >= page) assertThat(a % page).as("page-sized allocations are page aligned").isZero();
        for (int i = 0; i < n; i++) {
          assertThat(used[s + i]).as("slot %d handed out twice", s + i).isFalse();
          used[s + i] = true;
        }
        live.add(new long[] {a, n});
      }
      if (step % 97 == 0) assertListMatches(p, used);
    }
    assertListMatches(p, used);
    for (long[] m : live) p.release(m[0]);
    for (int i = 0; i < p.slots(); i++) assertThat(p.freeRun(i)).as("list[%d] after releasing everything", i).isEqualTo(freshList(i));
    assertThat(p.usedSlots()).isZero();
  }

  private static void assertListMatches(SwiotlbPool p, boolean[] used) {
    int run = 0;
    for (int i = p.slots() - 1; i >= 0; i--) {
      if (i % 128 == 127) run = 0;
      run = used[i] ? 0 : run + 1;
      assertThat(p.freeRun(i)).as("list[%d]", i).isEqualTo(run);
    }
  }
}
