package org.vqsim.engine.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sparse, addressable byte store for guest-physical addresses.
 *
 * <p>Memory is organised in 4 KiB frames that exist once touched: a replay touches only the rings,
 * the indirect tables, request headers and status bytes, and the bounce pool slots it uses, so a
 * guest of any size fits a small heap. Reads of untouched memory return zero without creating a
 * frame. All multi-byte accesses are little-endian, as virtio 1.x requires for modern devices
 * (virtio 1.2 §2.4: "little-endian").
 *
 * <p>Frames are found through a two-level directory (2 MiB chunks of 512 frames, each chunk's
 * table allocated when first touched): two array loads, no hashing, behind a small direct-mapped
 * cache of recently used frames; after warm-up no access allocates. A range read and written at
 * fixed addresses many times per request, a virtqueue's ring, can be pinned ({@link #pin}): its
 * frames are then looked up once.
 */
public final class GuestMemory {
  public static final int FRAME_SHIFT = 12;
  public static final int FRAME_SIZE = 1 << FRAME_SHIFT;
  private static final long FRAME_MASK = FRAME_SIZE - 1;
  private static final long EMPTY = -1L;

  private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final long sizeBytes;
  // payload region: bytes the model places but does not keep (reads give zero, writes are dropped)
  private long untrackedFrom = -1, untrackedTo = -1;
  // two-level directory: 2 MiB chunks of 512 frames, each allocated when first touched
  private static final int CHUNK_SHIFT = 21;
  private static final int FRAMES_PER_CHUNK = 1 << (CHUNK_SHIFT - FRAME_SHIFT);
  private final byte[][][] chunks;
  private int frameCount;
  // direct-mapped lookup cache of frames that exist (frames are never freed, so an entry never goes
  // stale): a replay goes round a handful of frames — each ring's descriptor table and avail/used
  // rings, the headers and tables of the requests in flight — which a one-entry cache would miss on
  // almost every access
  private static final int CACHE_SETS = 1024;
  private final long[] cacheFrame = new long[CACHE_SETS];
  private final byte[][] cacheBytes = new byte[CACHE_SETS][];

  /** @param sizeBytes the guest-physical address space, a multiple of 4 KiB; accesses beyond it are rejected */
  public GuestMemory(long sizeBytes) {
    if (sizeBytes <= 0) throw new IllegalArgumentException("guest memory size must be positive: " + sizeBytes);
    // bounds are checked per frame (on a frame-cache miss, at the access's first byte), so the end must be a frame boundary
    if ((sizeBytes & FRAME_MASK) != 0) throw new IllegalArgumentException("guest memory size must be a multiple of 4 KiB: " + sizeBytes);
    this.sizeBytes = sizeBytes;
    long nChunks = (sizeBytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT;
    if (nChunks > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("guest memory too large: " + sizeBytes);
    this.chunks = new byte[(int) nChunks][][];
    Arrays.fill(cacheFrame, EMPTY);
  }

  public long size() { return sizeBytes; }

  /**
   * Declares {@code [from, to)} payload memory: data buffers whose contents the model does not
   * keep. Reads there return zero and writes are dropped, so a replay that moves millions of data
   * pages (a bounce copying them back) keeps a small heap. Rings, request headers, status bytes,
   * indirect tables and bounce slots lie outside it and hold their real bytes.
   */
  public void setUntracked(long from, long to) {
    if (from < 0 || to > sizeBytes || from > to || (from & (FRAME_SIZE - 1)) != 0 || (to & (FRAME_SIZE - 1)) != 0) {
      throw new IllegalArgumentException("untracked range must be frame aligned and inside guest memory");
    }
    for (int i = 0; i < pinned.size(); i += 2) {
      if (from < pinned.get(i + 1) && to > pinned.get(i)) throw new IllegalArgumentException("untracked range overlaps pinned memory (a ring)");
    }
    untrackedFrom = from;
    untrackedTo = to;
    Arrays.fill(cacheFrame, EMPTY); // a cached frame may lie in the range now untracked
  }

  // every pinned range (pin) as from, to: they must stay tracked
  private final java.util.List<Long> pinned = new java.util.ArrayList<>();

  /**
   * The frames of {@code [from, to)} held in a {@link PinnedRange}, for memory accessed many times per
   * request at fixed addresses (a ring): created now if not yet touched (they read as zero either way).
   * The range must be tracked memory, and stays so ({@link #setUntracked} refuses to cover it).
   */
  public PinnedRange pin(long from, long to) {
    if (from < 0 || to > sizeBytes || from >= to) throw new IllegalArgumentException("pinned range must be non-empty and inside guest memory");
    if (from < untrackedTo && to > untrackedFrom) throw new IllegalArgumentException("pinned range overlaps payload memory");
    long first = from >>> FRAME_SHIFT, last = (to - 1) >>> FRAME_SHIFT;
    byte[][] frames = new byte[(int) (last - first + 1)][];
    for (int i = 0; i < frames.length; i++) frames[i] = frame((first + i) << FRAME_SHIFT);
    pinned.add(from);
    pinned.add(to);
    return new PinnedRange(first << FRAME_SHIFT, frames);
  }

  /** Whether {@code gpa} lies in payload memory ({@link #setUntracked}), where writes are dropped and reads give zero. */
  public boolean isPayload(long gpa) {
    return untracked(gpa);
  }

  private boolean untracked(long gpa) {
    return gpa >= untrackedFrom && gpa < untrackedTo;
  }

  /** Number of 4 KiB frames that have been written to. */
  public int touchedFrames() { return frameCount; }

  // Each access first tries the frame cache inline (a hit, with the value inside the frame, is all most
  // accesses are) and only otherwise goes the whole way: small enough to be inlined where it is used.

  public int readU8(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    if (cacheFrame[set] == fn) return cacheBytes[set][(int) (gpa & FRAME_MASK)] & 0xff;
    byte[] f = frameOrNull(gpa);
    return f == null ? 0 : f[(int) (gpa & FRAME_MASK)] & 0xff;
  }

  public void writeU8(long gpa, int value) {
    frame(gpa)[(int) (gpa & FRAME_MASK)] = (byte) value;
  }

  public int readU16(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 2) return (short) U16.get(cacheBytes[set], off) & 0xffff;
    return readU16Slow(gpa);
  }

  private int readU16Slow(long gpa) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 2) return readU8(gpa) | readU8(gpa + 1) << 8;
    byte[] f = frameOrNull(gpa);
    return f == null ? 0 : (short) U16.get(f, off) & 0xffff;
  }

  public void writeU16(long gpa, int value) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 2) {
      U16.set(cacheBytes[set], off, (short) value);
      return;
    }
    writeU16Slow(gpa, value);
  }

  private void writeU16Slow(long gpa, int value) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 2) {
      writeU8(gpa, value);
      writeU8(gpa + 1, value >>> 8);
      return;
    }
    U16.set(frame(gpa), off, (short) value);
  }

  public long readU32(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 4) return (int) U32.get(cacheBytes[set], off) & 0xffff_ffffL;
    return readU32Slow(gpa);
  }

  private long readU32Slow(long gpa) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 4) return readU16(gpa) | (long) readU16(gpa + 2) << 16;
    byte[] f = frameOrNull(gpa);
    return f == null ? 0 : (int) U32.get(f, off) & 0xffff_ffffL;
  }

  public void writeU32(long gpa, long value) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 4) {
      U32.set(cacheBytes[set], off, (int) value);
      return;
    }
    writeU32Slow(gpa, value);
  }

  private void writeU32Slow(long gpa, long value) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 4) {
      writeU16(gpa, (int) value & 0xffff);
      writeU16(gpa + 2, (int) (value >>> 16) & 0xffff);
      return;
    }
    U32.set(frame(gpa), off, (int) value);
  }

  public long readU64(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 8) return (long) U64.get(cacheBytes[set], off);
    return readU64Slow(gpa);
  }

  private long readU64Slow(long gpa) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 8) return readU32(gpa) | readU32(gpa + 4) << 32;
    byte[] f = frameOrNull(gpa);
    return f == null ? 0 : (long) U64.get(f, off);
  }

  public void writeU64(long gpa, long value) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    int off = (int) (gpa & FRAME_MASK);
    if (cacheFrame[set] == fn && off <= FRAME_SIZE - 8) {
      U64.set(cacheBytes[set], off, value);
      return;
    }
    writeU64Slow(gpa, value);
  }

  private void writeU64Slow(long gpa, long value) {
    int off = (int) (gpa & FRAME_MASK);
    if (off > FRAME_SIZE - 8) {
      writeU32(gpa, value & 0xffff_ffffL);
      writeU32(gpa + 4, value >>> 32);
      return;
    }
    U64.set(frame(gpa), off, value);
  }

  /**
   * Copies {@code length} bytes inside guest memory (callers copy between disjoint buffers).
   * Payload memory ({@link #setUntracked}) has no bytes to give or keep: a copy from it or into it
   * moves nothing (its cost is the caller's to charge).
   */
  public void copy(long srcGpa, long dstGpa, int length) {
    if (length <= 0) return;
    check(srcGpa);
    check(dstGpa);
    if (untracked(srcGpa) || untracked(dstGpa)) return;
    int done = 0;
    while (done < length) {
      long s = srcGpa + done, d = dstGpa + done;
      int n = (int) Math.min(length - done, Math.min(FRAME_SIZE - (s & FRAME_MASK), FRAME_SIZE - (d & FRAME_MASK)));
      byte[] sf = frameOrNull(s);
      if (sf == null) {
        byte[] df = frameOrNull(d); // copying zeros into memory never touched changes nothing
        if (df != null) Arrays.fill(df, (int) (d & FRAME_MASK), (int) (d & FRAME_MASK) + n, (byte) 0);
      } else {
        System.arraycopy(sf, (int) (s & FRAME_MASK), frame(d), (int) (d & FRAME_MASK), n);
      }
      done += n;
    }
  }

  /** Fills {@code length} bytes with {@code value}. */
  public void fill(long gpa, int length, byte value) {
    int done = 0;
    while (done < length) {
      long a = gpa + done;
      int n = (int) Math.min(length - done, FRAME_SIZE - (a & FRAME_MASK));
      byte[] f = frame(a);
      Arrays.fill(f, (int) (a & FRAME_MASK), (int) (a & FRAME_MASK) + n, value);
      done += n;
    }
  }

  private final byte[] scratch = new byte[FRAME_SIZE];

  private byte[] frameOrNull(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    if (cacheFrame[set] == fn) return cacheBytes[set];
    check(gpa);
    if (untracked(gpa)) return null;
    byte[][] chunk = chunks[(int) (gpa >>> CHUNK_SHIFT)];
    byte[] f = chunk == null ? null : chunk[(int) fn & (FRAMES_PER_CHUNK - 1)];
    if (f == null) return null;
    cacheFrame[set] = fn;
    cacheBytes[set] = f;
    return f;
  }

  private byte[] frame(long gpa) {
    long fn = gpa >>> FRAME_SHIFT;
    int set = (int) fn & (CACHE_SETS - 1);
    if (cacheFrame[set] == fn) return cacheBytes[set];
    check(gpa);
    if (untracked(gpa)) return scratch; // a dropped write (not cached: the next read of this frame must see zero; scratch is never read)
    int ci = (int) (gpa >>> CHUNK_SHIFT);
    byte[][] chunk = chunks[ci];
    if (chunk == null) chunk = chunks[ci] = new byte[FRAMES_PER_CHUNK][];
    int fi = (int) fn & (FRAMES_PER_CHUNK - 1);
    byte[] f = chunk[fi];
    if (f == null) {
      f = chunk[fi] = new byte[FRAME_SIZE];
      frameCount++;
    }
    cacheFrame[set] = fn;
    cacheBytes[set] = f;
    return f;
  }

  private void check(long gpa) {
    if (gpa < 0 || gpa >= sizeBytes) {
      throw new IndexOutOfBoundsException(String.format(java.util.Locale.ROOT,
          "guest-physical address 0x%x outside guest memory of %d bytes", gpa, sizeBytes));
    }
  }

}
