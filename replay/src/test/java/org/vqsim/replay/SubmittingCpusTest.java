package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vqsim.capture.synthetic.SyntheticSource;
import org.vqsim.capture.synthetic.WorkloadSpec;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Every request's submitting CPU (issue 14) on the capture side: {@code generate --numjobs} (job k
 * on CPU k), the canonical trace's optional {@code cpu} column and {@code vqsim.cpus}, what
 * {@code import} does with a trace that names CPUs for some requests only, what {@code inspect}
 * prints, and the CPUs going through the broadcast to every strategy's engine.
 */
class SubmittingCpusTest {
  @TempDir Path dir;

  private static List<String> columns(Cli.Table t) {
    return t.schema().getFields().stream().map(Field::getName).toList();
  }

  private static Map<String, String> meta(Cli.Table t) {
    return t.schema().getCustomMetadata();
  }

  // ---- generate --numjobs ---------------------------------------------------------------------

  @Test
  void numjobsInterleavesTheJobsEachOnItsOwnCpu() throws IOException {
    Path out = dir.resolve("jobs.arrow");
    Cli.Result r = vqsim("generate", "--rw", "randread", "--numjobs", 3, "--iodepth", 8, "--count", 4, "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Wrote 12 requests (randread 4k, 3 jobs on CPUs 0-2) to " + out);
    Cli.Table t = Cli.read(out);
    assertThat(columns(t)).containsExactly("ts_ns", "op", "offset", "length", "cpu");
    assertThat(t.column("cpu")).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2);
    assertThat(meta(t)).containsEntry("vqsim.numjobs", "3").containsEntry("vqsim.cpus", "3").containsEntry("vqsim.iodepth", "8")
        .containsEntry("vqsim.generator.numjobs", "3").containsEntry("vqsim.generator.count", "4");
  }

  @Test
  void oneJobWritesTheBytesOfATraceWithoutJobs() throws IOException {
    Path plain = dir.resolve("plain.arrow"), one = dir.resolve("one.arrow");
    assertThat(vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--count", 3000, "--rate", 10000, "-o", plain).code()).isZero();
    Cli.Result r = vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--count", 3000, "--rate", 10000, "--numjobs", 1, "-o", one);
    assertThat(r.out()).contains("Wrote 3000 requests (randrw 4k:70,64k:30) to");
    assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(plain));
    Cli.Table t = Cli.read(one);
    assertThat(columns(t)).as("no cpu column").containsExactly("ts_ns", "op", "offset", "length");
    assertThat(meta(t)).doesNotContainKeys("vqsim.numjobs", "vqsim.cpus", "vqsim.generator.numjobs");
  }

  @ParameterizedTest(name = "--numjobs {0}")
  @ValueSource(ints = {0, 4097})
  void numjobsOutside1To4096IsAUsageError(int n) throws IOException {
    Path out = dir.resolve("x.arrow");
    Cli.Result r = vqsim("generate", "--numjobs", n, "--count", 10, "-o", out);
    assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).startsWith("vqsim: ").contains("--numjobs must be within 1..4096, not " + n);
    assertThat(Cli.list(dir)).isEmpty();
  }

  @Test
  void sequentialJobsNeedARegionWithRoomForEach() {
    Cli.Result r = vqsim("generate", "--rw", "read", "--bs", "1m", "--numjobs", 64, "--offset-range", "32m", "--count", 10, "-o", dir.resolve("x.arrow"));
    assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("too small for 64 sequential jobs");
  }

  @Test
  void aSweepCanVaryTheJobs() {
    SweepPlan plan = new SweepPlan(List.of(), "--rw randread --count 100", List.of("direct"), List.of("split"), "x86-kvm",
        Map.of("numjobs", List.of("1", "4")), "");
    List<Integer> jobs = plan.units().stream().map(u -> SweepExecutor.workload(plan, u).numjobs()).toList();
    assertThat(jobs).containsExactlyInAnyOrder(1, 4);
  }

  // ---- import ---------------------------------------------------------------------------------

  /**
   * Five requests: the first was inserted before tracing began (no block_rq_insert in the trace),
   * the next three by tasks on CPUs 3, 1 and 3, the last issued directly with no event naming its
   * submitter either.
   */
  private static final String PARTLY_KNOWN = """
      # tracer: nop
      #
       kworker/0:1H-37      [000] .....   5.000000: block_rq_issue: 254,0 R 4096 () 8 + 8 [kworker/0:1H]
                fio-201     [003] ...1.   5.000010: block_rq_insert: 254,0 R 4096 () 100 + 8 [fio]
                fio-202     [001] ...1.   5.000011: block_rq_insert: 254,0 R 4096 () 200 + 8 [fio]
                fio-201     [003] ...1.   5.000012: block_rq_insert: 254,0 R 4096 () 300 + 8 [fio]
       kworker/0:1H-37      [000] .....   5.000020: block_rq_issue: 254,0 R 4096 () 100 + 8 [kworker/0:1H]
       kworker/0:1H-37      [000] .....   5.000021: block_rq_issue: 254,0 R 4096 () 200 + 8 [kworker/0:1H]
       kworker/0:1H-37      [000] .....   5.000022: block_rq_issue: 254,0 R 4096 () 300 + 8 [kworker/0:1H]
       kworker/0:1H-37      [000] .....   5.000030: block_rq_issue: 254,0 R 4096 () 400 + 8 [kworker/0:1H]
      """;

  @Test
  void importSpreadsRequestsWithoutACpuRoundRobinOverTheCpusTheTraceNames() throws IOException {
    Path trace = dir.resolve("guest-ftrace.txt");
    Files.writeString(trace, PARTLY_KNOWN);
    Path out = dir.resolve("t.arrow");
    Cli.Result r = vqsim("import", trace, "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Submitting CPUs: 2 (1, 3)", "2 of 5 requests named no CPU: spread round-robin over those CPUs in trace order");
    Cli.Table t = Cli.read(out);
    assertThat(t.column("offset")).containsExactly(8L * 512, 100L * 512, 200L * 512, 300L * 512, 400L * 512);
    assertThat(t.column("cpu")).as("named: 3, 1, 3; the first and last get 1 then 3").containsExactly(1, 3, 1, 3, 3);
    assertThat(meta(t)).containsEntry("vqsim.cpus", "2").containsEntry("vqsim.requests_without_cpu", "2");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"qemu-lab/randread4k.direct.guest-ftrace.txt.gz", "qemu-lab/randread4k.direct.qemu-trace.log.gz",
      "formats/fio-iolog.log", "formats/msr.csv"})
  void importOfATraceThatNamesNoCpuWritesNoCpuColumn(String sample) throws IOException {
    // the lab's guest traces have no insert or bio-queue events; QEMU logs, fio logs and MSR CSV have no CPUs at all
    Path out = dir.resolve("t.arrow");
    Cli.Result r = vqsim("import", Cli.samples().resolve(sample), "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).doesNotContain("CPU");
    Cli.Table t = Cli.read(out);
    assertThat(columns(t)).containsExactly("ts_ns", "op", "offset", "length");
    assertThat(meta(t)).doesNotContainKeys("vqsim.cpus", "vqsim.requests_without_cpu");
  }

  @Test
  void importKeepsTheCpusOfACanonicalTraceAndOfBlkparse() throws IOException {
    Path jobs = dir.resolve("jobs.arrow"), again = dir.resolve("again.arrow"), blk = dir.resolve("blk.arrow");
    assertThat(vqsim("generate", "--numjobs", 5, "--count", 30, "-o", jobs).code()).isZero();
    assertThat(vqsim("import", jobs, "-o", again).code()).isZero();
    assertThat(Cli.read(again).column("cpu")).isEqualTo(Cli.read(jobs).column("cpu"));
    assertThat(meta(Cli.read(again))).containsEntry("vqsim.cpus", "5");
    assertThat(vqsim("import", Cli.samples().resolve("formats/blkparse.txt"), "-o", blk).code()).isZero();
    assertThat(Cli.read(blk).column("cpu")).as("one fio job, every Q on CPU 0").hasSize(185).containsOnly(0);
  }

  // ---- inspect --------------------------------------------------------------------------------

  @Test
  void inspectPrintsHowManyCpusAndTheRequestsOfTheBusiest() throws IOException {
    Path jobs = dir.resolve("jobs.arrow");
    assertThat(vqsim("generate", "--numjobs", 10, "--count", 10, "-o", jobs).code()).isZero();
    Cli.Result r = vqsim("inspect", jobs);
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("submitting CPUs: 10 (0-9), requests per CPU, busiest first:")
        .containsPattern("cpu 0 +10 +10\\.0%").containsPattern("cpu 7 +10 +10\\.0%").doesNotContain("cpu 8 ")
        .containsPattern("others +20 +20\\.0%  \\(2 more CPUs\\)");
    Path trace = dir.resolve("guest-ftrace.txt");
    Files.writeString(trace, PARTLY_KNOWN);
    assertThat(vqsim("inspect", trace).out()).contains("submitting CPUs: 2 (1, 3)").containsPattern("cpu 3 +2 +40\\.0%")
        .containsPattern("no cpu +2 +40\\.0%");
    assertThat(vqsim("inspect", Cli.samples().resolve("formats/msr.csv")).out())
        .contains("submitting CPUs: not in the trace (a replay spreads its requests round-robin over the vCPUs)");
  }

  @Test
  void cpuListsShortenRuns() {
    assertThat(InspectCommand.cpuList(List.of(3, 0, 1, 2, 8, 10, 11))).isEqualTo("0-3, 8, 10-11");
    assertThat(InspectCommand.cpuList(List.of(5))).isEqualTo("5");
  }

  // ---- replay: the broadcast to every strategy -------------------------------------------------

  @Test
  void theBroadcastHandsEveryConsumerEachRequestsCpu() throws Exception {
    WorkloadSpec w = new WorkloadSpec("randread", 50, new int[] {4096}, new int[] {1}, 1, TraceBroadcast.BATCH, 0, 0, 1L << 30, 0, 0, 1, 3);
    List<Integer> expected = new ArrayList<>();
    IoRequest q = new IoRequest();
    SyntheticSource direct = new SyntheticSource(w);
    while (direct.next(q)) expected.add(q.cpu);
    assertThat(expected).hasSize(3 * TraceBroadcast.BATCH);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (TraceBroadcast b = new TraceBroadcast(new SyntheticSource(w), 2)) {
      b.start();
      List<Future<List<Integer>>> seen = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        RequestSource s = b.consumer(i);
        seen.add(pool.submit(() -> {
          List<Integer> cpus = new ArrayList<>();
          IoRequest r = new IoRequest();
          while (s.next(r)) cpus.add(r.cpu);
          return cpus;
        }));
      }
      for (Future<List<Integer>> f : seen) assertThat(f.get()).isEqualTo(expected);
    } finally {
      pool.shutdown();
    }
  }
}
