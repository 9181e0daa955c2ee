package org.vqsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/** calibrate and validate --timing as a user runs them, on the bundled timing lab. */
class TimingCommandsTest {
  private static final Path LAB = Cli.samples().resolve("qemu-lab-timing");

  private static String run(String name) {
    return LAB.resolve(name + ".guest-ftrace.txt.gz") + "," + LAB.resolve(name + ".qemu-trace.log.gz");
  }

  @Test
  void validateTimingWritesTheTimingRowsAndHonoursTheTolerance(@TempDir Path dir) throws Exception {
    Path g = LAB.resolve("seqread64k.direct.boot2.guest-ftrace.txt.gz"), q = LAB.resolve("seqread64k.direct.boot2.qemu-trace.log.gz");
    Cli.Result r = vqsim("validate", g, q, "--strategy", "direct", "--profile", "qemu-tcg-x86", "--timing", "-o", dir.resolve("v"));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Timing: replayed closed loop at depth 1"), r.out());
    Cli.Table t = Cli.read(dir.resolve("v/validation.arrow"));
    List<Object> metrics = t.column("metric");
    for (String m : new String[] {"latency_mean_ns", "latency_p50_ns", "latency_p99_ns", "throughput_per_s"}) assertTrue(metrics.contains(m), metrics.toString());
    Map<String, Object> p50 = t.rows().get(metrics.indexOf("latency_p50_ns"));
    // the lab README's table: seqread64k.direct.boot2 p50 = 513 us
    assertEquals(513_000.0, (Double) p50.get("observed_per_request"), 500.0);
    assertTrue((Double) p50.get("modelled_per_request") > 0);
    assertEquals("guest RS 65536", p50.get("source"));

    // the report of the folder shows the comparison
    Cli.Result rep = vqsim("report", dir.resolve("v"));
    assertEquals(0, rep.code(), rep.toString());
    String html = Files.readString(dir.resolve("v/report.html"));
    assertTrue(html.contains("Observed vs modelled") && html.contains("latency_p50_ns") && html.contains("guest RS 65536"), html);

    Cli.Result strict = vqsim("validate", g, q, "--strategy", "direct", "--profile", "qemu-tcg-x86", "--timing", "--tolerance", "0.01");
    assertEquals(ExitCodes.CHECK_FAILED, strict.code(), strict.toString());
    assertTrue(strict.out().contains("FAIL"), strict.out());
  }

  @Test
  void theShippedProfileSaysWhatItIs() {
    CostProfile p = CostProfile.load("qemu-tcg-x86");
    assertTrue(p.description().contains("TCG") && p.description().contains("NOT a KVM host"), p.description());
    for (CostFigure f : CostFigure.values()) {
      String s = p.source(f);
      boolean net = f == CostFigure.NET_TX_STACK_CYCLES || f == CostFigure.NET_RX_STACK_CYCLES || f == CostFigure.NET_PACKET_CYCLES_QEMU || f == CostFigure.NET_RX_GRO_CYCLES;
      boolean viommu = f == CostFigure.VIRTIO_IOMMU_REQ_CYCLES || f == CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES || f == CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES
          || f == CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES;
      if (net) assertTrue(s.startsWith("calibrated from ") && s.contains("(network figures)") && s.contains("tcp-"), f.key + ": " + s);
      else if (viommu) assertTrue(s.startsWith("measured from 6 virtio-iommu strict runs (randread4k.virtio-iommu-strict,") && s.contains("(virtio-iommu requests)"), f.key + ": " + s);
      else assertTrue(s.startsWith("calibrated from 27 runs (") || s.startsWith("base profile x86-kvm ("), f.key + ": " + s);
    }
    // measured from the net lab's timestamps: the stacks from direct and bypass runs only
    assertTrue(p.source(CostFigure.NET_TX_STACK_CYCLES).startsWith("calibrated from 4 runs (tcp-tx.direct, tcp-tx.virtio-iommu-bypass, tcp-rx.direct, tcp-rx.virtio-iommu-bypass)"),
        p.source(CostFigure.NET_TX_STACK_CYCLES));
    // GRO from the receive run without offloads (the offloaded runs have no merged frames)
    assertTrue(p.source(CostFigure.NET_RX_GRO_CYCLES).startsWith("calibrated from 1 run (tcp-rx.bounce.nooffload)"), p.source(CostFigure.NET_RX_GRO_CYCLES));
    assertTrue(p.source(CostFigure.KICK_EXIT_CYCLES).contains("as the combination"), p.source(CostFigure.KICK_EXIT_CYCLES));
    assertTrue(p.serviceDistribution().spec().startsWith("empirical"));
    assertTrue(p.serviceDistributionSource().startsWith("calibrated from 27 runs"));
    // the guest jitter is given for a reference exposure, the runs' median issue→pop time
    assertTrue(p.guestJitterExposureNs() > 0, p.describe());
    assertTrue(p.guestJitterExposureSource().contains("issue→pop"), p.guestJitterExposureSource());
  }

  @Test
  void calibrateIsDeterministicAndReportsCombinations(@TempDir Path dir) throws Exception {
    Object[] args = {"calibrate", "--run", run("randread4k.direct.boot1"), "--run", run("seqwrite128k.viommu-strict.boot1"), "--run",
        run("seqread64k.bounce.boot1"), "--name", "lab3"};
    Cli.Result a = vqsim(concat(args, "-o", dir.resolve("a.profile")));
    assertEquals(0, a.code(), a.toString());
    assertTrue(a.out().contains("randread4k.direct.boot1: 2000 requests, max 1 in flight, direct (inferred from the events)"), a.out());
    assertTrue(a.out().contains("seqwrite128k.viommu-strict.boot1: 1000 requests, max 1 in flight, viommu-strict (inferred from the events)"), a.out());
    assertTrue(a.out().contains("combination"), a.out());
    assertTrue(a.out().contains("base (not exercised)"), a.out());
    assertTrue(a.out().contains("guest jitter exposure (ns): ") && a.out().contains("log-log slope"), a.out());
    Cli.Result b = vqsim(concat(args, "-o", dir.resolve("b.profile")));
    assertEquals(0, b.code(), b.toString());
    assertEquals(Files.readString(dir.resolve("a.profile")), Files.readString(dir.resolve("b.profile")));
    // it loads back, and a replay with it is deterministic too
    CostProfile p = CostProfile.load(dir.resolve("a.profile").toString());
    assertEquals("lab3", p.name());
  }

  @Test
  void badRunsAreClearErrors(@TempDir Path dir) throws Exception {
    Path g = dir.resolve("noevents.txt");
    Files.writeString(g, "# tracer: nop\n           blkwl-123     [000] .....     5.196030: tracing_mark_write: WL-BEGIN randread4k\n");
    Cli.Result r = vqsim("calibrate", "--run", g, "-o", dir.resolve("x.profile"));
    assertEquals(ExitCodes.DATA, r.code(), r.toString());
    assertTrue(r.err().contains(g.toString()) && r.err().contains("no block requests with timestamps"), r.err());
    assertFalse(Files.exists(dir.resolve("x.profile")));

    Cli.Result other = vqsim("calibrate", "--run", LAB.resolve("randread4k.direct.boot1.guest-ftrace.txt.gz") + "," + LAB.resolve("seqread64k.direct.boot1.qemu-trace.log.gz"),
        "-o", dir.resolve("y.profile"));
    assertEquals(ExitCodes.DATA, other.code(), other.toString());
    assertTrue(other.err().contains("are not the guest's"), other.err());

    Cli.Result syntax = vqsim("calibrate", "--run", "a,b,c", "-o", dir.resolve("z.profile"));
    assertEquals(ExitCodes.USAGE, syntax.code(), syntax.toString());
    assertTrue(syntax.err().contains("GUEST[,QEMU][=STRATEGY]"), syntax.err());

    Cli.Result net = vqsim("calibrate", "--run", run("randread4k.direct.boot1"), "--net-run", "a.txt", "-o", dir.resolve("n.profile"));
    assertEquals(ExitCodes.USAGE, net.code(), net.toString());
    assertTrue(net.err().contains("--net-run must be GUEST,QEMU=STRATEGY"), net.err());
    assertFalse(Files.exists(dir.resolve("n.profile")));

    Cli.Result viommu = vqsim("calibrate", "--run", run("randread4k.direct.boot1"), "--viommu-run", "a.txt=virtio-iommu", "-o", dir.resolve("v.profile"));
    assertEquals(ExitCodes.USAGE, viommu.code(), viommu.toString());
    assertTrue(viommu.err().contains("--viommu-run must be GUEST,QEMU"), viommu.err());
    assertFalse(Files.exists(dir.resolve("v.profile")));
    // a virtio-blk run without virtio-iommu (its QEMU log has no request queue): named, nothing written
    Cli.Result noIommu = vqsim("calibrate", "--run", run("randread4k.direct.boot1"), "--viommu-run",
        LAB.resolve("randread4k.direct.boot1.guest-ftrace.txt.gz") + "," + LAB.resolve("randread4k.direct.boot1.qemu-trace.log.gz"), "-o", dir.resolve("v.profile"));
    assertEquals(ExitCodes.DATA, noIommu.code(), noIommu.toString());
    assertTrue(noIommu.err().contains("no virtqueue_pop followed by virtio_iommu_map or virtio_iommu_unmap"), noIommu.err());
    assertFalse(Files.exists(dir.resolve("v.profile")));

    Cli.Result strategy = vqsim("calibrate", "--run", LAB.resolve("randread4k.viommu-strict.boot1.guest-ftrace.txt.gz"), "-o", dir.resolve("w.profile"));
    assertEquals(ExitCodes.USAGE, strategy.code(), strategy.toString());
    assertTrue(strategy.err().contains("give the strategy as GUEST[,QEMU]=STRATEGY"), strategy.err());
  }

  private static Object[] concat(Object[] a, Object... b) {
    Object[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
