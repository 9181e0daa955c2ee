package org.vqsim.engine.device.blk;

import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.sim.ModelException;

/**
 * Where the pages of a request's data buffer lie in guest-physical memory, and so how many
 * scatter-gather segments the block layer builds (it merges physically contiguous pages, up to the
 * maximum segment size). Deterministic for a seed: a SplitMix64 stream, no allocation.
 */
final class PagePlacer {
  private final long baseFrame;
  private final long frames;
  private final int pageSize;
  private final long contiguityThreshold;
  private long state;

  PagePlacer(long dataBase, long dataEnd, int pageSize, double contiguity, long seed) {
    this.pageSize = pageSize;
    this.baseFrame = (dataBase + pageSize - 1) / pageSize;
    this.frames = dataEnd / pageSize - baseFrame;
    if (frames < 16) throw new IllegalArgumentException("guest memory too small for data buffers");
    this.contiguityThreshold = contiguity >= 1.0 ? Long.MAX_VALUE : (long) (contiguity * 0x1p53);
    this.state = seed ^ 0x5DEECE66DL;
  }

  private long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private long randomFrame() {
    return baseFrame + Math.floorMod(nextLong(), frames);
  }

  /**
   * Appends the data segments of a {@code length}-byte buffer to {@code chain}, at most {@code
   * maxSegments} of them, each at most {@code maxSegment} bytes.
   */
  void place(Chain chain, int length, long maxSegment, int maxSegments, boolean deviceWrites) {
    int start = chain.count;
    long frame = randomFrame();
    long segStart = frame * pageSize;
    long segLen = 0;
    int segs = 0;
    int remaining = length;
    long prevFrame = frame - 1;
    while (remaining > 0) {
      int chunk = Math.min(remaining, pageSize);
      boolean contiguous = frame == prevFrame + 1;
      if (segLen > 0 && (!contiguous || segLen + chunk > maxSegment)) {
        if (segs + 1 == maxSegments) {
          // more physical segments than the device takes (seg_max): place the buffer in as few
          // segments as the largest segment allows, as a guest whose pages happened to be contiguous
          chain.count = start;
          placeCompact(chain, length, maxSegment, maxSegments, deviceWrites);
          return;
        }
        chain.add(segStart, (int) segLen, deviceWrites);
        segs++;
        segStart = frame * pageSize;
        segLen = 0;
      }
      segLen += chunk;
      remaining -= chunk;
      prevFrame = frame;
      if (remaining > 0) frame = (nextLong() >>> 11) < contiguityThreshold && frame + 1 < baseFrame + frames ? frame + 1 : randomFrame();
    }
    chain.add(segStart, (int) segLen, deviceWrites);
  }

  /**
   * The fewest segments of at most {@code maxSegment} bytes. A request that needs more than the
   * device's {@code seg_max} even so is one Linux's block layer would have split into several: the
   * model replays requests one to one, so it says so instead.
   */
  private void placeCompact(Chain chain, int length, long maxSegment, int maxSegments, boolean deviceWrites) {
    long needed = (length + maxSegment - 1) / maxSegment;
    if (needed > maxSegments) {
      throw new ModelException("a request of " + length + " bytes needs " + needed + " segments of at most " + maxSegment
          + " bytes, more than the " + maxSegments + " the virtqueue takes (seg_max = queue size - 2); Linux would split it in the block layer —"
          + " raise --queue-size or split the trace's large requests");
    }
    long pages = (length + pageSize - 1) / pageSize;
    long addr = (baseFrame + Math.floorMod(nextLong(), Math.max(1, frames - pages))) * pageSize;
    for (long left = length; left > 0; ) {
      int piece = (int) Math.min(left, maxSegment);
      chain.add(addr, piece, deviceWrites);
      addr += piece;
      left -= piece;
    }
  }


  /**
   * Appends captured data segments: each is physically contiguous and starts on a page of its
   * own; one longer than {@code maxSegment} is split (the guest's block layer would have split
   * it); beyond {@code maxSegments} the rest is merged into the last (as {@link #place} does).
   */
  void placeSegments(Chain chain, int[] lengths, int n, long maxSegment, int maxSegments, boolean deviceWrites) {
    int segs = 0;
    for (int k = 0; k < n; k++) {
      long left = lengths[k];
      long pages = (left + pageSize - 1) / pageSize;
      long addr = (baseFrame + Math.floorMod(nextLong(), Math.max(1, frames - pages))) * pageSize;
      while (left > 0) {
        if (segs + 1 == maxSegments) {
          long rest = left;
          for (int j = k + 1; j < n; j++) rest += lengths[j];
          chain.add(addr, (int) Math.min(rest, Integer.MAX_VALUE), deviceWrites);
          return;
        }
        int piece = (int) Math.min(left, maxSegment);
        chain.add(addr, piece, deviceWrites);
        segs++;
        addr += piece;
        left -= piece;
      }
    }
  }
}
