package org.vqsim.engine.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The frames of one range of tracked guest memory, looked up once ({@link GuestMemory#pin}): a
 * virtqueue's ring, whose fields the driver and the device read and write a dozen times per packet.
 * An access goes straight to its frame, without the frame cache's probe, and reads and writes the
 * very bytes {@link GuestMemory}'s own accesses do (the frames are the same arrays, and a frame is
 * never freed or replaced). Accesses must be naturally aligned, as every ring field is, so that none
 * crosses a frame; an access outside the range, or one that would cross a frame, throws.
 */
public final class PinnedRange {
  private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int SHIFT = GuestMemory.FRAME_SHIFT;
  private static final long MASK = GuestMemory.FRAME_SIZE - 1;

  private final long base; // the first frame's address
  private final long length; // bytes from base to the end of the last frame
  private final byte[][] frames;

  PinnedRange(long base, byte[][] frames) {
    this.base = base;
    this.frames = frames;
    this.length = (long) frames.length << SHIFT;
  }

  private byte[] frame(long gpa) {
    long rel = gpa - base;
    if (Long.compareUnsigned(rel, length) >= 0) {
      throw new IndexOutOfBoundsException(String.format(java.util.Locale.ROOT, "guest-physical address 0x%x outside the pinned range 0x%x..0x%x", gpa, base,
          base + length));
    }
    return frames[(int) (rel >>> SHIFT)];
  }

  /**
   * The frame that holds {@code gpa}, for a field read or written again and again at one address (a
   * ring's index): {@link #u16} and {@link #setU16} then reach it with no lookup at all.
   */
  public byte[] frameOf(long gpa) { return frame(gpa); }

  /** The 16-bit field at {@code gpa} of {@code frame}, which must be {@link #frameOf}({@code gpa}). */
  public static int u16(byte[] frame, long gpa) { return (short) U16.get(frame, (int) (gpa & MASK)) & 0xffff; }

  /** Writes the 16-bit field at {@code gpa} of {@code frame}, which must be {@link #frameOf}({@code gpa}). */
  public static void setU16(byte[] frame, long gpa, int value) { U16.set(frame, (int) (gpa & MASK), (short) value); }

  /** The 32-bit field at {@code gpa} of {@code frame}, which must be {@link #frameOf}({@code gpa}) and hold all four bytes. */
  public static long u32(byte[] frame, long gpa) { return (int) U32.get(frame, (int) (gpa & MASK)) & 0xffff_ffffL; }

  /** The 64-bit field at {@code gpa} of {@code frame}, which must be {@link #frameOf}({@code gpa}) and hold all eight bytes. */
  public static long u64(byte[] frame, long gpa) { return (long) U64.get(frame, (int) (gpa & MASK)); }

  /** Writes the 32-bit field at {@code gpa} of {@code frame} (see {@link #u32}). */
  public static void setU32(byte[] frame, long gpa, long value) { U32.set(frame, (int) (gpa & MASK), (int) value); }

  /** Writes the 64-bit field at {@code gpa} of {@code frame} (see {@link #u64}). */
  public static void setU64(byte[] frame, long gpa, long value) { U64.set(frame, (int) (gpa & MASK), value); }

  public int readU16(long gpa) { return (short) U16.get(frame(gpa), (int) (gpa & MASK)) & 0xffff; }

  public void writeU16(long gpa, int value) { U16.set(frame(gpa), (int) (gpa & MASK), (short) value); }

  public long readU32(long gpa) { return (int) U32.get(frame(gpa), (int) (gpa & MASK)) & 0xffff_ffffL; }

  public void writeU32(long gpa, long value) { U32.set(frame(gpa), (int) (gpa & MASK), (int) value); }

  public long readU64(long gpa) { return (long) U64.get(frame(gpa), (int) (gpa & MASK)); }

  public void writeU64(long gpa, long value) { U64.set(frame(gpa), (int) (gpa & MASK), value); }
}
