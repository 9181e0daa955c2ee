package org.vqsim.capture.synthetic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.capture.Sizes;

/**
 * A fio-like description of a synthetic workload, validated when built.
 *
 * @param rw {@code read}, {@code write} (sequential), {@code randread}, {@code randwrite}, {@code randrw}, {@code rw} (sequential mix)
 * @param rwmixread percentage of reads in a mixed workload (fio {@code rwmixread}, default 50)
 * @param blockSizes request sizes in bytes, with {@code weights} (fio {@code bssplit})
 * @param iodepth default closed-loop depth stored with the trace
 * @param count requests to generate (0: stop at {@code totalBytes})
 * @param totalBytes bytes to generate when {@code count} is 0
 * @param offsetStart first byte of the region offsets fall in
 * @param offsetEnd one past its last byte
 * @param zipfTheta 0 for uniform random offsets, else the zipf exponent (fio {@code random_distribution=zipf:θ})
 * @param rateIops 0 for a closed-loop trace; else open-loop timestamps at this rate (per job)
 * @param seed seeds every random choice
 * @param numjobs jobs, as fio's {@code numjobs}: each job has the depth, count (or size) and rate
 *     above, its own random stream ({@link #jobSeed}) and its own CPU (job k submits from CPU k); a
 *     sequential job k starts at {@code offsetStart + k × share} and stays in its share of the
 *     region ({@link #jobShare}), as fio's {@code offset_increment} places jobs. One job is the
 *     workload as it always was: no CPU is recorded.
 */
public record WorkloadSpec(
    String rw,
    int rwmixread,
    int[] blockSizes,
    int[] weights,
    int iodepth,
    long count,
    long totalBytes,
    long offsetStart,
    long offsetEnd,
    double zipfTheta,
    double rateIops,
    long seed,
    int numjobs) {

  /** The most jobs a workload may have. */
  public static final int MAX_JOBS = 4096;

  /** A workload of one job. */
  public WorkloadSpec(String rw, int rwmixread, int[] blockSizes, int[] weights, int iodepth, long count, long totalBytes, long offsetStart,
      long offsetEnd, double zipfTheta, double rateIops, long seed) {
    this(rw, rwmixread, blockSizes, weights, iodepth, count, totalBytes, offsetStart, offsetEnd, zipfTheta, rateIops, seed, 1);
  }

  /**
   * Requests this workload has: {@code count}, or for {@code --size} the bytes over the weighted
   * mean block size (rounded up), for each job.
   */
  public long expectedRequests() {
    return numjobs * expectedRequestsPerJob();
  }

  private long expectedRequestsPerJob() {
    if (count > 0) return count;
    double mean = 0, w = 0;
    for (int i = 0; i < blockSizes.length; i++) {
      mean += (double) blockSizes[i] * weights[i];
      w += weights[i];
    }
    return (long) Math.ceil(totalBytes / (mean / w));
  }

  public static final List<String> RW_MODES = List.of("read", "write", "randread", "randwrite", "randrw", "rw");

  public WorkloadSpec {
    if (!RW_MODES.contains(rw)) throw new IllegalArgumentException("--rw must be one of " + String.join(", ", RW_MODES) + ", not '" + rw + "'");
    if (rwmixread < 0 || rwmixread > 100) throw new IllegalArgumentException("--rwmixread must be within 0..100, not " + rwmixread);
    if (blockSizes.length == 0 || blockSizes.length != weights.length) throw new IllegalArgumentException("--bs needs at least one size");
    for (int i = 0; i < blockSizes.length; i++) {
      if (blockSizes[i] < 512 || blockSizes[i] % 512 != 0) throw new IllegalArgumentException("--bs sizes must be positive multiples of 512 bytes, not " + blockSizes[i]);
      if (weights[i] <= 0) throw new IllegalArgumentException("--bs weights must be positive");
    }
    if (iodepth < 1) throw new IllegalArgumentException("--iodepth must be at least 1, not " + iodepth);
    if (count < 0 || totalBytes < 0) throw new IllegalArgumentException("--count and --size must not be negative");
    if (count == 0 && totalBytes == 0) throw new IllegalArgumentException("give --count N or --size BYTES");
    if (offsetStart < 0 || offsetEnd <= offsetStart) throw new IllegalArgumentException("--offset-range must be START:END with 0 ≤ START < END");
    long maxBs = 0;
    for (int b : blockSizes) maxBs = Math.max(maxBs, b);
    if (offsetEnd - offsetStart < maxBs) throw new IllegalArgumentException("--offset-range is smaller than the largest block size");
    if (zipfTheta < 0 || Double.isNaN(zipfTheta)) throw new IllegalArgumentException("zipf exponent must be > 0");
    if (rateIops < 0 || Double.isNaN(rateIops) || Double.isInfinite(rateIops)) throw new IllegalArgumentException("--rate must be a positive number of requests per second");
    if (numjobs < 1 || numjobs > MAX_JOBS) throw new IllegalArgumentException("--numjobs must be within 1.." + MAX_JOBS + ", not " + numjobs);
    if (numjobs > 1 && !rw.startsWith("rand") && shareOf(offsetStart, offsetEnd, numjobs, blockSizes) < maxBs) {
      throw new IllegalArgumentException("--offset-range " + offsetStart + ":" + offsetEnd + " is too small for " + numjobs
          + " sequential jobs: each job's share would be smaller than the largest block size (" + maxBs + " bytes)");
    }
    blockSizes = blockSizes.clone();
    weights = weights.clone();
  }

  /** Parses {@code --bs}: a size ({@code 4k}) or a weighted list ({@code 4k:70,64k:30}). */
  public static int[][] parseBlockSizes(String text) {
    List<int[]> parts = new ArrayList<>();
    for (String p : text.split(",")) {
      String[] kv = p.split(":");
      if (kv.length > 2 || kv[0].isBlank()) throw new IllegalArgumentException("--bs: '" + p + "' is not SIZE or SIZE:WEIGHT");
      long size = Sizes.parse(kv[0]);
      if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("--bs: " + kv[0] + " is too large (a request is at most 2 GiB)");
      int w;
      try {
        w = kv.length == 2 ? Integer.parseInt(kv[1].strip()) : 1;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--bs: weight '" + kv[1] + "' is not a whole number");
      }
      parts.add(new int[] {(int) size, w});
    }
    int[][] r = new int[2][parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      r[0][i] = parts.get(i)[0];
      r[1][i] = parts.get(i)[1];
    }
    return r;
  }

  /** Parses {@code --offset-range}: {@code END} or {@code START:END} sizes. */
  public static long[] parseOffsetRange(String text) {
    String[] p = text.split(":");
    if (p.length == 1) return new long[] {0, Sizes.parse(p[0])};
    if (p.length == 2) return new long[] {Sizes.parse(p[0]), Sizes.parse(p[1])};
    throw new IllegalArgumentException("--offset-range must be END or START:END, not '" + text + "'");
  }

  /** Parses {@code --random-distribution}: {@code uniform} or {@code zipf:THETA}. */
  public static double parseDistribution(String text) {
    if (text.equals("uniform")) return 0;
    if (text.startsWith("zipf:")) {
      try {
        double t = Double.parseDouble(text.substring(5));
        if (t > 0 && Double.isFinite(t)) return t;
      } catch (NumberFormatException e) {
        // fall through to the message
      }
    }
    throw new IllegalArgumentException("--random-distribution must be uniform or zipf:THETA (THETA > 0, e.g. zipf:1.2), not '" + text + "'");
  }

  public boolean random() { return rw.startsWith("rand"); }

  /** Whether the requests carry their submitting CPU: a workload of several jobs (job k on CPU k). */
  public boolean knowsCpus() { return numjobs > 1; }

  /**
   * The seed of job {@code job}'s random stream: {@code seed} itself for job 0 (so one job gives the
   * stream it always gave), for job k ≥ 1 SplitMix64's output for {@code seed + k × 0x9E3779B97F4A7C15}
   * (the Stafford variant 13 finaliser that {@link java.util.SplittableRandom} uses). Adjacent raw
   * seeds would not do: {@code SplittableRandom(s + γ)} is {@code SplittableRandom(s)} one step on.
   */
  public static long jobSeed(long seed, int job) {
    if (job == 0) return seed;
    long z = seed + job * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The bytes of the region each sequential job covers: the whole region for one job, else the
   * region divided by the jobs and rounded down to the smallest block size, so that every job starts
   * aligned ({@code offsetStart + k × share}) and wraps back to its own start.
   */
  public long jobShare() {
    return numjobs == 1 ? offsetEnd - offsetStart : shareOf(offsetStart, offsetEnd, numjobs, blockSizes);
  }

  private static long shareOf(long start, long end, int jobs, int[] sizes) {
    long min = Long.MAX_VALUE;
    for (int b : sizes) min = Math.min(min, b);
    long share = (end - start) / jobs;
    return share - share % min;
  }

  /** The options as stored in the trace's metadata. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("rw", rw);
    if (rw.equals("randrw") || rw.equals("rw")) m.put("rwmixread", Integer.toString(rwmixread));
    StringBuilder bs = new StringBuilder();
    for (int i = 0; i < blockSizes.length; i++) {
      if (i > 0) bs.append(',');
      bs.append(Sizes.format(blockSizes[i]));
      if (blockSizes.length > 1) bs.append(':').append(weights[i]);
    }
    m.put("bs", bs.toString());
    m.put("iodepth", Integer.toString(iodepth));
    if (numjobs > 1) m.put("numjobs", Integer.toString(numjobs));
    if (count > 0) m.put("count", Long.toString(count));
    else m.put("size", Long.toString(totalBytes));
    m.put("offset_range", offsetStart + ":" + offsetEnd);
    m.put("random_distribution", zipfTheta == 0 ? "uniform" : "zipf:" + zipfTheta);
    if (rateIops > 0) m.put("rate", String.format(Locale.ROOT, "%s", rateIops));
    m.put("seed", Long.toString(seed));
    return m;
  }
}
