package org.vqsim.capture.synthetic;

import java.util.SplittableRandom;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Generates the requests of a {@link WorkloadSpec} on demand, in constant memory: the same spec and
 * seed give the same stream. Random offsets are aligned to the smallest block size (fio's default
 * {@code blockalign}); sequential ones follow each other and wrap at the end of the region.
 */
public final class SyntheticSource implements RequestSource {
  private final WorkloadSpec spec;
  private final SplittableRandom rng;
  private final int totalWeight;
  private final long align;
  private final long blocks;
  private final ZipfSampler zipf;
  private final long[] zipfScramble;
  private long produced;
  private long bytes;
  private long seqOffset;

  public SyntheticSource(WorkloadSpec spec) {
    this.spec = spec;
    this.rng = new SplittableRandom(spec.seed());
    int tw = 0;
    int minBs = Integer.MAX_VALUE;
    for (int i = 0; i < spec.blockSizes().length; i++) {
      tw += spec.weights()[i];
      minBs = Math.min(minBs, spec.blockSizes()[i]);
    }
    totalWeight = tw;
    align = minBs;
    blocks = Math.max(1, (spec.offsetEnd() - spec.offsetStart()) / align);
    zipf = spec.zipfTheta() > 0 ? new ZipfSampler(blocks, spec.zipfTheta()) : null;
    // fio scatters the popular zipf blocks over the region instead of packing them at its start
    zipfScramble = new long[] {rng.nextLong() | 1, rng.nextLong()};
    seqOffset = spec.offsetStart();
  }

  @Override
  public boolean next(IoRequest into) {
    if (spec.count() > 0 ? produced >= spec.count() : bytes >= spec.totalBytes()) return false;
    int bs = pickSize();
    byte op = pickOp();
    long offset;
    if (spec.random()) {
      long block = zipf != null ? scramble(zipf.sample(rng) - 1) : rng.nextLong(blocks);
      offset = spec.offsetStart() + block * align;
      if (offset + bs > spec.offsetEnd()) offset = spec.offsetEnd() - bs;
      offset -= (offset - spec.offsetStart()) % align; // aligned from the region's start, as fio does
    } else {
      if (seqOffset + bs > spec.offsetEnd()) seqOffset = spec.offsetStart();
      offset = seqOffset;
      seqOffset += bs;
    }
    long ts = spec.rateIops() > 0 ? (long) Math.floor(produced * 1e9 / spec.rateIops()) : 0;
    into.set(ts, op, offset, bs);
    produced++;
    bytes += bs;
    return true;
  }

  private long scramble(long block) {
    // a bijection on [0, blocks) would need blocks to be a power of two; a multiplicative hash
    // modulo blocks is close enough to spread hot blocks and stays deterministic
    return Math.floorMod(block * zipfScramble[0] + zipfScramble[1], blocks);
  }

  private int pickSize() {
    int[] sizes = spec.blockSizes();
    if (sizes.length == 1) return sizes[0];
    int r = rng.nextInt(totalWeight);
    for (int i = 0; i < sizes.length; i++) {
      r -= spec.weights()[i];
      if (r < 0) return sizes[i];
    }
    return sizes[sizes.length - 1];
  }

  private byte pickOp() {
    return switch (spec.rw()) {
      case "read", "randread" -> IoOp.READ;
      case "write", "randwrite" -> IoOp.WRITE;
      default -> rng.nextInt(100) < spec.rwmixread() ? IoOp.READ : IoOp.WRITE;
    };
  }
}
