package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;

/**
 * Whole-engine invariants under seeded random workloads: every request completes exactly once, no
 * time runs backwards, the ring and the strategy end empty, every cycle charged belongs to exactly
 * one request, and a seed decides the result.
 */
class ReplayEngineInvariantsTest {
  private static final CostProfile X86 = CostProfile.builtIn("x86-kvm");
  private static final int REQUESTS = 400;
  private static final long[] SEEDS = {1, 2, 3, 5, 8, 13, 21, 34, 55, 0x5eedL};

  /** One workload request, as generated. */
  record Req(long tsNs, byte op, long offset, int length) {}

  /** One completion, as the sink saw it. */
  record Done(long request, int op, long offset, int length, long submitNs, long completeNs, long guestCycles, long hostCycles,
      long exits, long interrupts, int cpu, int queue) {}

  /** R/W/F/D mix, lengths 512 B..1 MiB in 512-byte multiples, random offsets; open-loop timestamps increase. */
  static List<Req> workload(long seed, int n) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Req> l = new ArrayList<>(n);
    long ts = 0;
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(100);
      byte op = r < 50 ? IoOp.READ : r < 85 ? IoOp.WRITE : r < 93 ? IoOp.FLUSH : IoOp.DISCARD;
      int sectors = rnd.nextInt(100) < 70 ? 1 + rnd.nextInt(16) : 1 + rnd.nextInt(2048); // mostly small, some up to 1 MiB
      int length = op == IoOp.FLUSH ? 0 : sectors * 512;
      long offset = op == IoOp.FLUSH ? 0 : rnd.nextLong(1L << 27) * 512; // within 64 GiB
      ts += rnd.nextInt(100) < 20 ? 0 : rnd.nextLong(60_000); // bursts and gaps, ns
      l.add(new Req(ts, op, offset, length));
    }
    return l;
  }

  static final class ListSource implements RequestSource {
    private final List<Req> reqs;
    private final int jobs;
    private int i;

    ListSource(List<Req> reqs) {
      this(reqs, 0);
    }

    /** @param jobs requests carry CPU i mod jobs (fio's job k on CPU k); 0: no CPU */
    ListSource(List<Req> reqs, int jobs) {
      this.reqs = reqs;
      this.jobs = jobs;
    }

    @Override
    public boolean next(IoRequest into) {
      if (i == reqs.size()) return false;
      Req r = reqs.get(i);
      into.set(r.tsNs(), r.op(), r.offset(), r.length());
      if (jobs > 0) into.cpu = i % jobs;
      i++;
      return true;
    }
  }

  static final class Collector implements CompletionSink {
    final List<Done> done = new ArrayList<>();

    @Override
    public void completed(long request, int op, long offset, int length, long submitNs, long completeNs, CycleLedger ledger, int slot, int cpu, int queue) {
      done.add(new Done(request, op, offset, length, submitNs, completeNs, ledger.slotGuestCycles(slot), ledger.slotHostCycles(slot),
          ledger.slotEvents(slot, EventKind.EXITS), ledger.slotEvents(slot, EventKind.INTERRUPTS), cpu, queue));
    }
  }

  record Outcome(ReplayEngine engine, RunResult result, List<Done> done) {}

  static Outcome run(ReplayConfig config, List<Req> reqs) throws IOException {
    return run(config, Ring.SPLIT, reqs);
  }

  static Outcome run(ReplayConfig config, Ring ring, List<Req> reqs) throws IOException {
    return run(config, ring, reqs, 0);
  }

  static Outcome run(ReplayConfig config, Ring ring, List<Req> reqs, int jobs) throws IOException {
    ReplayEngine engine = new ReplayEngine(StrategyId.DIRECT, X86, config, DmaOptions.defaults(), ring);
    Collector sink = new Collector();
    RunResult result;
    try (ListSource src = new ListSource(reqs, jobs)) {
      result = engine.run(src, sink);
    }
    return new Outcome(engine, result, sink.done);
  }

  /** The ring a named configuration uses: "packed-…" names run on the packed ring. */
  static Ring ring(String name) {
    return name.startsWith("packed-") ? Ring.PACKED : Ring.SPLIT;
  }

  /** Named configurations; iodepth never exceeds the queue size. */
  static ReplayConfig config(String name, long seed) {
    ReplayConfig d = ReplayConfig.defaults().withSeed(seed);
    return switch (name) {
      case "packed-qd1-evidx-indirect" -> d.withIodepth(1).withFeatures(true, true);
      case "packed-qd4-noevidx-indirect" -> d.withIodepth(4).withFeatures(false, true);
      case "packed-qd32-evidx-direct" -> d.withIodepth(32).withFeatures(true, false);
      case "packed-qd256-evidx-indirect-vhost" -> d.withIodepth(256).withFeatures(true, true).withBackend(Backend.VHOST);
      case "packed-q5-qd5-evidx-direct" -> d.withQueueSize(5).withIodepth(5).withFeatures(true, false);
      case "packed-q100-qd100-noevidx-direct" -> d.withQueueSize(100).withIodepth(100).withFeatures(false, false);
      case "packed-open-q24-qd24-evidx-indirect" -> d.withQueueSize(24).withIodepth(24).withFeatures(true, true).withOpenLoop(true);
      case "qd1-evidx-indirect" -> d.withIodepth(1).withFeatures(true, true);
      case "qd4-noevidx-indirect" -> d.withIodepth(4).withFeatures(false, true);
      case "qd32-evidx-direct" -> d.withIodepth(32).withFeatures(true, false);
      case "qd256-noevidx-direct" -> d.withIodepth(256).withFeatures(false, false);
      case "qd256-evidx-indirect-vhost" -> d.withIodepth(256).withFeatures(true, true).withBackend(Backend.VHOST);
      case "q8-qd8-evidx-direct" -> d.withQueueSize(8).withIodepth(8).withFeatures(true, false);
      case "q8-qd4-noevidx-indirect" -> d.withQueueSize(8).withIodepth(4).withFeatures(false, true);
      case "open-qd32-evidx-indirect" -> d.withIodepth(32).withFeatures(true, true).withOpenLoop(true);
      case "open-q8-qd8-noevidx-direct" -> d.withQueueSize(8).withIodepth(8).withFeatures(false, false).withOpenLoop(true);
      case "open-qd1-evidx-direct" -> d.withIodepth(1).withFeatures(true, false).withOpenLoop(true);
      // many vCPUs: a queue each, fewer queues than vCPUs, iothreads, vhost workers; "jobsN": the trace names N CPUs
      case "cpu4-qd8-jobs4" -> d.withIodepth(8).withTopology(4, 0, 0);
      case "cpu6-q4-qd4-jobs6" -> d.withIodepth(4).withTopology(6, 4, 0);
      case "cpu8-q1-qd16-jobs8" -> d.withIodepth(16).withTopology(8, 1, 0);
      case "cpu4-q2-qd32-iothreads2" -> d.withIodepth(32).withTopology(4, 2, 2);
      case "cpu3-qd4-jobs5-vhost" -> d.withIodepth(4).withBackend(Backend.VHOST).withTopology(3, 0, 0);
      case "open-cpu4-qd8-jobs4" -> d.withIodepth(8).withOpenLoop(true).withTopology(4, 0, 0);
      case "packed-cpu4-q2-qd8-jobs4-direct" -> d.withIodepth(8).withFeatures(true, false).withTopology(4, 2, 1);
      default -> throw new IllegalArgumentException(name);
    };
  }

  static final List<String> CONFIGS = List.of("qd1-evidx-indirect", "qd4-noevidx-indirect", "qd32-evidx-direct", "qd256-noevidx-direct",
      "qd256-evidx-indirect-vhost", "q8-qd8-evidx-direct", "q8-qd4-noevidx-indirect", "open-qd32-evidx-indirect",
      "open-q8-qd8-noevidx-direct", "open-qd1-evidx-direct",
      "packed-qd1-evidx-indirect", "packed-qd4-noevidx-indirect", "packed-qd32-evidx-direct", "packed-qd256-evidx-indirect-vhost",
      "packed-q5-qd5-evidx-direct", "packed-q100-qd100-noevidx-direct", "packed-open-q24-qd24-evidx-indirect",
      "cpu4-qd8-jobs4", "cpu6-q4-qd4-jobs6", "cpu8-q1-qd16-jobs8", "cpu4-q2-qd32-iothreads2", "cpu3-qd4-jobs5-vhost", "open-cpu4-qd8-jobs4",
      "packed-cpu4-q2-qd8-jobs4-direct");

  /** The CPUs a named configuration's trace names ("jobsN"), 0 for none. */
  static int jobs(String name) {
    int i = name.indexOf("jobs");
    if (i < 0) return 0;
    int j = i + 4;
    while (j < name.length() && Character.isDigit(name.charAt(j))) j++;
    return Integer.parseInt(name.substring(i + 4, j));
  }

  static Stream<Arguments> seedsAndConfigs() {
    return LongStream.of(SEEDS).boxed().flatMap(s -> CONFIGS.stream().map(c -> Arguments.of(s, c)));
  }

  @ParameterizedTest(name = "seed {0}, {1}")
  @MethodSource("seedsAndConfigs")
  void everyRequestCompletesOnceAndEveryCycleBelongsToARequest(long seed, String configName) throws IOException {
    ReplayConfig config = config(configName, seed);
    List<Req> reqs = workload(seed, REQUESTS);

    int jobs = jobs(configName);
    Outcome o = run(config, ring(configName), reqs, jobs);
    RunResult r = o.result();

    // every request index completes exactly once, with what was submitted
    assertThat(r.requests()).isEqualTo(REQUESTS);
    assertThat(o.done()).hasSize(REQUESTS);
    boolean[] seen = new boolean[REQUESTS];
    long bytes = 0;
    for (Done d : o.done()) {
      int i = Math.toIntExact(d.request());
      assertThat(seen[i]).as("request %d completed twice", i).isFalse();
      seen[i] = true;
      Req q = reqs.get(i);
      assertThat(d.op()).isEqualTo(q.op());
      assertThat(d.offset()).isEqualTo(q.offset());
      assertThat(d.length()).isEqualTo(q.length());
      assertThat(d.completeNs()).as("request %d", i).isGreaterThanOrEqualTo(d.submitNs());
      if (config.openLoop()) assertThat(d.submitNs()).as("open loop submits at the trace time").isEqualTo(q.tsNs());
      assertThat(d.guestCycles()).isPositive();
      assertThat(d.hostCycles()).isPositive();
      // a request goes to its CPU's queue (CPU i mod jobs, folded onto the vCPUs; round robin without CPUs)
      int cpu = jobs > 0 ? (i % jobs) % config.vcpus() : d.cpu();
      assertThat(d.cpu()).as("request %d's CPU", i).isEqualTo(cpu).isBetween(0, config.vcpus() - 1);
      assertThat(d.queue()).isEqualTo(new org.vqsim.engine.device.blk.QueueMap(config.vcpus(), config.queueCount()).queueOf(cpu));
      if (IoOp.hasData(q.op())) bytes += q.length();
    }
    assertThat(r.bytes()).isEqualTo(bytes);
    // closed loop: iodepth per job (per CPU the trace names, or over the whole trace); open loop: per queue
    int capacity = config.openLoop() ? config.iodepth() * config.queueCount() : config.iodepth() * Math.max(1, jobs);
    assertThat(r.maxInFlight()).isBetween(1, capacity);
    assertThat(r.vcpus()).isEqualTo(config.vcpus());
    assertThat(r.queues()).isEqualTo(config.queueCount());

    // every ring, driver and the strategy end empty
    ReplayEngine e = o.engine();
    for (org.vqsim.engine.device.Virtqueue vq : e.queues()) {
      assertThat(vq.driver.numFree()).isEqualTo(config.queueSize());
      assertThat(vq.driver.inFlight()).isZero();
    }
    assertThat(e.strategy().liveMappings()).isZero();
    // servers are busy at most the whole run
    for (long busy : r.vcpuBusyNs()) assertThat(busy).isBetween(0L, r.simTimeNs() + 1_000_000);

    // ledger: actor x category adds up to the grand total, which the requests account for exactly
    CycleLedger ledger = r.ledger();
    long cells = 0, byActor = 0, byCategory = 0;
    for (Actor a : Actor.values()) {
      byActor += ledger.total(a);
      for (Category c : Category.values()) cells += ledger.total(a, c);
    }
    for (Category c : Category.values()) byCategory += ledger.total(c);
    long perRequest = o.done().stream().mapToLong(d -> d.guestCycles() + d.hostCycles()).sum();
    long perRequestGuest = o.done().stream().mapToLong(Done::guestCycles).sum();
    assertThat(cells).isEqualTo(ledger.grandTotal());
    assertThat(byActor).isEqualTo(ledger.grandTotal());
    assertThat(byCategory).isEqualTo(ledger.grandTotal());
    assertThat(perRequest).as("sum of per-request guest+host cycles").isEqualTo(ledger.grandTotal());
    assertThat(perRequestGuest).isEqualTo(ledger.total(Actor.VCPU));

    // counted events agree with the run's counters
    long exits = o.done().stream().mapToLong(Done::exits).sum();
    assertThat(exits).isEqualTo(ledger.events(EventKind.EXITS)).isEqualTo(r.kicks());
    assertThat(ledger.total(Actor.VCPU, Category.NOTIFY)).isEqualTo(r.kicks() * X86.cycles(CostFigure.KICK_EXIT_CYCLES));
    assertThat(ledger.total(Actor.VMM, Category.INTERRUPT)).isEqualTo(r.interrupts() * X86.cycles(CostFigure.IRQ_INJECT_CYCLES));
    assertThat(o.done().stream().mapToLong(Done::interrupts).sum()).isEqualTo(ledger.events(EventKind.INTERRUPTS)).isLessThanOrEqualTo(r.interrupts());
    assertThat(r.kicks()).isBetween(1L, (long) REQUESTS);
    assertThat(r.kicks() + r.kicksSuppressed()).as("one kick decision per submitting pass").isLessThanOrEqualTo(REQUESTS);
    // every kick is handled by the device: at once, or when it finishes the pass it was busy with. Only
    // kicks landing in the same busy period coalesce (one eventfd wakeup), which notification
    // suppression makes rare; a deferred kick whose handling was dropped would show up here.
    CostFigure handler = config.backend() == Backend.VHOST ? CostFigure.KICK_HANDLER_CYCLES_VHOST : CostFigure.KICK_HANDLER_CYCLES_QEMU;
    long handled = ledger.total(Actor.VMM, Category.NOTIFY) / X86.cycles(handler);
    assertThat(ledger.total(Actor.VMM, Category.NOTIFY) % X86.cycles(handler)).isZero();
    assertThat(handled).as("kick wakeups handled of %d kicks", r.kicks()).isLessThanOrEqualTo(r.kicks()).isGreaterThanOrEqualTo(r.kicks() * 98 / 100);
    // simulated time covers the run
    long first = o.done().stream().mapToLong(Done::submitNs).min().orElseThrow();
    long last = o.done().stream().mapToLong(Done::completeNs).max().orElseThrow();
    assertThat(r.simTimeNs()).isBetween(last - first - 1, last - first);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sameSeedGivesIdenticalPerRequestResults(long seed) throws IOException {
    for (String name : List.of("qd32-evidx-direct", "open-qd32-evidx-indirect", "q8-qd8-evidx-direct", "packed-qd32-evidx-direct", "packed-q5-qd5-evidx-direct")) {
      ReplayConfig config = config(name, seed);
      List<Req> reqs = workload(seed, REQUESTS);

      Outcome a = run(config, ring(name), reqs);
      Outcome b = run(config, ring(name), workload(seed, REQUESTS));

      assertThat(b.done()).as(name).containsExactlyElementsOf(a.done());
      RunResult ra = a.result(), rb = b.result();
      assertThat(List.of(rb.requests(), rb.bytes(), rb.simTimeNs(), rb.kicks(), rb.kicksSuppressed(), rb.interrupts(), rb.ringFullStalls(), (long) rb.maxInFlight()))
          .containsExactly(ra.requests(), ra.bytes(), ra.simTimeNs(), ra.kicks(), ra.kicksSuppressed(), ra.interrupts(), ra.ringFullStalls(), (long) ra.maxInFlight());
      assertThat(rb.ledger().grandTotal()).isEqualTo(ra.ledger().grandTotal());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aDifferentPlacementSeedChangesSegmentationButNotTheRequests(long seed) throws IOException {
    List<Req> reqs = workload(seed, REQUESTS);
    Outcome a = run(config("qd4-noevidx-indirect", seed), reqs);
    Outcome b = run(config("qd4-noevidx-indirect", seed + 1000), reqs);

    assertThat(b.result().requests()).isEqualTo(a.result().requests());
    assertThat(b.result().bytes()).isEqualTo(a.result().bytes());
  }

  static LongStream seeds() {
    return LongStream.of(SEEDS);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void withEventIdxAndDepth32KicksAreFewerThanRequests(long seed) throws IOException {
    for (String name : List.of("qd32-evidx-direct", "packed-qd32-evidx-direct")) {
      RunResult r = run(config(name, seed), ring(name), workload(seed, REQUESTS)).result();

      // one kick covers every chain a vCPU pass published; the device, having caught up, asks for the next
      assertThat(r.kicks()).as(name).isLessThan(REQUESTS);
      assertThat(r.kicks() + r.kicksSuppressed()).as(name).isLessThan(REQUESTS);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void atDepth1EveryRequestKicksAndInterruptsOnEitherRing(long seed) throws IOException {
    for (Ring ring : Ring.values()) {
      for (boolean eventIdx : new boolean[] {true, false}) {
        ReplayConfig c = ReplayConfig.defaults().withSeed(seed).withIodepth(1).withFeatures(eventIdx, true);
        RunResult r = run(c, ring, workload(seed, REQUESTS)).result();

        assertThat(r.kicks()).as("%s eventIdx=%s", ring.id, eventIdx).isEqualTo(REQUESTS);
        assertThat(r.kicksSuppressed()).isZero();
        assertThat(r.interrupts()).as("one interrupt per completion at depth 1").isEqualTo(REQUESTS);
        assertThat(r.maxInFlight()).isEqualTo(1);
      }
    }
  }

  @Test
  void aSmallRingWithoutIndirectStallsOnFullAndStillCompletesEverything() throws IOException {
    // 1 MiB requests need 2 + 6 descriptors of a size-8 ring without indirect: one at a time
    List<Req> big = new ArrayList<>();
    for (int i = 0; i < 50; i++) big.add(new Req(0, IoOp.READ, (long) i << 20, 1 << 20));
    ReplayConfig c = ReplayConfig.defaults().withQueueSize(8).withIodepth(8).withFeatures(true, false);

    Outcome o = run(c, big);

    assertThat(o.result().requests()).isEqualTo(50);
    assertThat(o.result().ringFullStalls()).isPositive();
    assertThat(o.engine().driver().numFree()).isEqualTo(8);
  }

  @Test
  void aSmallPackedRingWithoutIndirectStallsOnFullAndStillCompletesEverything() throws IOException {
    // 1 MiB requests need 2 + 4 descriptors of a size-6 ring without indirect (seg_max 4): one at a time
    List<Req> big = new ArrayList<>();
    for (int i = 0; i < 50; i++) big.add(new Req(0, IoOp.READ, (long) i << 20, 1 << 20));
    ReplayConfig c = ReplayConfig.defaults().withQueueSize(6).withIodepth(6).withFeatures(true, false);

    Outcome o = run(c, Ring.PACKED, big);

    assertThat(o.result().requests()).isEqualTo(50);
    assertThat(o.result().ringFullStalls()).isPositive();
    assertThat(o.engine().driver().numFree()).isEqualTo(6);
  }

  @Test
  void aSplitRingRefusesAQueueSizeThatIsNotAPowerOfTwoButAPackedRingTakesIt() throws IOException {
    ReplayConfig c = ReplayConfig.defaults().withQueueSize(100).withIodepth(4);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ReplayEngine(StrategyId.DIRECT, X86, c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
    assertThat(run(c, Ring.PACKED, workload(1, 50)).result().requests()).isEqualTo(50);
  }

  @Test
  void anEmptySourceCompletesNothing() throws IOException {
    Outcome o = run(ReplayConfig.defaults().withIodepth(4), List.of());

    assertThat(o.result().requests()).isZero();
    assertThat(o.result().ledger().grandTotal()).isZero();
    assertThat(o.done()).isEmpty();
  }
}
