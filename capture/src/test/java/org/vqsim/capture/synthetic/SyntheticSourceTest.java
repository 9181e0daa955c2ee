package org.vqsim.capture.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TestData.Req;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

class SyntheticSourceTest {
  private static final long GIB = 1L << 30;

  private static WorkloadSpec spec(String rw, int rwmixread, int[] bs, int[] w, long count, long size, long start, long end, double zipf, double rate, long seed) {
    return new WorkloadSpec(rw, rwmixread, bs, w, 1, count, size, start, end, zipf, rate, seed);
  }

  private static List<Req> generate(WorkloadSpec s) throws IOException {
    return TestData.drain(new SyntheticSource(s));
  }

  private static WorkloadSpec simple(String rw, long count) {
    return spec(rw, 50, new int[] {4096}, new int[] {1}, count, 0, 0, GIB, 0, 0, 1);
  }

  @Test
  void countStopsAfterExactlyThatManyRequests() throws IOException {
    assertThat(generate(simple("randread", 1234))).hasSize(1234);
  }

  @Test
  void sizeStopsOnceThatManyBytesWereGenerated() throws IOException {
    List<Req> l = generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 0, 1 << 20, 0, GIB, 0, 0, 1));
    assertThat(l).hasSize(256);
    assertThat(l.stream().mapToLong(Req::length).sum()).isEqualTo(1 << 20);
  }

  @Test
  void sizeThatIsNotAMultipleOfTheBlockRoundsUpToAWholeRequest() throws IOException {
    List<Req> l = generate(spec("read", 50, new int[] {4096}, new int[] {1}, 0, 10_000, 0, GIB, 0, 0, 1));
    assertThat(l).hasSize(3);
  }

  @ParameterizedTest(name = "{0} gives only {1}")
  @CsvSource({"read, R", "randread, R", "write, W", "randwrite, W"})
  void pureModesGiveOneOp(String rw, String letter) throws IOException {
    assertThat(generate(simple(rw, 2000))).extracting(r -> IoOp.letter(r.op())).containsOnly(letter);
  }

  @ParameterizedTest(name = "{0} at rwmixread {1}")
  @CsvSource({"randrw, 70", "randrw, 50", "rw, 30", "randrw, 0", "randrw, 100"})
  void mixedModesReadTheirRwmixreadShare(String rw, int mix) throws IOException {
    int n = 100_000;
    List<Req> l = generate(spec(rw, mix, new int[] {4096}, new int[] {1}, n, 0, 0, GIB, 0, 0, 42));
    long reads = l.stream().filter(r -> r.op() == IoOp.READ).count();
    long writes = l.stream().filter(r -> r.op() == IoOp.WRITE).count();
    assertThat(reads + writes).isEqualTo(n);
    // binomial: sd = sqrt(n p (1-p)) ≤ 158 requests; ±1000 is more than 6 sd
    assertThat(reads).isBetween(n * mix / 100L - 1000, n * mix / 100L + 1000);
  }

  @Test
  void weightedBlockSizesFollowTheirWeights() throws IOException {
    int n = 100_000;
    List<Req> l = generate(spec("randread", 50, new int[] {4096, 65536}, new int[] {70, 30}, n, 0, 0, GIB, 0, 0, 3));
    long small = l.stream().filter(r -> r.length() == 4096).count();
    assertThat(l).extracting(Req::length).containsOnly(4096, 65536);
    assertThat(small).isBetween(69_000L, 71_000L);
  }

  @Test
  void randomOffsetsAreAlignedToTheSmallestBlockAndInsideTheRange() throws IOException {
    long start = 1L << 20, end = 9L << 20;
    List<Req> l = generate(spec("randrw", 50, new int[] {4096, 65536, 131072}, new int[] {5, 3, 2}, 50_000, 0, start, end, 0, 0, 9));
    for (Req r : l) {
      assertThat(r.offset() % 4096).as("offset %d aligned", r.offset()).isZero();
      assertThat(r.offset()).isGreaterThanOrEqualTo(start);
      assertThat(r.offset() + r.length()).isLessThanOrEqualTo(end);
    }
    // and they cover the region: both its first and its last 64 KiB are hit
    assertThat(l).anyMatch(r -> r.offset() < start + 65536);
    assertThat(l).anyMatch(r -> r.offset() + r.length() > end - 65536);
  }

  @Test
  void randomOffsetsStayInsideARangeThatDoesNotStartOnABlockBoundary() throws IOException {
    // fio: random offsets are START + a multiple of the block alignment
    long start = 512, end = 512 + (64L << 10);
    List<Req> l = generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 10_000, 0, start, end, 0, 0, 5));
    for (Req r : l) {
      assertThat(r.offset()).as("offset").isGreaterThanOrEqualTo(start);
      assertThat(r.offset() + r.length()).isLessThanOrEqualTo(end);
      assertThat((r.offset() - start) % 4096).isZero();
    }
  }

  @Test
  void zipfOffsetsAlsoStayAlignedAndInside() throws IOException {
    long end = 100L << 20;
    for (Req r : generate(spec("randread", 50, new int[] {4096, 16384}, new int[] {1, 1}, 20_000, 0, 0, end, 1.2, 0, 2))) {
      assertThat(r.offset() % 4096).isZero();
      assertThat(r.offset() + r.length()).isLessThanOrEqualTo(end);
    }
  }

  @Test
  void sequentialOffsetsFollowEachOtherAndWrapAtTheEndOfTheRange() throws IOException {
    long start = 1 << 20;
    long end = start + 4 * 65536;
    List<Req> l = generate(spec("read", 50, new int[] {65536}, new int[] {1}, 10, 0, start, end, 0, 0, 1));
    assertThat(l).extracting(Req::offset).containsExactly(
        start, start + 65536, start + 2 * 65536, start + 3 * 65536,
        start, start + 65536, start + 2 * 65536, start + 3 * 65536,
        start, start + 65536);
  }

  @Test
  void sequentialMixedSizesWrapBeforeCrossingTheEnd() throws IOException {
    long end = 3 * 65536;
    List<Req> l = generate(spec("write", 50, new int[] {4096, 65536}, new int[] {1, 1}, 5000, 0, 0, end, 0, 0, 1));
    long expected = 0;
    for (Req r : l) {
      if (expected + r.length() > end) expected = 0;
      assertThat(r.offset()).isEqualTo(expected);
      expected += r.length();
    }
  }

  @Test
  void zipfConcentratesRequestsOnAFewBlocks() throws IOException {
    long blocks = 10_000;
    double zipfTop = topPercentShare(generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 100_000, 0, 0, blocks * 4096, 1.2, 0, 11)), blocks);
    double uniformTop = topPercentShare(generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 100_000, 0, 0, blocks * 4096, 0, 0, 11)), blocks);
    // zipf:1.2 over 10,000 blocks puts about 3/4 of the requests on the top 1% (sum k^-1.2, k ≤ 100 / k ≤ 10,000)
    assertThat(zipfTop).isGreaterThan(0.5);
    assertThat(uniformTop).isLessThan(0.05);
  }

  /** The share of requests that go to the most requested 1% of the blocks. */
  private static double topPercentShare(List<Req> l, long blocks) {
    Map<Long, Integer> hits = new HashMap<>();
    for (Req r : l) hits.merge(r.offset() / 4096, 1, Integer::sum);
    int[] counts = hits.values().stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(counts);
    long top = 0;
    for (int i = 0; i < blocks / 100 && i < counts.length; i++) top += counts[counts.length - 1 - i];
    return (double) top / l.size();
  }

  @Test
  void closedLoopTimestampsAreZero() throws IOException {
    assertThat(generate(simple("randread", 100))).extracting(Req::tsNs).containsOnly(0L);
  }

  @Test
  void rateGivesEvenlySpacedTimestamps() throws IOException {
    List<Req> l = generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 1000, 0, 0, GIB, 0, 2000, 1));
    for (int i = 0; i < l.size(); i++) assertThat(l.get(i).tsNs()).isEqualTo(i * 500_000L);
  }

  @Test
  void rateThatDoesNotDivideASecondStaysWithinOneNanosecondOfTheIdeal() throws IOException {
    List<Req> l = generate(spec("randread", 50, new int[] {4096}, new int[] {1}, 3000, 0, 0, GIB, 0, 3000, 1));
    for (int i = 1; i < l.size(); i++) {
      assertThat(l.get(i).tsNs() - l.get(i - 1).tsNs()).isBetween(333_333L, 333_334L);
      assertThat((double) l.get(i).tsNs()).isCloseTo(i * 1e9 / 3000, org.assertj.core.data.Offset.offset(1.0));
    }
  }

  @Test
  void sameSeedGivesTheSameStream() throws IOException {
    WorkloadSpec s = spec("randrw", 60, new int[] {4096, 65536}, new int[] {1, 1}, 5000, 0, 0, GIB, 1.1, 1000, 77);
    assertThat(generate(s)).isEqualTo(generate(s));
  }

  @Test
  void differentSeedGivesADifferentStream() throws IOException {
    List<Req> a = generate(spec("randrw", 60, new int[] {4096, 65536}, new int[] {1, 1}, 5000, 0, 0, GIB, 0, 0, 77));
    List<Req> b = generate(spec("randrw", 60, new int[] {4096, 65536}, new int[] {1, 1}, 5000, 0, 0, GIB, 0, 0, 78));
    assertThat(a).isNotEqualTo(b);
    assertThat(a.get(0).offset() == b.get(0).offset() && a.get(1).offset() == b.get(1).offset()).isFalse();
  }

  // ---- jobs (fio's numjobs) -------------------------------------------------------------------

  /** Every request with its CPU. */
  private record Sub(Req req, int cpu) {}

  private static List<Sub> generateWithCpus(WorkloadSpec s) {
    List<Sub> l = new ArrayList<>();
    SyntheticSource src = new SyntheticSource(s);
    IoRequest r = new IoRequest();
    while (src.next(r)) l.add(new Sub(new Req(r.tsNs, r.op, r.offset, r.length), r.cpu));
    return l;
  }

  private static WorkloadSpec jobs(String rw, long count, long size, long end, double rate, long seed, int numjobs) {
    return new WorkloadSpec(rw, 50, new int[] {4096, 65536}, new int[] {3, 1}, 4, count, size, 0, end, 0, rate, seed, numjobs);
  }

  /** SHA-256 over every request's (ts_ns, op, offset, length), and the number of requests. */
  private static String digest(WorkloadSpec s) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    ByteBuffer b = ByteBuffer.allocate(21);
    long n = 0;
    for (Req r : generate(s)) {
      b.clear();
      b.putLong(r.tsNs()).put(r.op()).putLong(r.offset()).putInt(r.length());
      md.update(b.array());
      n++;
    }
    return n + " " + HexFormat.of().formatHex(md.digest());
  }

  @Test
  void oneJobGivesTheStreamItGaveBeforeJobsExisted() throws Exception {
    // digests of the streams of SyntheticSource as of commit 663306f (before --numjobs), by the same code
    assertThat(digest(new WorkloadSpec("randrw", 70, new int[] {4096, 65536}, new int[] {70, 30}, 16, 10000, 0, 0, 10 * GIB, 0, 0, 7)))
        .isEqualTo("10000 efa1db0f309293982aab4537a8ae5fb4ea1eab331f1007dd19bff890f4f5894a");
    assertThat(digest(new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, 10000, 0, 0, 10 * GIB, 1.2, 50000, 3)))
        .isEqualTo("10000 d80a76874bd20e027a9dc0d291eb384337542a34145e93df391a193e719e7f00");
    assertThat(digest(new WorkloadSpec("rw", 30, new int[] {131072, 4096}, new int[] {1, 1}, 4, 0, 64L << 20, 1 << 20, 16L << 20, 0, 0, 11)))
        .isEqualTo("989 6b0773ce412a33c57f23cf39c3a953ab54756fcc2b7727fb2597d015cf1566c0");
  }

  @Test
  void oneJobNamesNoCpu() {
    assertThat(generateWithCpus(jobs("randread", 100, 0, GIB, 0, 1, 1))).extracting(Sub::cpu).containsOnly(-1);
  }

  @Test
  void jobsInterleaveRoundRobinEachOnItsOwnCpu() {
    List<Sub> l = generateWithCpus(jobs("randrw", 250, 0, GIB, 0, 5, 4));
    assertThat(l).hasSize(4 * 250);
    for (int i = 0; i < l.size(); i++) assertThat(l.get(i).cpu()).as("request %d", i).isEqualTo(i % 4);
  }

  @Test
  void eachJobIsTheStreamOfItsOwnSeed() {
    // job k is a one-job workload seeded with jobSeed(seed, k); job 0 with the seed itself
    List<Sub> all = generateWithCpus(jobs("randrw", 300, 0, GIB, 0, 5, 3));
    for (int k = 0; k < 3; k++) {
      int job = k;
      List<Req> alone = generateWithCpus(jobs("randrw", 300, 0, GIB, 0, WorkloadSpec.jobSeed(5, k), 1)).stream().map(Sub::req).toList();
      assertThat(all.stream().filter(x -> x.cpu() == job).map(Sub::req).toList()).as("job %d", k).isEqualTo(alone);
    }
    assertThat(all.get(0).req()).isNotEqualTo(all.get(1).req());
  }

  @Test
  void eachJobWritesItsOwnSizeAndFinishedJobsLeaveTheRound() {
    // --size 1m per job of 4 KiB and 64 KiB requests: the jobs need different numbers of requests
    List<Sub> l = generateWithCpus(jobs("randwrite", 0, 1 << 20, GIB, 0, 9, 3));
    Map<Integer, Long> bytes = new HashMap<>();
    Map<Integer, Integer> requests = new HashMap<>();
    for (Sub x : l) {
      bytes.merge(x.cpu(), (long) x.req().length(), Long::sum);
      requests.merge(x.cpu(), 1, Integer::sum);
    }
    for (int k = 0; k < 3; k++) assertThat(bytes.get(k)).as("job %d", k).isBetween(1L << 20, (1L << 20) + 65536);
    assertThat(requests.values()).as("different counts, so some job ends first").doesNotHaveDuplicates();
    // round-robin while they run: in every window of the first min(count) rounds each job appears once
    int rounds = requests.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
    for (int i = 0; i < 3 * rounds; i++) assertThat(l.get(i).cpu()).isEqualTo(i % 3);
  }

  @Test
  void sequentialJobsStartAtTheirShareOfTheRegionAndWrapInsideIt() {
    // 3 jobs over 12 blocks of 64 KiB: shares of 4 blocks, each read twice over (count 8)
    long bs = 65536;
    WorkloadSpec s = new WorkloadSpec("read", 50, new int[] {65536}, new int[] {1}, 1, 8, 0, 1 << 20, (1 << 20) + 12 * bs, 0, 0, 1, 3);
    List<Sub> l = generateWithCpus(s);
    for (int k = 0; k < 3; k++) {
      long start = (1 << 20) + k * 4 * bs;
      int job = k;
      assertThat(l.stream().filter(x -> x.cpu() == job).map(x -> x.req().offset()).toList()).as("job %d", k).containsExactly(
          start, start + bs, start + 2 * bs, start + 3 * bs, start, start + bs, start + 2 * bs, start + 3 * bs);
    }
  }

  @Test
  void theRateIsPerJobSoTimestampsNeverGoBackwards() {
    List<Sub> l = generateWithCpus(jobs("randread", 100, 0, GIB, 2000, 1, 4));
    for (int i = 0; i < l.size(); i++) {
      assertThat(l.get(i).req().tsNs()).as("request %d: the %d-th of its job", i, i / 4).isEqualTo(i / 4 * 500_000L);
    }
  }

  @Test
  void jobsAreDeterministic() {
    WorkloadSpec s = jobs("randrw", 2000, 0, GIB, 1000, 77, 8);
    assertThat(generateWithCpus(s)).isEqualTo(generateWithCpus(s));
  }
}
