package org.vqsim.engine.device.blk;

/**
 * The virtio-blk requests in flight, by slot (a blk-mq tag of one queue: slot = queue × tags + tag):
 * what the guest's {@code struct virtblk_req} and the model's bookkeeping hold. A slot's page in guest
 * memory holds its header, status byte and indirect table. A slot's fields sit side by side (one
 * {@code long[]} and one {@code int[]} record, half a cache line each), so a pass over a request
 * touches two lines of bookkeeping, not one per field: with a thousand requests in flight (32 vCPUs
 * at depth 32) that is what keeps the model's working set near the closest caches. The mapping and
 * segment arrays of a slot grow to the largest request it has carried, so steady state allocates
 * nothing.
 */
final class BlkSlots {
  private static final int L = 4, REQUEST = 0, OFFSET = 1, SUBMIT = 2, STATUS = 3;
  private static final int I = 8, OP = 0, LENGTH = 1, HEAD = 2, CPU = 3, QUEUE = 4, GROUP = 5, SEG_COUNT = 6, MAP_COUNT = 7;

  final int tags;
  private final long[] l;
  private final int[] i;
  final int[][] segs;
  /** Per slot, per mapping k: the DMA address at 2k, the length and direction ({@code len << 8 | dir}) at 2k + 1. */
  final long[][] maps;

  BlkSlots(int queues, int tags) {
    this.tags = tags;
    int n = queues * tags;
    l = new long[n * L];
    i = new int[n * I];
    segs = new int[n][];
    maps = new long[n][];
  }

  int count() { return segs.length; }

  long request(int s) { return l[s * L + REQUEST]; }
  void request(int s, long v) { l[s * L + REQUEST] = v; }
  long offset(int s) { return l[s * L + OFFSET]; }
  void offset(int s, long v) { l[s * L + OFFSET] = v; }
  long submitPs(int s) { return l[s * L + SUBMIT]; }
  void submitPs(int s, long v) { l[s * L + SUBMIT] = v; }
  long statusGpa(int s) { return l[s * L + STATUS]; }
  void statusGpa(int s, long v) { l[s * L + STATUS] = v; }

  int op(int s) { return i[s * I + OP]; }
  void op(int s, int v) { i[s * I + OP] = v; }
  int length(int s) { return i[s * I + LENGTH]; }
  void length(int s, int v) { i[s * I + LENGTH] = v; }
  int head(int s) { return i[s * I + HEAD]; }
  void head(int s, int v) { i[s * I + HEAD] = v; }
  int cpu(int s) { return i[s * I + CPU]; }
  void cpu(int s, int v) { i[s * I + CPU] = v; }
  int queue(int s) { return i[s * I + QUEUE]; }
  void queue(int s, int v) { i[s * I + QUEUE] = v; }
  int group(int s) { return i[s * I + GROUP]; }
  void group(int s, int v) { i[s * I + GROUP] = v; }
  int segCount(int s) { return i[s * I + SEG_COUNT]; }
  void segCount(int s, int v) { i[s * I + SEG_COUNT] = v; }
  int mapCount(int s) { return i[s * I + MAP_COUNT]; }
  void mapCount(int s, int v) { i[s * I + MAP_COUNT] = v; }

  /** Makes room for {@code n} mappings in {@code slot}. */
  void reserveMaps(int slot, int n) {
    if (maps[slot] != null && maps[slot].length >= 2 * n) return;
    maps[slot] = new long[2 * Math.max(n, 8)];
  }

  static long lenDir(int len, int dir) { return (long) len << 8 | dir; }
  static int len(long lenDir) { return (int) (lenDir >>> 8); }
  static int dir(long lenDir) { return (int) lenDir & 0xff; }
}
