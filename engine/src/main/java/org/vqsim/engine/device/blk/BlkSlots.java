package org.vqsim.engine.device.blk;

/**
 * The virtio-blk requests in flight, by slot (a blk-mq tag of one queue: slot = queue × tags + tag):
 * what the guest's {@code struct virtblk_req} and the model's bookkeeping hold, as arrays. A slot's
 * page in guest memory holds its header, status byte and indirect table. The mapping and segment
 * arrays of a slot grow to the largest request it has carried, so steady state allocates nothing.
 */
final class BlkSlots {
  final int tags;
  final long[] request, offset, submitPs, statusGpa;
  final byte[] op;
  final int[] length, head, cpu, queue, group, segCount, mapCount;
  final int[][] segs;
  final long[][] mapAddr;
  final int[][] mapLen;
  final byte[][] mapDir;

  BlkSlots(int queues, int tags) {
    this.tags = tags;
    int n = queues * tags;
    request = new long[n];
    offset = new long[n];
    submitPs = new long[n];
    statusGpa = new long[n];
    op = new byte[n];
    length = new int[n];
    head = new int[n];
    cpu = new int[n];
    queue = new int[n];
    group = new int[n];
    segCount = new int[n];
    mapCount = new int[n];
    segs = new int[n][];
    mapAddr = new long[n][];
    mapLen = new int[n][];
    mapDir = new byte[n][];
  }

  int count() { return request.length; }

  /** Makes room for {@code maps} mappings in {@code slot}. */
  void reserveMaps(int slot, int maps) {
    if (mapAddr[slot] != null && mapAddr[slot].length >= maps) return;
    int n = Math.max(maps, 8);
    mapAddr[slot] = new long[n];
    mapLen[slot] = new int[n];
    mapDir[slot] = new byte[n];
  }
}
