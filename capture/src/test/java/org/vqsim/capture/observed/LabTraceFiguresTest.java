package org.vqsim.capture.observed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.ObservedEvents.Counter;

/**
 * The per-request figures the lab READMEs state (samples/qemu-lab*, counted from those files),
 * read back through the format detection and the readers.
 */
class LabTraceFiguresTest {
  private static TraceInspector inspect(String folder, String file) throws IOException {
    Path p = LabTracePaths.lab(folder, file);
    try (Traces.Opened t = Traces.open(p, ReadOptions.defaults())) {
      return new TraceInspector().read(t.source());
    }
  }

  /** qemu-lab/README: "a 4 KiB read under the vIOMMU maps four buffers … unmaps the same four"; qemu-lab-virtio-iommu/README: 4 MAP + 4 UNMAP. */
  @ParameterizedTest
  @CsvSource({"qemu-lab, randread4k.viommu-strict", "qemu-lab, randread4k.viommu-strict-bounce",
      "qemu-lab-virtio-iommu, randread4k.virtio-iommu-strict", "qemu-lab-ppc, randread4k.tce"})
  void guestMapsAndUnmapsFourBuffersPerFourKiBRead(String folder, String run) throws IOException {
    TraceInspector s = inspect(folder, run + ".guest-ftrace.txt.gz");
    assertThat(s.requests).isEqualTo(400);
    assertThat(s.min[Counter.MAPS.ordinal()]).isEqualTo(4);
    assertThat(s.max[Counter.MAPS.ordinal()]).isEqualTo(4);
    assertThat(s.perRequest(Counter.UNMAPS)).isEqualTo(4.0);
    assertThat(s.totalOf(Counter.BOUNCES)).as("swiotlb=force bounces nothing behind an IOMMU").isZero();
    assertThat(s.maxInFlight).isEqualTo(1);
  }

  /** qemu-lab/README: "about 8 IOTLB page invalidations and 4 IOTLB misses in QEMU" per 4 KiB read. */
  @ParameterizedTest
  @CsvSource({"randread4k.viommu-strict", "randread4k.viommu-strict-bounce"})
  void intelViommuCostsEightInvalidationsAndFourIotlbMissesPerRead(String run) throws IOException {
    TraceInspector s = inspect("qemu-lab", run + ".qemu-trace.log.gz");
    assertThat(s.requests).as("the workload after the boot I/O").isEqualTo(400);
    assertThat(s.perRequest(Counter.INVALIDATIONS)).isCloseTo(8.0, within(0.25));
    assertThat(s.perRequest(Counter.IOTLB_MISSES)).isCloseTo(4.0, within(0.25));
    assertThat(s.perRequest(Counter.KICKS)).isEqualTo(1.0);
    assertThat(s.perRequest(Counter.INTERRUPTS)).isEqualTo(1.0);
  }

  /** qemu-lab/README: "under bounce the same buffers are bounced through swiotlb". */
  @ParameterizedTest
  @CsvSource({"qemu-lab, randread4k.bounce, 4", "qemu-lab-ppc, randread4k.ddw-bounce, 4", "qemu-lab-ppc, seqread64k.ddw-bounce, 4",
      "qemu-lab-ppc, seqwrite128k.ddw-bounce, 5"})
  void bounceRunsBounceEveryBuffer(String folder, String run, int perRequest) throws IOException {
    TraceInspector s = inspect(folder, run + ".guest-ftrace.txt.gz");
    assertThat(s.perRequest(Counter.BOUNCES)).isEqualTo(perRequest);
    assertThat(s.perRequest(Counter.BOUNCE_BYTES)).isGreaterThan(0);
    assertThat(s.segmentCounts).containsOnlyKeys(perRequest);
  }

  /** qemu-lab/README: "a 64 KiB read maps about 13 buffers (the data arrives as ~10 segments)", 13 to 17 in different runs. */
  @ParameterizedTest
  @CsvSource({"seqread64k.viommu-strict"})
  void largeReadsShowTheirRealScatterGatherShape(String run) throws IOException {
    TraceInspector s = inspect("qemu-lab", run + ".guest-ftrace.txt.gz");
    assertThat(s.perRequest(Counter.MAPS)).isBetween(12.0, 17.5);
    assertThat(s.segmentCounts.firstKey()).isGreaterThanOrEqualTo(4);
  }

  /** qemu-lab-ppc/README: tce 4 KiB = 4 H_PUT_TCE + 4 H_STUFF_TCE; 64 KiB = 3 + 1 INDIRECT + 4; 128 KiB write = 3 + 2 + 5 — seen from both sides. */
  @ParameterizedTest
  @CsvSource({"randread4k.tce, 4, 0, 4", "seqread64k.tce, 3, 1, 4", "seqwrite128k.tce, 3, 2, 5", "seqread64k.tce-bounce, 3, 1, 4"})
  void pseriesTceHypercallsPerRequestMatchOnGuestAndHost(String run, double put, double indirect, double stuff) throws IOException {
    for (String side : new String[] {".guest-ftrace.txt.gz", ".qemu-trace.log.gz"}) {
      TraceInspector s = inspect("qemu-lab-ppc", run + side);
      assertThat(s.perRequest(Counter.PUT_TCE)).as(side).isCloseTo(put, within(0.05));
      assertThat(s.perRequest(Counter.PUT_TCE_INDIRECT)).as(side).isCloseTo(indirect, within(0.05));
      assertThat(s.perRequest(Counter.STUFF_TCE)).as(side).isCloseTo(stuff, within(0.05));
      assertThat(s.totalOf(Counter.BOUNCES)).as(side).isZero();
    }
  }

  /** qemu-lab-ppc/README: ddw — "no hcalls per I/O at all — only translations". */
  @ParameterizedTest
  @CsvSource({"randread4k.ddw", "seqwrite128k.ddw"})
  void ddwHasNoHypercallsPerRequest(String run) throws IOException {
    TraceInspector s = inspect("qemu-lab-ppc", run + ".qemu-trace.log.gz");
    assertThat(s.totalOf(Counter.HYPERCALLS)).isZero();
    assertThat(s.perRequest(Counter.TRANSLATIONS)).isGreaterThan(0);
  }

  /** qemu-lab-virtio-iommu/README: strict 4 MAP + 4 UNMAP, 8 kicks of the virtio-iommu queue + 1 of the block queue, ~17 translations; bypass none. */
  @ParameterizedTest
  @CsvSource({"randread4k.virtio-iommu-strict, 4, 9, 17", "randread4k.virtio-iommu-bypass, 0, 1, 0"})
  void virtioIommuRequestsPerRead(String run, double maps, double kicks, double translations) throws IOException {
    TraceInspector s = inspect("qemu-lab-virtio-iommu", run + ".qemu-trace.log.gz");
    assertThat(s.requests).isEqualTo(400);
    assertThat(s.perRequest(Counter.MAPS)).isCloseTo(maps, within(0.05));
    assertThat(s.perRequest(Counter.UNMAPS)).isCloseTo(maps, within(0.05));
    assertThat(s.perRequest(Counter.KICKS)).isCloseTo(kicks, within(0.05));
    assertThat(s.perRequest(Counter.TRANSLATIONS)).isCloseTo(translations, within(0.5));
  }

  /** Every QEMU log in the labs: the workload window holds exactly the workload's requests (400, 300 or 150). */
  @ParameterizedTest
  @CsvSource({"qemu-lab, seqread64k.viommu-strict, 300", "qemu-lab, seqwrite128k.bounce, 150", "qemu-lab-ppc, seqread64k.ddw-bounce, 300",
      "qemu-lab-virtio-iommu, seqwrite128k.virtio-iommu-strict, 150", "qemu-lab-ppc, randread4k.direct, 400"})
  void qemuWorkloadWindowSkipsTheBootIo(String folder, String run, long requests) throws IOException {
    Path p = LabTracePaths.lab(folder, run + ".qemu-trace.log.gz");
    assertThat(Traces.detect(p)).isEqualTo(TraceFormat.QEMU);
    assertThat(inspect(folder, run + ".qemu-trace.log.gz").requests).isEqualTo(requests);
  }
}
