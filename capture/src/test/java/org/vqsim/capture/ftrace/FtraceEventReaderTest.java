package org.vqsim.capture.ftrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.observed.Drain;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.engine.sim.IoRequest;

class FtraceEventReaderTest {
  private static FtraceEventReader reader(String text, String device, boolean skip) {
    return new FtraceEventReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.txt", device, skip);
  }

  private static final String VIOMMU = """
      # tracer: nop
      #
          kworker/0:1H-37      [000] .....     3.498633: block_rq_issue: 254,0 RS 4096 () 0 + 8 [kworker/0:1H]
          kworker/0:1H-37      [000] d..1.     3.499245: map: IOMMU: iova=0x00000000ffffb000 - 0x00000000ffffc000 paddr=0x0000000002aa6000 size=4096
          kworker/0:1H-37      [000] d..1.     3.499390: map: IOMMU: iova=0x00000000ffffc000 - 0x00000000ffffd000 paddr=0x00000000091ea000 size=8192
                <idle>-0       [000] d.h2.     3.501117: unmap: IOMMU: iova=0x00000000ffffa000 - 0x00000000ffffb000 size=4096 unmapped_size=4096
                <idle>-0       [000] d.h2.     3.501233: unmap: IOMMU: iova=0x00000000ffffb000 - 0x00000000ffffc000 size=8192 unmapped_size=8192
                <idle>-0       [000] d.h2.     3.501364: block_rq_complete: 254,0 RS () 0 + 8 [0]
          kworker/0:1H-37      [000] .....     3.507966: block_rq_issue: 254,0 WS 8192 () 63352 + 16 be,0,6 [kworker/0:1H]
          kworker/0:1H-37      [000] d..1.     3.508026: swiotlb_bounced: dev_name: 0000:00:03.0 dma_mask=ffffffffffffffff dev_addr=1fef2690 size=16 FORCE
          kworker/0:1H-37      [000] d..1.     3.508030: swiotlb_bounced: dev_name: 0000:00:03.0 dma_mask=ffffffffffffffff dev_addr=2837000 size=8192 NORMAL
                <idle>-0       [000] d.h2.     3.509168: block_rq_complete: 254,0 WS () 63352 + 16 be,0,6 [0]
      """;

  @Test
  void pairsIssueWithCompletionAndAttributesMapsAndUnmapsToTheRequest() throws IOException {
    List<Drain.Row> rows = Drain.rows(reader(VIOMMU, null, false));
    assertThat(rows).hasSize(2);
    Drain.Row a = rows.get(0);
    assertThat(a.op()).isEqualTo("R");
    assertThat(a.tsNs()).isZero();
    assertThat(a.completeNs()).isEqualTo(2_731_000);
    assertThat(a.observed()).contains("maps=2", "unmaps=2");
    assertThat(a.segments()).containsExactly(4096, 8192);
    Drain.Row b = rows.get(1);
    assertThat(b.op()).isEqualTo("W");
    assertThat(b.offset()).isEqualTo(63352L * 512);
    assertThat(b.length()).isEqualTo(8192);
    assertThat(b.observed()).contains("bounces=2", "bounce_bytes=8208").doesNotContain("maps=");
    assertThat(b.segments()).containsExactly(16, 8192);
  }

  @Test
  void emitsInIssueOrderWhenCompletionsComeOutOfOrder() throws IOException {
    String t = """
          a-1 [000] ..... 1.000000: block_rq_issue: 8,0 R 4096 () 100 + 8 [a]
          a-1 [000] ..... 1.000100: block_rq_issue: 8,0 R 4096 () 200 + 8 [a]
          a-1 [000] ..... 1.000500: block_rq_complete: 8,0 R () 200 + 8 [0]
          a-1 [000] ..... 1.000900: block_rq_complete: 8,0 R () 100 + 8 [0]
        """;
    List<Drain.Row> rows = Drain.rows(reader(t, null, false));
    assertThat(rows).extracting(Drain.Row::offset).containsExactly(100L * 512, 200L * 512);
    assertThat(rows).extracting(Drain.Row::completeNs).containsExactly(900_000L, 500_000L);
  }

  @Test
  void toleratesIssuesWithoutCompletionAndCompletionsWithoutIssue() throws IOException {
    String t = """
          a-1 [000] ..... 1.000000: block_rq_complete: 8,0 R () 7 + 8 [0]
          a-1 [000] ..... 1.000100: block_rq_issue: 8,0 R 4096 () 200 + 8 [a]
        """;
    FtraceEventReader r = reader(t, null, false);
    List<Drain.Row> rows = Drain.rows(r);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).completeNs()).isEqualTo(-1);
    assertThat(r.counters().completionsWithoutIssue).isEqualTo(1);
    assertThat(r.counters().issuesWithoutCompletion).isEqualTo(1);
  }

  @Test
  void countsPseriesTceHypercallsFromFunctionTracerLines() throws IOException {
    String t = """
        # tracer: function
          kworker/0:1H-37 [000] ..... 2.989277: block_rq_issue: 254,0 RS 65536 () 0 + 128 [kworker/0:1H]
          kworker/0:1H-37 [000] d.... 2.989896: dma_iommu_map_page <-dma_map_page_attrs
          kworker/0:1H-37 [000] d.... 2.990007: tce_buildmulti_pSeriesLP <-iommu_alloc
          kworker/0:1H-37 [000] d.... 2.990021: tce_build_pSeriesLP.constprop.0 <-iommu_alloc
          kworker/0:1H-37 [000] d.... 2.990069: dma_iommu_map_page <-dma_map_page_attrs
          kworker/0:1H-37 [000] d.... 2.990072: tce_buildmulti_pSeriesLP <-iommu_alloc
                  dd-114  [000] d.h.. 2.990624: dma_iommu_unmap_page <-dma_unmap_page_attrs
                  dd-114  [000] d.h.. 2.990637: tce_freemulti_pSeriesLP <-__iommu_free
                  dd-114  [000] d.h.. 2.990691: dma_iommu_unmap_page <-dma_unmap_page_attrs
                  dd-114  [000] d.h.. 2.990692: tce_freemulti_pSeriesLP <-__iommu_free
                  dd-114  [000] d.h.. 2.990782: block_rq_complete: 254,0 RS () 0 + 128 [0]
        """;
    List<long[]> c = Drain.counts(reader(t, null, false));
    assertThat(c).hasSize(1);
    long[] x = c.get(0);
    assertThat(x[Counter.MAPS.ordinal()]).isEqualTo(2);
    assertThat(x[Counter.UNMAPS.ordinal()]).isEqualTo(2);
    assertThat(x[Counter.PUT_TCE.ordinal()]).as("the single-page fallback").isEqualTo(1);
    assertThat(x[Counter.PUT_TCE_INDIRECT.ordinal()]).isEqualTo(1);
    assertThat(x[Counter.STUFF_TCE.ordinal()]).isEqualTo(2);
    assertThat(x[Counter.HYPERCALLS.ordinal()]).isEqualTo(4);
  }

  @Test
  void keepsOnlyTheFilteredDeviceAndItsDmaEvents() throws IOException {
    String t = """
          a-1 [000] ..... 1.000000: block_rq_issue: 8,0 R 4096 () 100 + 8 [a]
          a-1 [000] ..... 1.000010: map: IOMMU: iova=0x1000 - 0x2000 paddr=0x1000 size=4096
          a-1 [000] ..... 1.000500: block_rq_complete: 8,0 R () 100 + 8 [0]
          a-1 [000] ..... 1.000600: block_rq_issue: 254,0 R 4096 () 100 + 8 [a]
          a-1 [000] ..... 1.000700: block_rq_complete: 254,0 R () 100 + 8 [0]
        """;
    FtraceEventReader r = reader(t, "254,0", false);
    List<Drain.Row> rows = Drain.rows(r);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).observed()).doesNotContain("maps=");
    assertThat(r.counters().filtered).isEqualTo(1);
  }

  @Test
  void reportsABadLineAsFileLineWhat() {
    String t = VIOMMU.replace("() 63352 + 16 be,0,6 [kworker", "() x63352 + 16 be,0,6 [kworker");
    assertThatThrownBy(() -> Drain.rows(reader(t, null, false)))
        .isInstanceOf(TraceException.class).hasMessageStartingWith("t.txt:9: ").hasMessageContaining("sector");
  }

  @Test
  void skipsAndCountsBadLinesWhenAskedTo() throws IOException {
    String t = VIOMMU.replace("size=8192 unmapped", "size=oops unmapped") + "garbage without a timestamp\n";
    FtraceEventReader r = reader(t, null, true);
    assertThat(Drain.rows(r)).hasSize(2);
    assertThat(r.counters().skippedLines).isEqualTo(2);
    assertThat(r.counters().firstSkipped).startsWith("t.txt:7: ");
  }

  @Test
  void readsTraceCmdReportLinesWithSystemPrefixedEvents() throws IOException {
    String t = """
        CPU 0 is empty
                  dd-697   [003]  1040.128311: block:block_rq_issue:  8,0 W 4096 () 2048 + 8 [dd]
              <idle>-0     [003]  1040.128900: block:block_rq_complete: 8,0 W () 2048 + 8 [0]
        """;
    FtraceEventReader r = reader(t, null, false);
    IoRequest q = new IoRequest();
    assertThat(r.next(q)).isTrue();
    assertThat(q.length).isEqualTo(4096);
    assertThat(r.observed().completeNs).isEqualTo(589_000);
  }

  // ---- the submitting CPU -------------------------------------------------------------------

  @TempDir Path dir;

  /** Reads {@code text} as a user's trace file: written to disk, opened through format detection. */
  private List<Drain.Row> readFile(String text, String device) throws IOException {
    Path f = dir.resolve("guest-ftrace.txt");
    Files.writeString(f, text);
    try (Traces.Opened t = Traces.open(f, ReadOptions.defaults().withDevice(device))) {
      assertThat(t.format()).isEqualTo(TraceFormat.FTRACE);
      return Drain.rows(t.source());
    }
  }

  /**
   * Two tasks on CPUs 2 and 3 submit; a kworker on CPU 0 dispatches both (block_rq_issue's CPU is
   * not the submitter's). The layout of Linux 6.1's tracepoints: block_bio_queue is "dev rwbs
   * sector + count [comm]", block_rq_insert has the issue's layout.
   */
  private static final String TWO_SUBMITTERS = """
      # tracer: nop
      #
                fio-201     [002] ...1.   5.000000: block_bio_queue: 254,0 R 4768 + 8 [fio]
                fio-201     [002] ...1.   5.000002: block_rq_insert: 254,0 R 4096 () 4768 + 8 [fio]
                fio-202     [003] ...1.   5.000003: block_bio_queue: 254,0 WS 9000 + 16 [fio]
                fio-202     [003] ...1.   5.000004: block_rq_insert: 254,0 WS 8192 () 9000 + 16 be,0,4 [fio]
       kworker/0:1H-37      [000] .....   5.000010: block_rq_issue: 254,0 R 4096 () 4768 + 8 [kworker/0:1H]
       kworker/0:1H-37      [000] .....   5.000011: block_rq_issue: 254,0 WS 8192 () 9000 + 16 be,0,4 [kworker/0:1H]
       kworker/0:1H-37      [000] .....   5.000012: block_rq_issue: 254,0 R 4096 () 77 + 8 [kworker/0:1H]
             <idle>-0       [001] d.h2.   5.000100: block_rq_complete: 254,0 R () 4768 + 8 [0]
             <idle>-0       [001] d.h2.   5.000200: block_rq_complete: 254,0 WS () 9000 + 16 be,0,4 [0]
             <idle>-0       [001] d.h2.   5.000300: block_rq_complete: 254,0 R () 77 + 8 [0]
      """;

  @Test
  void theSubmittingCpuIsTheCpuOfTheRequestsInsertNotOfItsIssue() throws IOException {
    List<Drain.Row> rows = readFile(TWO_SUBMITTERS, null);
    assertThat(rows).extracting(Drain.Row::cpu).as("fio on CPU 2, fio on CPU 3, a request submitted before tracing began")
        .containsExactly(2, 3, -1);
  }

  @Test
  void blockBioQueueGivesTheCpuWhenTheRequestHasNoInsert() throws IOException {
    // blk-mq issues directly (no scheduler, nothing queued): block_rq_insert does not fire
    String t = """
            dd-301     [005] ...1.   7.000000: block_bio_queue: 8,0 R 2048 + 8 [dd]
            dd-301     [005] ...1.   7.000005: block_rq_issue: 8,0 R 4096 () 2048 + 8 [dd]
        <idle>-0       [005] d.h2.   7.000100: block_rq_complete: 8,0 R () 2048 + 8 [0]
        """;
    assertThat(readFile(t, null)).extracting(Drain.Row::cpu).containsExactly(5);
  }

  @Test
  void theInsertWinsOverTheBioQueueWhateverTheirOrder() throws IOException {
    String t = """
          kworker/6:1-90    [006] ...1.   1.000000: block_rq_insert: 8,0 R 4096 () 64 + 8 [kworker/6:1]
               dd-301     [001] ...1.   1.000001: block_bio_queue: 8,0 R 64 + 8 [dd]
          kworker/6:1-90    [006] .....   1.000002: block_rq_issue: 8,0 R 4096 () 64 + 8 [kworker/6:1]
        """;
    assertThat(readFile(t, null)).extracting(Drain.Row::cpu).containsExactly(6);
  }

  @Test
  void aSubmissionMatchesOnlyAnIssueOfTheSameDeviceSectorAndOp() throws IOException {
    String t = """
            dd-301     [001] ...1.   1.000000: block_rq_insert: 8,16 R 4096 () 64 + 8 [dd]
            dd-301     [002] ...1.   1.000001: block_rq_insert: 8,0 W 4096 () 64 + 8 [dd]
            dd-301     [003] ...1.   1.000002: block_bio_queue: 8,0 R 72 + 8 [dd]
            dd-301     [004] ...1.   1.000003: block_rq_insert: 8,0 R 4096 () 64 + 8 [dd]
            dd-301     [000] .....   1.000004: block_rq_issue: 8,0 R 4096 () 64 + 8 [dd]
            dd-301     [000] .....   1.000005: block_rq_issue: 8,0 R 4096 () 64 + 8 [dd]
        """;
    // the bio at sector 72 was merged into the request at 64; the second issue of 64 has no insert of its own
    assertThat(readFile(t, null)).extracting(Drain.Row::cpu).containsExactly(4, -1);
    assertThat(readFile(t, "8,16")).as("the other device's request: nothing issued").isEmpty();
  }

  @Test
  void theLabTracesNameNoSubmittingCpu() throws IOException {
    // Linux 6.1 guests traced with block_rq_issue and block_rq_complete only (and one vCPU, [000])
    try (Traces.Opened t = Traces.open(TestData.samples().resolve("qemu-lab/randread4k.direct.guest-ftrace.txt.gz"), ReadOptions.defaults())) {
      List<Drain.Row> rows = Drain.rows(t.source());
      assertThat(rows).hasSize(400).extracting(Drain.Row::cpu).containsOnly(-1);
    }
  }

  @Test
  void aCpuFieldBeyondAnyKernelsIsABadLine() {
    String t = TWO_SUBMITTERS.replace("[003] ...1.   5.000004", "[99999] ...1.   5.000004");
    assertThatThrownBy(() -> readFile(t, null))
        .isInstanceOf(TraceException.class).hasMessageEndingWith("guest-ftrace.txt:6: CPU field 99999 is beyond 65535");
  }
}
