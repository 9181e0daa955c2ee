package org.vqsim.capture.synthetic;

import java.util.SplittableRandom;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Generates the requests of a {@link WorkloadSpec} on demand, in constant memory: the same spec and
 * seed give the same stream. Random offsets are aligned to the smallest block size (fio's default
 * {@code blockalign}); sequential ones follow each other and wrap at the end of the region.
 *
 * <p>With several jobs (fio's {@code numjobs}) each job is such a stream of its own — its own
 * random stream, count or size, rate, and for sequential jobs its own share of the region — and
 * the jobs' requests are interleaved round-robin: job 0's first, job 1's first, …, job 0's second,
 * … (a job that has finished drops out of the round). Job k's requests carry {@code cpu = k}; with
 * one job the stream is the single-job one, without a CPU.
 *
 * <pre>
 *  numjobs 3, --count 2:   j0 j1 j2 j0 j1 j2      cpu 0 1 2 0 1 2
 *  sequential shares:      [start, +share) [+share, +2·share) [+2·share, +3·share)
 * </pre>
 */
public final class SyntheticSource implements RequestSource {
  private final WorkloadSpec spec;
  private final int totalWeight;
  private final long align;
  private final long blocks;
  private final ZipfSampler zipf;
  private final Job[] jobs;
  /** The jobs still running, in job order; {@code turn} indexes the one whose request is next. */
  private final int[] running;
  private int runningCount;
  private int turn;

  /** One job's stream: its random choices, its position and what it has produced. */
  private static final class Job {
    final SplittableRandom rng;
    final long[] zipfScramble;
    final long seqStart, seqEnd;
    long seqOffset;
    long produced;
    long bytes;

    Job(long seed, long seqStart, long seqEnd) {
      rng = new SplittableRandom(seed);
      // fio scatters the popular zipf blocks over the region instead of packing them at its start
      zipfScramble = new long[] {rng.nextLong() | 1, rng.nextLong()};
      this.seqStart = seqStart;
      this.seqEnd = seqEnd;
      seqOffset = seqStart;
    }
  }

  public SyntheticSource(WorkloadSpec spec) {
    this.spec = spec;
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
    jobs = new Job[spec.numjobs()];
    running = new int[jobs.length];
    long share = spec.jobShare();
    for (int k = 0; k < jobs.length; k++) {
      long start = spec.offsetStart() + k * share;
      jobs[k] = new Job(WorkloadSpec.jobSeed(spec.seed(), k), start, jobs.length == 1 ? spec.offsetEnd() : start + share);
      running[k] = k;
    }
    runningCount = jobs.length;
  }

  @Override
  public boolean next(IoRequest into) {
    while (runningCount > 0) {
      if (turn >= runningCount) turn = 0;
      int k = running[turn];
      if (next(jobs[k], into)) {
        if (spec.knowsCpus()) into.cpu = k;
        turn++;
        return true;
      }
      // job k has finished: it leaves the round, the next job takes its turn
      System.arraycopy(running, turn + 1, running, turn, runningCount - turn - 1);
      runningCount--;
    }
    return false;
  }

  private boolean next(Job j, IoRequest into) {
    if (spec.count() > 0 ? j.produced >= spec.count() : j.bytes >= spec.totalBytes()) return false;
    SplittableRandom rng = j.rng;
    int bs = pickSize(rng);
    byte op = pickOp(rng);
    long offset;
    if (spec.random()) {
      long block = zipf != null ? scramble(j, zipf.sample(rng) - 1) : rng.nextLong(blocks);
      offset = spec.offsetStart() + block * align;
      if (offset + bs > spec.offsetEnd()) offset = spec.offsetEnd() - bs;
      offset -= (offset - spec.offsetStart()) % align; // aligned from the region's start, as fio does
    } else {
      if (j.seqOffset + bs > j.seqEnd) j.seqOffset = j.seqStart;
      offset = j.seqOffset;
      j.seqOffset += bs;
    }
    long ts = spec.rateIops() > 0 ? (long) Math.floor(j.produced * 1e9 / spec.rateIops()) : 0;
    into.set(ts, op, offset, bs);
    j.produced++;
    j.bytes += bs;
    return true;
  }

  private long scramble(Job j, long block) {
    // a bijection on [0, blocks) would need blocks to be a power of two; a multiplicative hash
    // modulo blocks is close enough to spread hot blocks and stays deterministic
    return Math.floorMod(block * j.zipfScramble[0] + j.zipfScramble[1], blocks);
  }

  private int pickSize(SplittableRandom rng) {
    int[] sizes = spec.blockSizes();
    if (sizes.length == 1) return sizes[0];
    int r = rng.nextInt(totalWeight);
    for (int i = 0; i < sizes.length; i++) {
      r -= spec.weights()[i];
      if (r < 0) return sizes[i];
    }
    return sizes[sizes.length - 1];
  }

  private byte pickOp(SplittableRandom rng) {
    return switch (spec.rw()) {
      case "read", "randread" -> IoOp.READ;
      case "write", "randwrite" -> IoOp.WRITE;
      default -> rng.nextInt(100) < spec.rwmixread() ? IoOp.READ : IoOp.WRITE;
    };
  }
}
