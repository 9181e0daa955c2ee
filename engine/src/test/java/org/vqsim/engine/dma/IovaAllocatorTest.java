package org.vqsim.engine.dma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IOVA allocation as Linux 6.1 dma-iommu does it: {@code iommu_dma_alloc_iova} rounds sizes below
 * {@code 1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1)} = 32 pages up to a power of two; {@code
 * alloc_iova_fast} reuses the per-CPU rcache (last freed, first reused) and otherwise {@code
 * alloc_iova(..., size_aligned = true)} searches top-down from the 32-bit limit, aligning the start
 * to the size rounded up to a power of two ({@code align_mask <<= fls_long(size - 1)}).
 */
class IovaAllocatorTest {
  private static final long FOUR_GIB = 1L << 32;

  @ParameterizedTest(name = "{0} pages -> {1}")
  @CsvSource({
    "1, 1", "2, 2", "3, 4", "4, 4", "5, 8", "8, 8", "9, 16", "17, 32", "31, 32",
    "32, 32", "33, 33", "100, 100", "768, 768"
  })
  void sizesBelow32PagesRoundUpToAPowerOfTwoAndLargerOnesAreExact(long pages, long rounded) {
    assertThat(IovaAllocator.roundedPages(pages)).isEqualTo(rounded);
  }

  @Test
  void allocatesTopDownBelow4GiB() {
    IovaAllocator a = new IovaAllocator(4096, FOUR_GIB);
    assertThat(a.alloc(1)).as("first IOVA of a fresh domain").isEqualTo(0xfffff000L);
    assertThat(a.alloc(1)).isEqualTo(0xffffe000L);
    assertThat(a.alloc(1)).isEqualTo(0xffffd000L);
  }

  @Test
  void allocationsAreAlignedToTheirRoundedSize() {
    // samples/qemu-lab/seqwrite128k.viommu-strict: a 20480-byte map (5 pages -> 8) at 0xffff0000,
    // a 65536-byte map (16 pages) at 0xfffd0000: both aligned to their power-of-two size
    IovaAllocator a = new IovaAllocator(4096, FOUR_GIB);
    assertThat(a.alloc(1)).isEqualTo(0xfffff000L);
    assertThat(a.alloc(2)).as("(0xfffff - 2) & ~1").isEqualTo(0xffffc000L);
    long five = a.alloc(5);
    assertThat(five % (8 * 4096)).isZero();
    assertThat(five).isEqualTo(0xffff0000L);
    long sixteen = a.alloc(16);
    assertThat(sixteen % (16 * 4096)).isZero();
    assertThat(sixteen).isEqualTo(0xfffe0000L);
    long big = a.alloc(33); // not rounded, but aligned to 64 pages (fls_long(32) = 6)
    assertThat(big % (64 * 4096)).isZero();
  }

  @Test
  void freedIovasAreReusedLastInFirstOutAsTheLabTracesShow() {
    // samples/qemu-lab/randread4k.viommu-strict.guest-ftrace: the four one-page mappings of a 4 KiB read
    // live at 0xffffa000..0xffffd000; unmapped a,b,c,d the next request maps d,c,b,a; unmapped
    // a,d,c,b the next maps b,c,d,a (ftrace 3.501117 .. 3.513625)
    IovaAllocator a = new IovaAllocator(4096, FOUR_GIB);
    a.alloc(1); // 0xfffff000 and 0xffffe000: what boot took
    a.alloc(1);
    List<Long> first = allocPages(a, 4);
    assertThat(first).containsExactly(0xffffd000L, 0xffffc000L, 0xffffb000L, 0xffffa000L);
    for (long iova : new long[] {0xffffa000L, 0xffffb000L, 0xffffc000L, 0xffffd000L}) a.free(iova, 1);
    assertThat(allocPages(a, 4)).containsExactly(0xffffd000L, 0xffffc000L, 0xffffb000L, 0xffffa000L);
    for (long iova : new long[] {0xffffa000L, 0xffffd000L, 0xffffc000L, 0xffffb000L}) a.free(iova, 1);
    assertThat(allocPages(a, 4)).containsExactly(0xffffb000L, 0xffffc000L, 0xffffd000L, 0xffffa000L);
  }

  @Test
  void eachRoundedSizeHasItsOwnCache() {
    IovaAllocator a = new IovaAllocator(4096, FOUR_GIB);
    long one = a.alloc(1);
    a.free(one, 1);
    long two = a.alloc(2);
    assertThat(two).as("a freed 1-page IOVA does not serve a 2-page request").isNotEqualTo(one);
    long three = a.alloc(3); // rounds to 4
    a.free(three, 3);
    assertThat(a.alloc(4)).as("3 and 4 pages share the 4-page cache").isEqualTo(three);
    assertThat(a.alloc(1)).isEqualTo(one);
  }

  @Test
  void liveCountsAllocationsNotYetFreed() {
    IovaAllocator a = new IovaAllocator(4096, FOUR_GIB);
    long x = a.alloc(1);
    long y = a.alloc(16);
    assertThat(a.live()).isEqualTo(2);
    a.free(x, 1);
    assertThat(a.live()).isEqualTo(1);
    a.free(y, 16);
    assertThat(a.live()).isZero();
  }

  private static List<Long> allocPages(IovaAllocator a, int n) {
    List<Long> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(a.alloc(1));
    return l;
  }
}
