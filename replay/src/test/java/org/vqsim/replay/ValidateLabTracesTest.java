package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.TraceInspector;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.sim.ReplayConfig;

/**
 * The model against the real runs in samples/: every lab trace replayed under its own mode's
 * strategy (the mode → strategy table of DESIGN.md §6 and the lab READMEs) must reproduce the
 * observed per-request maps, unmaps, bounced buffers and bytes, invalidations, IOTLB misses and
 * hypercalls within 10%.
 */
class ValidateLabTracesTest {

  @ParameterizedTest(name = "{0} under {1}")
  @CsvSource({
      "qemu-lab/randread4k.direct, direct, x86-kvm",
      "qemu-lab/randread4k.bounce, bounce, x86-kvm",
      "qemu-lab/randread4k.viommu-strict, viommu-strict, x86-kvm",
      "qemu-lab/randread4k.viommu-strict-bounce, viommu-strict, x86-kvm",
      "qemu-lab/seqread64k.direct, direct, x86-kvm",
      "qemu-lab/seqread64k.bounce, bounce, x86-kvm",
      "qemu-lab/seqread64k.viommu-strict, viommu-strict, x86-kvm",
      "qemu-lab/seqread64k.viommu-strict-bounce, viommu-strict, x86-kvm",
      "qemu-lab/seqwrite128k.direct, direct, x86-kvm",
      "qemu-lab/seqwrite128k.bounce, bounce, x86-kvm",
      "qemu-lab/seqwrite128k.viommu-strict, viommu-strict, x86-kvm",
      "qemu-lab/seqwrite128k.viommu-strict-bounce, viommu-strict, x86-kvm",
      "qemu-lab-virtio-iommu/randread4k.virtio-iommu-strict, virtio-iommu, x86-kvm",
      "qemu-lab-virtio-iommu/randread4k.virtio-iommu-strict-bounce, virtio-iommu, x86-kvm",
      "qemu-lab-virtio-iommu/randread4k.virtio-iommu-bypass, virtio-iommu-bypass, x86-kvm",
      "qemu-lab-virtio-iommu/seqread64k.virtio-iommu-strict, virtio-iommu, x86-kvm",
      "qemu-lab-virtio-iommu/seqread64k.virtio-iommu-bypass, virtio-iommu-bypass, x86-kvm",
      "qemu-lab-virtio-iommu/seqwrite128k.virtio-iommu-strict, virtio-iommu, x86-kvm",
      "qemu-lab-virtio-iommu/seqwrite128k.virtio-iommu-bypass, virtio-iommu-bypass, x86-kvm",
      "qemu-lab-ppc/randread4k.tce, tce, power9-kvm",
      "qemu-lab-ppc/randread4k.tce-bounce, tce, power9-kvm",
      "qemu-lab-ppc/randread4k.ddw, tce-ddw, power9-kvm",
      "qemu-lab-ppc/randread4k.ddw-bounce, tce-ddw+bounce, power9-kvm",
      "qemu-lab-ppc/seqread64k.tce, tce, power9-kvm",
      "qemu-lab-ppc/seqread64k.ddw-bounce, tce-ddw+bounce, power9-kvm",
      "qemu-lab-ppc/seqwrite128k.tce, tce, power9-kvm",
      "qemu-lab-ppc/seqwrite128k.ddw, tce-ddw, power9-kvm",
      "qemu-lab-ppc/seqwrite128k.ddw-bounce, tce-ddw+bounce, power9-kvm"})
  void labTraceReplayedUnderItsOwnModeMatchesWithinTenPercent(String run, String strategy, String profile, @TempDir Path out) throws Exception {
    Path guest = Cli.samples().resolve(run + ".guest-ftrace.txt.gz");
    Path qemu = Cli.samples().resolve(run + ".qemu-trace.log.gz");
    Cli.Result r = vqsim("validate", guest, qemu, "--strategy", strategy, "--profile", profile, "--tolerance", 10, "-o", out);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).doesNotContain("FAIL");
    assertThat(out.resolve("validation.arrow")).exists();
  }

  @Test
  void aToleranceTheModelMissesExitsWithThree(@TempDir Path out) {
    // the seqread64k viommu-strict run mapped 13 buffers per request; replayed under bounce the model maps none
    Path guest = Cli.samples().resolve("qemu-lab/seqread64k.viommu-strict.guest-ftrace.txt.gz");
    Cli.Result r = vqsim("validate", guest, "--strategy", "bounce", "--tolerance", 10, "-o", out);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out()).contains("FAIL");
  }

  /**
   * A direct trace carries no map events, so replaying it under another mode relies on the
   * page-contiguity model (fitted on qemu-lab only): within 30% of what that mode's run observed.
   */
  @ParameterizedTest(name = "{0}: direct trace predicts {1}")
  @CsvSource({"seqread64k, viommu-strict", "seqwrite128k, viommu-strict", "randread4k, viommu-strict", "randread4k, bounce"})
  void directTracePredictsTheIntelLabWithinThirtyPercent(String workload, String strategy) throws Exception {
    double[] e = prediction("qemu-lab", workload, strategy.equals("bounce") ? "bounce" : "viommu-strict", strategy);
    assertThat(Math.abs(e[1] - e[0]) / e[0]).as("observed %.2f, predicted %.2f mappings per request", e[0], e[1]).isLessThanOrEqualTo(0.30);
  }

  /**
   * The bounce runs of qemu-lab had the least and the most contiguous buffers of the six runs the
   * default was fitted on (p = 0.20 for seqread64k, 0.74 for seqwrite128k): one contiguity cannot
   * predict both within 30%. The test pins the measured errors.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"seqread64k, 0.30, 0.40", "seqwrite128k, 0.55, 0.65"})
  void directTracePredictionOfTheBounceRuns(String workload, double minError, double maxError) throws Exception {
    double[] e = prediction("qemu-lab", workload, "bounce", "bounce");
    double err = Math.abs(e[1] - e[0]) / e[0];
    System.out.printf("qemu-lab bounce %s: observed %.2f bounces/request, predicted %.2f (%.0f%%)%n", workload, e[0], e[1], err * 100);
    assertThat(err).isBetween(minError, maxError);
  }

  /**
   * The virtio-iommu lab was left out of the fit to check it on data it never saw. Its guests' pages
   * were far less contiguous (p ≈ 0.03–0.07 against 0.40–0.65 in qemu-lab: samples/README.md), so
   * the prediction for 4 KiB reads is exact but large requests are under-predicted by about 40%: the
   * test pins that measured error so a change in the model shows up.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"randread4k, 0.0, 0.01", "seqread64k, 0.35, 0.50", "seqwrite128k, 0.35, 0.50"})
  void directTracePredictionOnTheUnseenVirtioIommuLab(String workload, double minError, double maxError) throws Exception {
    double[] e = prediction("qemu-lab-virtio-iommu", workload, "virtio-iommu-strict", "virtio-iommu");
    double err = Math.abs(e[1] - e[0]) / e[0];
    System.out.printf("virtio-iommu lab %s: observed %.2f maps/request, predicted %.2f (%.0f%%)%n", workload, e[0], e[1], err * 100);
    assertThat(err).isBetween(minError, maxError);
  }

  /** {observed maps per request in the mode's run, maps per request predicted from the direct run}. */
  private static double[] prediction(String lab, String workload, String mode, String strategy) throws Exception {
    Path observedRun = Cli.samples().resolve(lab + "/" + workload + "." + mode + ".guest-ftrace.txt.gz");
    Path directRun = Cli.samples().resolve(lab + "/" + workload + ".direct.guest-ftrace.txt.gz");
    TraceInspector seen;
    try (Traces.Opened t = Traces.open(observedRun, ReadOptions.defaults())) {
      seen = new TraceInspector().read(t.source());
    }
    Counter counter = strategy.equals("bounce") ? Counter.BOUNCES : Counter.MAPS;
    CostProfile p = CostProfile.builtIn("x86-kvm");
    SummaryRow m = SweepExecutor.summarize(TraceRef.file(directRun, null, null), StrategyId.of(strategy), p, ReplayConfig.defaults(), DmaOptions.defaults(), "split");
    EventKind kind = strategy.equals("bounce") ? EventKind.BOUNCES : EventKind.MAPS;
    return new double[] {seen.perRequest(counter), m.eventsPerRequest()[kind.ordinal()]};
  }

  @Test
  void everyLabModeHasAStrategy() {
    assertThat(List.of("direct", "bounce", "viommu-strict", "virtio-iommu", "virtio-iommu-bypass", "tce", "tce-ddw", "tce-ddw+bounce"))
        .allSatisfy(id -> assertThat(StrategyId.of(id).id).isEqualTo(id));
  }
}
