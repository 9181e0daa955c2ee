package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/**
 * QEMU intel-iommu (caching mode) under Linux 6.1 dma-iommu + intel-iommu: every map is followed by
 * a page-selective invalidation ({@code intel_iommu_iotlb_sync_map} → {@code __mapping_notify_one}
 * → {@code iommu_flush_iotlb_psi} under caching mode), every strict unmap by another ({@code
 * intel_iommu_tlb_sync}); each is one trapping IQ tail write. Lab figures from
 * samples/qemu-lab/README.md: a 4 KiB read maps 4 buffers, unmaps 4, "about 8 IOTLB page
 * invalidations and 4 IOTLB misses in QEMU" per request.
 */
class IntelViommuStrategyTest {
  // x86-kvm.profile
  private static final long MAP = 1500, UNMAP = 1000, INV_EXIT = 15300, INV_QEMU = 2000 + 4000 /* viommu_inv_qemu_cycles + viommu_inv_scan_cycles */, RBTREE = 1000, HIT = 300, WALK = 2500, VHOST_MISS = 12000;

  private static final long PAGE = 0x1000_0000L; // the request's page: header, status and indirect table
  private static final long DATA = 0x1234_5000L;

  /** The four DMA mappings Linux makes for a 4 KiB virtio-blk read with indirect descriptors, in map order. */
  record Mapping(long paddr, int len, DmaDirection dir) {}

  static final Mapping[] READ_4K = {
    new Mapping(PAGE, 16, DmaDirection.TO_DEVICE), // virtio_blk_outhdr
    new Mapping(DATA, 4096, DmaDirection.FROM_DEVICE), // the data page
    new Mapping(PAGE + 0x10, 1, DmaDirection.FROM_DEVICE), // status byte
    new Mapping(PAGE + 0x40, 48, DmaDirection.TO_DEVICE), // indirect table, 3 x 16 bytes
  };

  static long[] mapAll(DmaFixture f, Mapping[] ms) {
    long[] dma = new long[ms.length];
    for (int i = 0; i < ms.length; i++) {
      dma[i] = f.map(ms[i].paddr(), ms[i].len(), ms[i].dir());
      assertThat(dma[i]).isNotEqualTo(DmaStrategy.MAPPING_ERROR);
    }
    return dma;
  }

  static void unmapAll(DmaFixture f, Mapping[] ms, long[] dma) {
    // detach_buf_split: the indirect table first, then the chain's buffers
    f.unmap(dma[3], ms[3].len(), ms[3].dir());
    for (int i = 0; i < 3; i++) f.unmap(dma[i], ms[i].len(), ms[i].dir());
  }

  private static void translateAll(DmaFixture f, Mapping[] ms, long[] dma) {
    for (int i = 0; i < ms.length; i++) assertThat(f.translate(dma[i], ms[i].len())).isEqualTo(ms[i].paddr());
  }

  private static DmaOptions batching() {
    return DmaFixture.options(DmaOptions.DEFAULT_SWIOTLB_POOL, 1, 0, true, 601, false);
  }

  @Test
  void strict4KiBReadCostsFourMapsFourUnmapsEightInvalidationsEightExits() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long[] dma = mapAll(f, READ_4K);
    assertThat(f.ledger.events(EventKind.MAPS)).isEqualTo(4);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("one psi per map under caching mode").isEqualTo(4);
    translateAll(f, READ_4K, dma);
    unmapAll(f, READ_4K, dma);

    assertThat(f.ledger.events(EventKind.MAPS)).isEqualTo(4);
    assertThat(f.ledger.events(EventKind.UNMAPS)).isEqualTo(4);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("qemu-lab README: ~8 invalidations per 4 KiB read").isEqualTo(8);
    assertThat(f.ledger.events(EventKind.EXITS)).isEqualTo(8);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).as("qemu-lab README: 4 misses per 4 KiB read").isEqualTo(4);
    assertThat(f.ledger.events(EventKind.BOUNCES)).isZero();
    // a fresh domain's caches are empty: the first four IOVAs come from the rbtree (iova_rbtree_cycles each); the unmaps fill the CPU's magazine
    assertThat(f.ledger.total(Actor.VCPU, Category.MAP)).isEqualTo(4 * (MAP + RBTREE));
    assertThat(f.ledger.total(Actor.VCPU, Category.UNMAP)).isEqualTo(4 * UNMAP);
    assertThat(f.ledger.total(Actor.VCPU, Category.INVALIDATE)).isEqualTo(8 * INV_EXIT);
    assertThat(f.ledger.total(Actor.IOMMU, Category.INVALIDATE)).isEqualTo(8 * INV_QEMU);
    assertThat(f.ledger.total(Actor.IOMMU, Category.IOTLB_WALK)).isEqualTo(4 * WALK);
    assertThat(f.dma.liveMappings()).isZero();
  }

  @Test
  void headerAndStatusShareAPageButGetSeparateIovas() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long[] dma = mapAll(f, READ_4K);
    assertThat(dma[0] >>> 12).isNotEqualTo(dma[2] >>> 12);
    assertThat(dma[2] & 0xfff).as("the page offset survives").isEqualTo(0x10);
    assertThat(dma[0]).as("first IOVA of a fresh domain, top-down below 4 GiB").isEqualTo(0xfffff000L);
  }

  @Test
  void freshMappingsMissOnceThenHit() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long[] dma = mapAll(f, READ_4K);
    translateAll(f, READ_4K, dma);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).isEqualTo(4);
    long before = f.ledger.total(Actor.IOMMU, Category.TRANSLATE);
    translateAll(f, READ_4K, dma);
    translateAll(f, READ_4K, dma);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).as("cached now").isEqualTo(4);
    assertThat(f.ledger.total(Actor.IOMMU, Category.TRANSLATE) - before).isEqualTo(8 * HIT);
  }

  @Test
  void aMultiPageAccessTranslatesEveryPage() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long iova = f.map(0x2000_0000L, 65536, DmaDirection.FROM_DEVICE);
    assertThat(f.translate(iova, 65536)).isEqualTo(0x2000_0000L);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).isEqualTo(16);
    assertThat(f.translate(iova + 0x3004, 8)).as("an access inside the mapping").isEqualTo(0x2000_3004L);
  }

  @Test
  void remappingInvalidatesTheStaleIotlbEntry() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long a = f.map(0x3000_0000L, 4096, DmaDirection.FROM_DEVICE);
    f.translate(a, 4096);
    f.unmap(a, 4096, DmaDirection.FROM_DEVICE);
    long b = f.map(0x3100_0000L, 4096, DmaDirection.FROM_DEVICE);
    assertThat(b).as("LIFO IOVA reuse").isEqualTo(a);
    assertThat(f.translate(b, 4096)).as("the new mapping, not a cached old one").isEqualTo(0x3100_0000L);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).isEqualTo(2);
  }

  @Test
  void lazyWithDefaultOptionsBehavesExactlyLikeStrict() {
    // Linux 6.1 intel-iommu: "IOMMU batching disallowed due to virtualization" under caching mode
    DmaFixture strict = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    DmaFixture lazy = new DmaFixture(StrategyId.VIOMMU_LAZY, DmaFixture.X86);
    for (DmaFixture f : new DmaFixture[] {strict, lazy}) {
      for (int r = 0; r < 300; r++) {
        long[] dma = mapAll(f, READ_4K);
        translateAll(f, READ_4K, dma);
        unmapAll(f, READ_4K, dma);
      }
    }
    for (EventKind k : EventKind.values()) assertThat(lazy.ledger.events(k)).as(k.id).isEqualTo(strict.ledger.events(k));
    for (Actor a : Actor.values()) {
      for (Category c : Category.values()) assertThat(lazy.ledger.total(a, c)).as(a.id + "/" + c.id).isEqualTo(strict.ledger.total(a, c));
    }
    assertThat(lazy.ledger.events(EventKind.INVALIDATIONS)).isEqualTo(300 * 8);
  }

  @Test
  void lazyWithBatchingQueuesUnmapsAndFlushesTheDomainWhenTheQueueIsFull() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_LAZY, DmaFixture.X86, batching(), false);
    long[] iovas = new long[256];
    for (int i = 0; i < 256; i++) iovas[i] = f.map(0x4000_0000L + i * 4096L, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("maps still invalidate under caching mode").isEqualTo(256);
    f.translate(iovas[0], 4096);
    f.translate(iovas[255], 4096);
    for (int i = 0; i < 255; i++) f.unmap(iovas[i], 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.UNMAPS)).isEqualTo(255);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("255 unmaps wait in the flush queue").isEqualTo(256);
    assertThat(((IntelViommuStrategy) f.dma).iotlb().size()).as("a queued unmap leaves the IOTLB entry until the flush").isEqualTo(2);
    f.unmap(iovas[255], 4096, DmaDirection.FROM_DEVICE);
    // dma-iommu queue_iova: fq_full() with IOVA_FQ_SIZE 256 (one slot always empty) -> fq_flush_iotlb
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("256 unmaps -> one domain invalidation").isEqualTo(257);
    assertThat(f.ledger.events(EventKind.EXITS)).isEqualTo(257);
    assertThat(((IntelViommuStrategy) f.dma).iotlb().size()).as("domain-selective: everything dropped").isZero();
  }

  @Test
  void lazyWithBatchingFlushesWhenTheOldestEntryIsTenMillisecondsOld() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_LAZY, DmaFixture.X86, batching(), false);
    long a = f.map(0x4000_0000L, 4096, DmaDirection.TO_DEVICE);
    f.unmap(a, 4096, DmaDirection.TO_DEVICE); // queued at t = 0
    long b = f.map(0x4100_0000L, 4096, DmaDirection.TO_DEVICE);
    assertThat(b).as("a queued IOVA is not reused before the flush").isNotEqualTo(a);
    f.setTimeMs(9.999);
    f.unmap(b, 4096, DmaDirection.TO_DEVICE);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).as("2 map psi, nothing flushed yet").isEqualTo(2);
    long c = f.map(0x4200_0000L, 4096, DmaDirection.TO_DEVICE);
    f.setTimeMs(10.0); // IOVA_FQ_TIMEOUT 10 ms after the first queued entry
    f.unmap(c, 4096, DmaDirection.TO_DEVICE);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).isEqualTo(3 + 1);
    long d = f.map(0x4300_0000L, 4096, DmaDirection.TO_DEVICE);
    assertThat(d).as("flushed IOVAs are reusable again").isIn(a, b);
  }

  @Test
  void passthroughMapsNothingAndTranslatesNothing() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_PASSTHROUGH, DmaFixture.X86);
    long[] dma = mapAll(f, READ_4K);
    for (int i = 0; i < READ_4K.length; i++) assertThat(dma[i]).isEqualTo(READ_4K[i].paddr());
    translateAll(f, READ_4K, dma);
    unmapAll(f, READ_4K, dma);
    assertThat(f.ledger.grandTotal()).isZero();
    for (EventKind k : EventKind.values()) assertThat(f.ledger.events(k)).as(k.id).isZero();
    assertThat(f.dma.mapCoherent(0x10_0000, 8192)).isEqualTo(0x10_0000);
  }

  @Test
  void strictPlusBounceBouncesAndMapsTheSlot() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT_BOUNCE, DmaFixture.X86);
    for (int i = 0; i < 4096; i++) f.mem.writeU8(DATA + i, i & 0xff);
    long iova = f.map(DATA, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.ledger.events(EventKind.BOUNCES)).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.MAPS)).isEqualTo(1);
    long slot = f.translate(iova, 4096);
    assertThat(slot).as("the IOMMU maps the bounce slot, not the buffer").isGreaterThanOrEqualTo(DmaFixture.RESERVED).isNotEqualTo(DATA);
    f.mem.writeU8(slot + 5, 0xAB); // the device writes through the IOMMU into the slot
    f.unmap(iova, 4096, DmaDirection.FROM_DEVICE);
    assertThat(f.mem.readU8(DATA + 5)).as("copied back at unmap").isEqualTo(0xAB);
    assertThat(f.ledger.events(EventKind.UNMAPS)).isEqualTo(1);
    assertThat(f.ledger.events(EventKind.INVALIDATIONS)).isEqualTo(2);
    assertThat(f.dma.maxMappingSize()).isEqualTo(SwiotlbPool.MAX_MAPPING);
  }

  @Test
  void vhostPaysTheVhostIotlbMissInsteadOfTheWalk() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86, DmaOptions.defaults(), true);
    long[] dma = mapAll(f, READ_4K);
    translateAll(f, READ_4K, dma);
    assertThat(f.ledger.events(EventKind.IOTLB_MISSES)).isEqualTo(4);
    assertThat(f.ledger.total(Actor.IOMMU, Category.IOTLB_WALK)).as("4 x vhost_iotlb_miss_cycles").isEqualTo(4 * VHOST_MISS);
  }

  @Test
  void smallIotlbIsEmptiedWhenFull() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86, DmaFixture.options(DmaOptions.DEFAULT_SWIOTLB_POOL, 1, 2, false, 601, false), false);
    long[] dma = mapAll(f, READ_4K);
    translateAll(f, READ_4K, dma);
    IotlbCache c = ((IntelViommuStrategy) f.dma).iotlb();
    assertThat(c.capacity()).isEqualTo(2);
    assertThat(c.resets()).as("the third insert finds it full and empties it; the fourth fits").isEqualTo(1);
    assertThat(c.size()).isEqualTo(2);
  }

  @Test
  void unmappingSomethingNeverMappedThrows() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    assertThatThrownBy(() -> f.unmap(0xfffff000L, 4096, DmaDirection.TO_DEVICE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not mapped");
  }

  @Test
  void deviceAccessToAnUnmappedIovaIsADmaFault() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long a = f.map(DATA, 4096, DmaDirection.FROM_DEVICE);
    f.unmap(a, 4096, DmaDirection.FROM_DEVICE);
    assertThatThrownBy(() -> f.translate(a, 4096)).isInstanceOf(IllegalStateException.class).hasMessageContaining("DMA fault");
  }

  @Test
  void ringsMappedCoherentlyCostNothingPerRequestAndTranslate() {
    DmaFixture f = new DmaFixture(StrategyId.VIOMMU_STRICT, DmaFixture.X86);
    long ring = f.dma.mapCoherent(0x10_0000, 10246);
    assertThat(f.ledger.grandTotal()).isZero();
    assertThat(f.translate(ring + 4096, 2)).isEqualTo(0x10_1000);
  }
}
