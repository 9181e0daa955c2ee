package org.vqsim.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sparse, little-endian guest-physical byte store (DESIGN.md §4, virtio 1.2 §2.4). */
class GuestMemoryTest {
  private static final long GIB = 1L << 30;

  @Test
  void untouchedMemoryReadsAsZeroWithoutCreatingFrames() {
    GuestMemory mem = new GuestMemory(64 * GIB);

    assertThat(mem.readU8(0)).isZero();
    assertThat(mem.readU16(12345)).isZero();
    assertThat(mem.readU32(7 * GIB + 3)).isZero();
    assertThat(mem.readU64(64 * GIB - 8)).isZero();
    assertThat(mem.readU64(4094)).as("across a frame boundary").isZero();

    assertThat(mem.touchedFrames()).isZero();
    assertThat(mem.size()).isEqualTo(64 * GIB);
  }

  @Test
  void writesCreateOnlyTheFramesTheyTouch() {
    GuestMemory mem = new GuestMemory(64 * GIB);

    mem.writeU8(0x1000, 1);
    mem.writeU64(0x1008, -1L);
    assertThat(mem.touchedFrames()).isEqualTo(1);
    mem.writeU32(40 * GIB, 5);
    assertThat(mem.touchedFrames()).isEqualTo(2);
    mem.writeU16(0x2fff, 0xabcd); // straddles frames 2 and 3
    assertThat(mem.touchedFrames()).isEqualTo(4);
  }

  @Test
  void manyScatteredFramesKeepTheirContents() {
    GuestMemory mem = new GuestMemory(64 * GIB);
    int n = 5000; // forces several rehashes of the frame index
    for (int i = 0; i < n; i++) mem.writeU64(frameAddr(i), i * 31L + 7);
    assertThat(mem.touchedFrames()).isEqualTo(n);
    for (int i = 0; i < n; i++) assertThat(mem.readU64(frameAddr(i))).isEqualTo(i * 31L + 7);
  }

  private static long frameAddr(int i) {
    // 7919 is odd, so i -> 7919 i mod 2^24 frames is a bijection: distinct, scattered frames
    return (i * 7919L % (64 * GIB / GuestMemory.FRAME_SIZE)) * GuestMemory.FRAME_SIZE + (i % 4000);
  }

  @Test
  void multiByteValuesAreLittleEndian() {
    GuestMemory mem = new GuestMemory(GIB);

    mem.writeU16(0x100, 0xBEEF);
    mem.writeU32(0x110, 0xCAFEBABEL);
    mem.writeU64(0x120, 0x0102_0304_0506_0708L);

    assertThat(bytes(mem, 0x100, 2)).containsExactly(0xEF, 0xBE);
    assertThat(bytes(mem, 0x110, 4)).containsExactly(0xBE, 0xBA, 0xFE, 0xCA);
    assertThat(bytes(mem, 0x120, 8)).containsExactly(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
    assertThat(mem.readU16(0x100)).isEqualTo(0xBEEF);
    assertThat(mem.readU32(0x110)).as("unsigned").isEqualTo(0xCAFEBABEL);
    assertThat(mem.readU64(0x120)).isEqualTo(0x0102_0304_0506_0708L);
  }

  @ParameterizedTest(name = "offset {0} before the frame end")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
  void multiByteValuesSurviveAFrameBoundary(int before) {
    GuestMemory mem = new GuestMemory(GIB);
    long a = 5L * GuestMemory.FRAME_SIZE - before;

    mem.writeU64(a, 0x8877_6655_4433_2211L);
    assertThat(bytes(mem, a, 8)).containsExactly(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88);
    assertThat(mem.readU64(a)).isEqualTo(0x8877_6655_4433_2211L);

    long b = 9L * GuestMemory.FRAME_SIZE - before;
    mem.writeU32(b, 0xF1E2D3C4L);
    assertThat(mem.readU32(b)).isEqualTo(0xF1E2D3C4L);
    assertThat(bytes(mem, b, 4)).containsExactly(0xC4, 0xD3, 0xE2, 0xF1);

    long c = 13L * GuestMemory.FRAME_SIZE - before;
    mem.writeU16(c, 0x9A8B);
    assertThat(mem.readU16(c)).isEqualTo(0x9A8B);
  }

  @Test
  void writesMaskToTheirWidth() {
    GuestMemory mem = new GuestMemory(GIB);
    mem.writeU64(0x200, -1L);

    mem.writeU8(0x200, 0x1234);
    mem.writeU16(0x202, 0x12345);
    mem.writeU32(0x204, 0x1_0000_0002L);

    assertThat(mem.readU8(0x200)).isEqualTo(0x34);
    assertThat(mem.readU8(0x201)).as("neighbour untouched").isEqualTo(0xff);
    assertThat(mem.readU16(0x202)).isEqualTo(0x2345);
    assertThat(mem.readU32(0x204)).isEqualTo(2);
  }

  @Test
  void addressesOutsideGuestMemoryAreRejected() {
    GuestMemory mem = new GuestMemory(GIB);

    assertThatThrownBy(() -> mem.readU8(GIB)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("0x40000000");
    assertThatThrownBy(() -> mem.writeU8(GIB, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> mem.readU64(-8)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> mem.writeU64(GIB - 4, 0)).as("straddles the end").isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> mem.readU32(GIB - 2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(mem.readU64(GIB - 8)).isZero();
    assertThatThrownBy(() -> mem.fill(GIB - 16, 32, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> mem.copy(0, GIB - 16, 32)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void outOfRangeStaysRejectedAfterTheLastFrameWasCached() {
    GuestMemory mem = new GuestMemory(GIB);
    mem.writeU8(GIB - 1, 7); // last frame is now the cached one

    assertThatThrownBy(() -> mem.readU8(GIB)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(mem.readU8(GIB - 1)).isEqualTo(7);
  }

  @Test
  void aSizeThatIsNotAWholeNumberOfFramesIsRejected() {
    // the bounds check runs per frame: a partial last frame would let accesses run past the end
    assertThatThrownBy(() -> new GuestMemory(GuestMemory.FRAME_SIZE + 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiple of 4 KiB");
  }

  @Test
  void nonPositiveSizeIsRejected() {
    assertThatThrownBy(() -> new GuestMemory(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fillAndCopySpanFramesAndCopyFromUntouchedMemoryWritesZeros() {
    GuestMemory mem = new GuestMemory(GIB);
    long src = 3L * GuestMemory.FRAME_SIZE - 100;
    long dst = 20L * GuestMemory.FRAME_SIZE + 50;
    int len = 2 * GuestMemory.FRAME_SIZE + 300;

    mem.fill(src, len, (byte) 0x5a);
    mem.writeU8(src + 1000, 0x11);
    mem.copy(src, dst, len);

    for (int i = 0; i < len; i++) assertThat(mem.readU8(dst + i)).isEqualTo(i == 1000 ? 0x11 : 0x5a);
    assertThat(mem.readU8(dst - 1)).isZero();
    assertThat(mem.readU8(dst + len)).isZero();

    mem.fill(dst, 10, (byte) 0x77);
    mem.copy(500L * GuestMemory.FRAME_SIZE, dst, 10); // untouched source
    for (int i = 0; i < 10; i++) assertThat(mem.readU8(dst + i)).isZero();
  }

  private static int[] bytes(GuestMemory mem, long gpa, int n) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) b[i] = mem.readU8(gpa + i);
    return b;
  }

  @Test
  void aPinnedRangeReadsAndWritesTheSameBytesAsTheMemory() {
    GuestMemory mem = new GuestMemory(GIB);
    mem.writeU32(0x10_1000, 0xdead_beefL); // one of the range's frames touched before it is pinned
    PinnedRange r = mem.pin(0x10_0f00, 0x10_2100); // frames 0x100, 0x101, 0x102
    assertThat(mem.touchedFrames()).isEqualTo(3);

    assertThat(r.readU32(0x10_1000)).isEqualTo(0xdead_beefL);
    r.writeU64(0x10_0f08, 0x0102_0304_0506_0708L);
    r.writeU16(0x10_2002, 0xbeef);
    r.writeU32(0x10_1ffc, 7);
    assertThat(mem.readU64(0x10_0f08)).isEqualTo(0x0102_0304_0506_0708L);
    assertThat(mem.readU16(0x10_2002)).isEqualTo(0xbeef);
    assertThat(mem.readU32(0x10_1ffc)).isEqualTo(7);
    mem.writeU16(0x10_0f40, 0x1234);
    assertThat(r.readU16(0x10_0f40)).isEqualTo(0x1234);
    assertThat(r.readU64(0x10_0f08)).isEqualTo(0x0102_0304_0506_0708L);

    byte[] f = r.frameOf(0x10_2002);
    assertThat(PinnedRange.u16(f, 0x10_2002)).isEqualTo(0xbeef);
    PinnedRange.setU16(f, 0x10_2004, 0x4321);
    assertThat(mem.readU16(0x10_2004)).isEqualTo(0x4321);
  }

  @Test
  void aPinnedRangeRefusesWhatLiesOutsideItAndStaysTracked() {
    GuestMemory mem = new GuestMemory(GIB);
    PinnedRange r = mem.pin(0x10_0000, 0x10_1800);
    assertThatThrownBy(() -> r.readU16(0x10_2000)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> r.writeU32(0xf_fffc, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> r.readU32(0x10_0ffe)).as("across a frame").isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> mem.setUntracked(0x10_1000, 0x20_0000)).hasMessageContaining("pinned");
    mem.setUntracked(0x20_0000, 0x40_0000);
    assertThat(mem.isPayload(0x20_0000)).isTrue();
    assertThat(mem.isPayload(0x10_0000)).isFalse();
    assertThatThrownBy(() -> mem.pin(0x3f_f000, 0x40_1000)).hasMessageContaining("payload");
    assertThatThrownBy(() -> mem.pin(GIB - 4096, GIB + 4096)).isInstanceOf(IllegalArgumentException.class);
  }
}
