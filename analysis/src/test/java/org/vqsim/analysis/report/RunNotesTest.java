package org.vqsim.analysis.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunNotesTest {
  private static RunNotes.Line line(String s, double iops, double cycles, long p99, long p999, double util, double exits) {
    return new RunNotes.Line(s, iops, cycles, p99, p999, util, exits, exits);
  }

  @Test
  void lazyRowsEqualToStrictSayWhyInTheGuestKernelsTerms() {
    List<RunNotes.Line> rows = List.of(line("direct", 1000, 100, 10, 20, 0.5, 1), line("viommu-strict", 500, 900, 30, 40, 0.5, 9),
        line("viommu-lazy", 500, 900, 30, 40, 0.5, 9), line("virtio-iommu", 600, 800, 30, 40, 0.5, 9), line("virtio-iommu-lazy", 600, 800, 30, 40, 0.5, 9));
    List<String> n = RunNotes.of(rows, Map.of("guest-kernel", "6.1", "viommu-batching", "false"));
    assertThat(n).anySatisfy(s -> assertThat(s).startsWith("viommu-lazy = strict: Linux 6.1 refuses").contains("IOMMU batching disallowed due to virtualization"));
    assertThat(n).anySatisfy(s -> assertThat(s).startsWith("virtio-iommu-lazy = strict").contains("before Linux 6.8 (this run: 6.1)"));
    // with batching allowed a lazy row equal to strict is not explained away
    assertThat(RunNotes.of(rows, Map.of("viommu-batching", "true"))).noneSatisfy(s -> assertThat(s).startsWith("viommu-lazy"));
  }

  @Test
  void aStrategyFasterThanItsBaseIsExplainedWithItsNumbers() {
    List<RunNotes.Line> rows = List.of(line("direct", 206547, 15328, 154_900, 160_000, 0.978, 0.06), line("bounce", 208472, 21064, 190_200, 201_600, 0.998, 0.11),
        line("tce-ddw", 180488, 18133, 197_900, 197_900, 0.999, 0.11), line("tce-ddw+bounce", 181715, 23142, 176_000, 207_000, 0.999, 0.09));
    List<String> n = RunNotes.of(rows, Map.of());
    assertThat(n).anySatisfy(s -> assertThat(s).startsWith("Faster although they spend more cycles: bounce (0.991× of direct; exits 0.06 → 0.11")
        .contains("tce-ddw+bounce (0.993× of tce-ddw").contains("The VMM thread limits throughput here"));
    assertThat(n).anySatisfy(s -> assertThat(s).startsWith("A lower p99 although they spend more cycles: tce-ddw+bounce (176.0 µs against tce-ddw's 197.9 µs)"));
  }

  @Test
  void nothingToExplainGivesNoNotes() {
    List<RunNotes.Line> rows = List.of(line("direct", 1000, 100, 10, 20, 0.5, 1), line("bounce", 900, 200, 12, 25, 0.5, 1));
    assertThat(RunNotes.of(rows, Map.of())).isEmpty();
  }

  @Test
  void aFlatTailIsCalledWhatItIs() {
    List<RunNotes.Line> rows = List.of(line("direct", 1000, 100, 10, 10, 0.5, 1), line("bounce", 900, 200, 12, 12, 0.5, 1));
    assertThat(RunNotes.of(rows, Map.of())).containsExactly("p99 = p99.9 in 2 of 2 rows: every request of a kind costs the same here and the backend's "
        + "latency varies little or not at all (the profile's backend_service_distribution, and its guest_jitter_distribution if it has one), so the tail comes from queueing and batching alone.");
  }
}
