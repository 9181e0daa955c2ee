package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.engine.dma.DmaFixture.POWER9;
import static org.vqsim.engine.dma.DmaFixture.SLOT;
import static org.vqsim.engine.dma.DmaFixture.X86;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.sim.Lock;

/**
 * The per-CPU structures that decide how DMA mapping scales with vCPUs, each against the Linux 6.1
 * code it models: dma-iommu's IOVA caches (drivers/iommu/iova.c: two magazines of 127 per CPU and
 * size, a depot of 32 full magazines per size, the rbtree behind them), swiotlb's areas
 * (kernel/dma/swiotlb.c: one per possible CPU rounded up to a power of two, the CPU's own first) and
 * the pseries TCE pools (arch/powerpc/kernel/iommu.c: 4 small pools for a window of 1 GiB or more,
 * picked by hash_32(cpu, 2), and a large pool for more than 15 TCEs).
 */
class PerCpuStructuresTest {
  private static final long FOUR_GIB = 4L << 30;

  private static IovaAllocator iova(DmaFixture f) {
    return new IovaAllocator(4096, FOUR_GIB, f.ctx);
  }

  private static DmaFixture guest(int vcpus) {
    return new DmaFixture(StrategyId.DIRECT, X86, DmaOptions.defaults(), false, vcpus);
  }

  @Test
  void anIovaFreedOnOneCpuIsReusedThereAndNotOnAnother() {
    DmaFixture f = guest(4);
    IovaAllocator a = iova(f);
    Lock rbtree = f.lock("iova.rbtree", 0);
    long x = a.alloc(SLOT, 1, 1);
    assertThat(rbtree.acquisitions()).as("a cold cache goes to the rbtree").isEqualTo(1);
    a.free(SLOT, 1, x, 1);
    assertThat(rbtree.acquisitions()).as("a one-page free goes into CPU 1's magazine").isEqualTo(1);
    long onCpu0 = a.alloc(SLOT, 0, 1);
    assertThat(onCpu0).as("CPU 0's magazines are empty: a new IOVA").isNotEqualTo(x);
    assertThat(rbtree.acquisitions()).isEqualTo(2);
    assertThat(a.alloc(SLOT, 1, 1)).as("CPU 1 gets its own last free back").isEqualTo(x);
    assertThat(rbtree.acquisitions()).isEqualTo(2);
    assertThat(f.ledger.slotCycles(SLOT, Actor.VCPU)).as("two rbtree holds charged, cache hits free")
        .isEqualTo(2 * X86.cycles(CostFigure.IOVA_RBTREE_CYCLES));
  }

  @Test
  void aThirdFullMagazineGoesToTheDepotWhereAnotherCpuFindsIt() {
    DmaFixture f = guest(2);
    IovaAllocator a = iova(f);
    int n = 2 * IovaAllocator.MAG_SIZE + 1;
    List<Long> got = new ArrayList<>();
    for (int i = 0; i < n; i++) got.add(a.alloc(SLOT, 0, 1));
    Lock depot = f.lock("iova.depot", 0);
    for (int i = 0; i < 2 * IovaAllocator.MAG_SIZE; i++) a.free(SLOT, 0, got.get(i), 1);
    assertThat(depot.acquisitions()).as("254 frees fill loaded and prev").isZero();
    a.free(SLOT, 0, got.get(n - 1), 1);
    assertThat(depot.acquisitions()).as("the 255th: both full, the loaded one goes to the depot").isEqualTo(1);
    long rbtreeBefore = f.lock("iova.rbtree", 0).acquisitions();
    long onCpu1 = a.alloc(SLOT, 1, 1);
    assertThat(depot.acquisitions()).as("CPU 1 takes the depot's magazine").isEqualTo(2);
    assertThat(f.lock("iova.rbtree", 0).acquisitions()).isEqualTo(rbtreeBefore);
    assertThat(got).contains(onCpu1);
  }

  @Test
  void aFullDepotSendsTheWholeMagazineBackToTheRbtreeInOneHold() {
    DmaFixture f = guest(1);
    IovaAllocator a = iova(f);
    int held = (2 + IovaAllocator.MAX_GLOBAL_MAGS) * IovaAllocator.MAG_SIZE; // loaded, prev and 32 in the depot
    List<Long> got = new ArrayList<>();
    for (int i = 0; i < held + 1; i++) got.add(a.alloc(SLOT, 0, 1));
    Lock rbtree = f.lock("iova.rbtree", 0);
    long cyclesBefore = f.ledger.total(Actor.VCPU, Category.UNMAP);
    for (int i = 0; i < held; i++) a.free(SLOT, 0, got.get(i), 1);
    long acquisitions = rbtree.acquisitions();
    assertThat(f.ledger.total(Actor.VCPU, Category.UNMAP) - cyclesBefore).as("32 depot holds so far")
        .isEqualTo(IovaAllocator.MAX_GLOBAL_MAGS * X86.cycles(CostFigure.IOVA_DEPOT_CYCLES));
    a.free(SLOT, 0, got.get(held), 1);
    assertThat(rbtree.acquisitions()).as("one rbtree hold for the magazine").isEqualTo(acquisitions + 1);
    assertThat(f.ledger.total(Actor.VCPU, Category.UNMAP) - cyclesBefore).as("… charged per IOVA it returns")
        .isEqualTo((IovaAllocator.MAX_GLOBAL_MAGS + 1) * X86.cycles(CostFigure.IOVA_DEPOT_CYCLES)
            + IovaAllocator.MAG_SIZE * X86.cycles(CostFigure.IOVA_RBTREE_CYCLES));
  }

  @Test
  void mappingsAbove32PagesAlwaysTakeTheRbtreeLock() {
    DmaFixture f = guest(2);
    IovaAllocator a = iova(f);
    Lock rbtree = f.lock("iova.rbtree", 0);
    for (int i = 0; i < 3; i++) a.free(SLOT, 0, a.alloc(SLOT, 0, 33), 33);
    assertThat(rbtree.acquisitions()).as("three allocations and three frees of 33 pages").isEqualTo(6);
    for (int i = 0; i < 3; i++) a.free(SLOT, 0, a.alloc(SLOT, 0, 32), 32);
    assertThat(rbtree.acquisitions()).as("32 pages are cached: one cold allocation only").isEqualTo(7);
  }

  @ParameterizedTest(name = "{0} vCPUs → {1} areas")
  @CsvSource({"1, 1", "2, 2", "3, 4", "6, 8", "32, 32"})
  void swiotlbHasOneAreaPerCpuRoundedUpToAPowerOfTwo(int vcpus, int areas) {
    DmaFixture f = new DmaFixture(StrategyId.BOUNCE, X86, DmaOptions.defaults(), false, vcpus);
    assertThat(f.locks("swiotlb.area")).isEqualTo(areas);
    DmaFixture one = new DmaFixture(StrategyId.BOUNCE, X86, DmaFixture.options(DmaOptions.DEFAULT_SWIOTLB_POOL, 1, 0, false, 601, false), false, vcpus);
    assertThat(one.locks("swiotlb.area")).as("--swiotlb-areas 1").isEqualTo(1);
  }

  @Test
  void aBounceTakesTheLockOfItsCpusAreaOnly() {
    DmaFixture f = new DmaFixture(StrategyId.BOUNCE, X86, DmaOptions.defaults(), false, 8);
    long[] addr = new long[1];
    f.onCpu(5, () -> addr[0] = f.map(0x10_0000, 4096, DmaDirection.FROM_DEVICE));
    assertThat(f.lock("swiotlb.area", 5).acquisitions()).isEqualTo(1);
    for (int a = 0; a < 8; a++) if (a != 5) assertThat(f.lock("swiotlb.area", a).acquisitions()).as("area %d", a).isZero();
    f.onCpu(2, () -> f.unmap(addr[0], 4096, DmaDirection.FROM_DEVICE));
    assertThat(f.lock("swiotlb.area", 5).acquisitions()).as("released under the lock of the area that owns the slot").isEqualTo(2);
  }

  private static DmaFixture pseries(int vcpus, int pools) {
    return new DmaFixture(StrategyId.TCE, POWER9, new DmaOptions(DmaOptions.DEFAULT_SWIOTLB_POOL, 0, 0, false, 601, false, pools), false, vcpus);
  }

  @Test
  void aOneGiBWindowHasFourSmallPoolsAndALargeOne() {
    assertThat(POWER9.get(CostFigure.TCE_WINDOW_BYTES)).as("QEMU's default 32-bit window").isEqualTo(1 << 30);
    assertThat(pseries(4, 0).locks("tce.pool")).isEqualTo(5);
    assertThat(pseries(4, 1).locks("tce.pool")).as("--tce-pools 1").isEqualTo(2);
  }

  @ParameterizedTest(name = "CPU {0} → pool {1}")
  @CsvSource({"0, 0", "1, 1", "2, 3", "3, 0", "4, 2"})
  void eachCpuAllocatesFromThePoolItsHashPicks(int cpu, int pool) {
    // hash_32(cpu, 2) = (cpu * 0x61C88647) >> 30, computed by hand for these CPUs
    DmaFixture f = pseries(8, 0);
    long[] bus = new long[1];
    f.onCpu(cpu, () -> bus[0] = f.map(0x10_0000, 4096, DmaDirection.FROM_DEVICE));
    assertThat(f.lock("tce.pool", pool).acquisitions()).isEqualTo(1);
    long poolBytes = (1L << 30) * 3 / 4 / 4;
    assertThat(bus[0] / poolBytes).as("the bus address lies in pool %d's quarter of the lower 3/4", pool).isEqualTo(pool);
    f.onCpu((cpu + 1) % 8, () -> f.unmap(bus[0], 4096, DmaDirection.FROM_DEVICE));
    assertThat(f.lock("tce.pool", pool).acquisitions()).as("freed under the owning pool's lock, whichever CPU frees").isEqualTo(2);
  }

  @Test
  void moreThan15TcesComeFromTheLargePool() {
    DmaFixture f = pseries(4, 0);
    long[] bus = new long[2];
    f.onCpu(1, () -> bus[0] = f.map(0x10_0000, 15 * 4096, DmaDirection.TO_DEVICE));
    f.onCpu(1, () -> bus[1] = f.map(0x20_0000, 16 * 4096, DmaDirection.TO_DEVICE));
    assertThat(f.lock("tce.pool", 1).acquisitions()).as("15 TCEs: CPU 1's small pool").isEqualTo(1);
    assertThat(f.lock("tce.pool", 4).acquisitions()).as("16 TCEs: the large pool").isEqualTo(1);
    assertThat(bus[1]).as("the large pool is the window's top quarter").isGreaterThanOrEqualTo((1L << 30) * 3 / 4);
  }

  @Test
  void onePoolMeansEveryCpuTakesTheSameLock() {
    DmaFixture f = pseries(4, 1);
    for (int cpu = 0; cpu < 4; cpu++) f.onCpu(cpu, () -> f.map(0x10_0000, 4096, DmaDirection.TO_DEVICE));
    assertThat(f.lock("tce.pool", 0).acquisitions()).isEqualTo(4);
  }
}
