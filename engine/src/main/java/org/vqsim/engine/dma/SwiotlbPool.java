package org.vqsim.engine.dma;

/**
 * The swiotlb bounce pool, slot for slot as Linux 6.1 {@code kernel/dma/swiotlb.c} keeps it:
 * 2 KiB slots ({@code IO_TLB_SHIFT} 11) grouped in segments of 128 ({@code IO_TLB_SEGSIZE}), so a
 * mapping takes at most 128 contiguous slots (256 KiB); the pool is split into areas (one per CPU,
 * each with its own lock and search index); {@code list[i]} is the number of free slots from
 * {@code i} to the end of its segment. Allocations of a page or more start on a page boundary.
 * This class only keeps the slots; the strategy that uses it charges the costs.
 */
public final class SwiotlbPool {
  public static final int IO_TLB_SHIFT = 11;
  public static final int IO_TLB_SIZE = 1 << IO_TLB_SHIFT;
  public static final int IO_TLB_SEGSIZE = 128;
  /** The largest single mapping: 128 slots of 2 KiB ({@code swiotlb_max_mapping_size}). */
  public static final long MAX_MAPPING = (long) IO_TLB_SIZE * IO_TLB_SEGSIZE;
  public static final int NOT_FOUND = -1;

  private final long start;
  private final int nslabs;
  private final int nareas;
  private final int areaSlabs;
  private final int pageStride;
  private final int[] list;
  private final int[] allocSlots;
  private final int[] areaIndex;
  private final int[] areaUsed;
  private long used;
  private long highWater;
  private long failures;

  /**
   * @param start guest-physical base of the pool (page aligned)
   * @param bytes pool size (Linux default 64 MiB; SEV/TDX 6% of RAM clamped to 64 MiB–1 GiB)
   * @param areas number of areas (a power of two; Linux uses one per possible CPU)
   * @param pageSize guest page size (allocations ≥ one page are page aligned)
   */
  public SwiotlbPool(long start, long bytes, int areas, int pageSize) {
    if (bytes < (long) IO_TLB_SIZE * IO_TLB_SEGSIZE) throw new IllegalArgumentException("swiotlb pool must be at least 256 KiB (one segment), not " + bytes + " bytes");
    if (bytes % ((long) IO_TLB_SIZE * IO_TLB_SEGSIZE) != 0) throw new IllegalArgumentException("swiotlb pool size must be a multiple of 256 KiB (one segment of 128 slots), not " + bytes);
    if (areas < 1 || Integer.bitCount(areas) != 1) throw new IllegalArgumentException("swiotlb areas must be a power of two, not " + areas);
    long slabs = bytes >>> IO_TLB_SHIFT;
    if (slabs > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("swiotlb pool too large");
    if (slabs / areas < IO_TLB_SEGSIZE) throw new IllegalArgumentException("swiotlb pool too small for " + areas + " areas (each needs at least one 256 KiB segment)");
    this.start = start;
    this.nslabs = (int) slabs;
    this.nareas = areas;
    this.areaSlabs = nslabs / areas;
    this.pageStride = Math.max(1, pageSize >>> IO_TLB_SHIFT);
    this.list = new int[nslabs];
    this.allocSlots = new int[nslabs];
    for (int i = 0; i < nslabs; i++) list[i] = IO_TLB_SEGSIZE - (i & (IO_TLB_SEGSIZE - 1));
    this.areaIndex = new int[areas];
    this.areaUsed = new int[areas];
  }

  public static int slotsFor(long bytes) {
    return (int) ((bytes + IO_TLB_SIZE - 1) >>> IO_TLB_SHIFT);
  }

  public long start() { return start; }
  public long bytes() { return (long) nslabs << IO_TLB_SHIFT; }
  public int slots() { return nslabs; }
  public long usedSlots() { return used; }
  public long highWaterSlots() { return highWater; }
  /** Mappings refused because no run of free slots was found ("swiotlb buffer is full"). */
  public long failures() { return failures; }
  public int freeRun(int slot) { return list[slot]; }

  /**
   * Allocates slots for {@code bytes} bytes, searching the areas from {@code cpu}'s
   * ({@code swiotlb_find_slots}); returns the guest-physical address of the first slot, or
   * {@link #NOT_FOUND} when the pool has no run long enough.
   */
  public long alloc(long bytes, int cpu) {
    int first = firstArea(cpu);
    for (int k = 0; k < nareas; k++) {
      long a = allocInArea((first + k) & (nareas - 1), bytes);
      if (a != NOT_FOUND) return a;
    }
    failed();
    return NOT_FOUND;
  }

  public int areas() { return nareas; }

  /** The area {@code cpu} searches first ({@code raw_smp_processor_id() & (mem->nareas - 1)}, swiotlb.c 6.1 line 701); then the next ones, wrapping. */
  public int firstArea(int cpu) {
    return cpu & (nareas - 1);
  }

  /** One area's search ({@code swiotlb_do_find_slots}, what runs under that area's lock); the address or {@link #NOT_FOUND}. */
  public long allocInArea(int area, long bytes) {
    int nslots = slotsFor(bytes);
    if (nslots > IO_TLB_SEGSIZE || nslots == 0) return NOT_FOUND;
    int stride = bytes >= (long) pageStride * IO_TLB_SIZE && pageStride > 1 ? pageStride : 1;
    int idx = areaFind(area, nslots, stride);
    return idx < 0 ? NOT_FOUND : start + ((long) idx << IO_TLB_SHIFT);
  }

  /** Counts a mapping no area could take ("swiotlb buffer is full"). */
  public void failed() {
    failures++;
  }

  /** The area a slot address belongs to: its release takes that area's lock ({@code swiotlb_release_slots}, line 788). */
  public int areaOf(long tlbAddr) {
    return (int) ((tlbAddr - start) >>> IO_TLB_SHIFT) / areaSlabs;
  }

  /** {@code swiotlb_do_find_slots}: search one area from its index, wrapping once. */
  private int areaFind(int a, int nslots, int stride) {
    if (areaUsed[a] + nslots > areaSlabs) return -1;
    int base = a * areaSlabs;
    int index = wrap(align(areaIndex[a], stride));
    int wrapAt = index;
    do {
      int slot = base + index;
      if (list[slot] >= nslots) {
        for (int i = slot; i < slot + nslots; i++) list[i] = 0;
        int count = 0;
        for (int i = slot - 1; i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 && list[i] != 0; i--) list[i] = ++count;
        allocSlots[slot] = nslots;
        areaIndex[a] = wrap(index + nslots);
        areaUsed[a] += nslots;
        used += nslots;
        if (used > highWater) highWater = used;
        return slot;
      }
      index = wrap(index + stride);
    } while (index != wrapAt);
    return -1;
  }

  private int wrap(int index) {
    return index >= areaSlabs ? 0 : index;
  }

  private static int align(int v, int a) {
    return (v + a - 1) / a * a;
  }

  /** Releases the slots of the mapping at {@code tlbAddr} ({@code swiotlb_release_slots}). */
  public void release(long tlbAddr) {
    int index = (int) ((tlbAddr - start) >>> IO_TLB_SHIFT);
    int nslots = allocSlots[index];
    if (nslots == 0) throw new IllegalStateException("swiotlb release of a slot that is not allocated: " + index);
    allocSlots[index] = 0;
    int count = (index + nslots) < align(index + 1, IO_TLB_SEGSIZE) ? list[index + nslots] : 0;
    for (int i = index + nslots - 1; i >= index; i--) list[i] = ++count;
    for (int i = index - 1; i >= 0 && (i & (IO_TLB_SEGSIZE - 1)) != IO_TLB_SEGSIZE - 1 && list[i] != 0; i--) list[i] = ++count;
    areaUsed[index / areaSlabs] -= nslots;
    used -= nslots;
  }

  /** Whether {@code addr} lies in the pool ({@code is_swiotlb_buffer}). */
  public boolean contains(long addr) {
    return addr >= start && addr < start + ((long) nslabs << IO_TLB_SHIFT);
  }
}
