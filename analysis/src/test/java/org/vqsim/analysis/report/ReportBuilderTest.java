package org.vqsim.analysis.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.SummaryRow;
import tech.tablesaw.api.Table;

class ReportBuilderTest {
  @TempDir Path tmp;

  static final Instant WHEN = Instant.parse("2026-01-02T03:04:05Z");

  /** No network, no script: what a self-contained page must not contain. */
  static void assertSelfContained(String html) {
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).doesNotContainPattern("(?i)<script");
    assertThat(html).doesNotContainPattern("(?i)\\b(src|href)\\s*=\\s*['\"]?\\s*(https?:)?//");
    assertThat(html).doesNotContainPattern("(?i)<link\\b");
    assertThat(html).doesNotContainPattern("(?i)@import|url\\(\\s*['\"]?https?:");
    assertThat(html).doesNotContainPattern("(?i)<(img|iframe|object|embed)\\b");
  }

  static int countSvgsWithPaths(String html) {
    Matcher m = Pattern.compile("(?s)<svg\\b.*?</svg>").matcher(html);
    int n = 0;
    while (m.find()) if (m.group().matches("(?s).*<path[^>]* d=['\"][^'\"]{10,}.*")) n++;
    return n;
  }

  /** The raw value a headline cell carries for a strategy and column. */
  static double cell(String html, String strategy, String col) {
    Matcher row = Pattern.compile("(?s)<tr data-strategy='" + Pattern.quote(strategy) + "'[^>]*>(.*?)</tr>").matcher(html);
    assertThat(row.find()).as("row of %s", strategy).isTrue();
    Matcher c = Pattern.compile("data-col='" + col + "' data-value='([^']*)'>([^<]*)<").matcher(row.group(1));
    assertThat(c.find()).as("%s of %s", col, strategy).isTrue();
    return c.group(1).isEmpty() ? Double.NaN : Double.parseDouble(c.group(1));
  }

  @Test
  void normalRunReportIsSelfContainedWithChartsAndTheSummaryNumbers() throws Exception {
    List<SummaryRow> rows = ResultFolders.writeRun(tmp, "x86-kvm", ResultFolders.threeStrategies(1));
    ReportBuilder.Rendered r = ReportBuilder.build(ReportInputs.scan(tmp), WHEN);
    String html = r.html();
    assertSelfContained(html);
    assertThat(r.charts()).extracting(c -> c.name()).containsExactly("throughput", "latency-cdf", "cycles-by-category", "cycles-by-actor", "dma-events");
    assertThat(countSvgsWithPaths(html)).isEqualTo(5);
    for (SummaryRow s : rows) {
      assertThat(cell(html, s.strategy(), "iops")).isEqualTo(s.iops());
      assertThat(cell(html, s.strategy(), "lat_p99_ns")).isEqualTo(s.latP99Ns());
      assertThat(cell(html, s.strategy(), "cycles_per_request")).isEqualTo(s.cyclesPerRequest());
      assertThat(cell(html, s.strategy(), "slowdown_vs_direct")).isCloseTo(s.slowdownVsDirect(), within(1e-12));
    }
    assertThat(html).contains(">200,000<").contains(">20,000<").contains(">10.00×<").contains("2026-01-02 03:04 UTC");
  }

  @Test
  void whatWasRunComesFromTheArrowMetadata() throws Exception {
    ResultFolders.writeRun(tmp, "x86-kvm", ResultFolders.threeStrategies(1));
    String html = ReportBuilder.build(ReportInputs.scan(tmp), WHEN).html();
    assertThat(html).contains("t.arrow").contains("x86-kvm").contains("split ring, 256 entries").contains("iodepth 32")
        .contains("0.1.0-test").contains("<dt>Seed</dt><dd>7</dd>")
        .contains("derived: kvm-unit-tests outl_to_kernel").contains("<code>kick_exit_cycles</code>").contains(">2500<");
  }

  @Test
  void readingNamesTheCostliestStrategyAndItsDominantCategory() throws Exception {
    ResultFolders.writeRun(tmp, "x86-kvm", ResultFolders.threeStrategies(1));
    String html = ReportBuilder.build(ReportInputs.scan(tmp), WHEN).html();
    assertThat(html).contains("The costliest strategy is <code>viommu-strict</code>");
    // 150,000 of the 185,000 extra cycles are invalidations
    assertThat(html).contains("Why: of the 185,000 cycles per request it adds over direct, 81% IOTLB invalidations and their waits (invalidate)");
  }

  @Test
  void predictionsAreMarked() throws Exception {
    ResultFolders.writeRun(tmp, "power9-kvm", ResultFolders.threeStrategies(1));
    String html = ReportBuilder.build(ReportInputs.scan(tmp), WHEN).html();
    assertThat(html).contains("<code>tce-bypass †</code>").contains("is a prediction");
    assertThat(html).doesNotContain("direct †").doesNotContain("viommu-strict †");
  }

  @Test
  void latencyCdfComesFromTheBucketsAndIsThinned() throws Exception {
    ResultFolders.writeRun(tmp, "x86-kvm", ResultFolders.threeStrategies(1));
    Table lat = ResultTable.read(tmp.resolve(ResultFiles.LATENCY)).table();
    double[][] cdf = Summaries.cdf(lat, "direct", 50);
    assertThat(cdf[1][0]).isZero();
    assertThat(cdf[1][cdf[1].length - 1]).isEqualTo(1.0);
    assertThat(cdf[0]).isSorted();
    assertThat(cdf[1]).isSorted();
    assertThat(cdf[0].length).isLessThan(400).isGreaterThan(10);
    Table totals = Summaries.latencyTotals(lat);
    assertThat(totals.rowCount()).isEqualTo(3);
    assertThat(totals.numberColumn(1).getDouble(0)).isEqualTo(10_000);
  }

  @Test
  void fleetReportShowsTheMatrixWithFailedAndBrokenMarked() throws Exception {
    ResultFolders.writeFleet(tmp);
    ReportInputs in = ReportInputs.scan(tmp);
    assertThat(in.runs()).extracting(ReportInputs.Run::name).containsExactly("x86-kvm", "power9-kvm");
    ReportBuilder.Rendered r = ReportBuilder.build(in, WHEN);
    String html = r.html();
    assertSelfContained(html);
    assertThat(countSvgsWithPaths(html)).isEqualTo(10);
    assertThat(html).contains("data-platform='x86-intel-iommu' data-ap='true' data-guest='legacy' data-outcome='FAILED'>FAILED<sup>")
        .contains("data-outcome='BROKEN'>BROKEN<sup>")
        .contains("<span class='sd'>10.00×</span><span class='st'>viommu-strict</span><span class='st'>p99 1,000 µs</span>")
        .contains("FEATURES_OK is refused")
        .contains("<th>ACCESS_<wbr>PLATFORM</th>"); // a break opportunity: the long header does not run into the next column
    assertThat(r.charts()).extracting(c -> c.name()).contains("x86-kvm-throughput", "power9-kvm-latency-cdf");
  }

  @Test
  void reportWorksWithoutLatencyOrRequestsFiles() throws Exception {
    ResultFolders.writeRun(tmp, "x86-kvm", ResultFolders.threeStrategies(1));
    Files.delete(tmp.resolve(ResultFiles.LATENCY));
    ReportBuilder.Rendered r = ReportBuilder.build(ReportInputs.scan(tmp), null);
    assertSelfContained(r.html());
    assertThat(r.charts()).extracting(c -> c.name()).doesNotContain("latency-cdf");
  }

  @Test
  void comparisonFlagsWhatGotWorseInTheDirectionThatCounts() throws Exception {
    ResultFolders.writeRun(tmp.resolve("base"), "x86-kvm", ResultFolders.threeStrategies(1));
    ResultFolders.writeRun(tmp.resolve("new"), "x86-kvm", ResultFolders.threeStrategies(0.9));
    Comparison.Result c = Comparison.compare(ReportInputs.scan(tmp.resolve("base")), ReportInputs.scan(tmp.resolve("new")), 5);
    // 10% fewer IOPS and MiB/s is worse; latency and cycles did not change
    assertThat(c.failures()).extracting(l -> l.strategy() + " " + l.metric())
        .containsExactlyInAnyOrder("direct IOPS", "direct MIB_PER_S", "viommu-strict IOPS", "viommu-strict MIB_PER_S", "tce-bypass IOPS", "tce-bypass MIB_PER_S");
    assertThat(c.failures().get(0).changePct()).isCloseTo(-10, within(1e-9));
    Comparison.Result reverse = Comparison.compare(ReportInputs.scan(tmp.resolve("new")), ReportInputs.scan(tmp.resolve("base")), 5);
    assertThat(reverse.failures()).isEmpty();
    String html = Comparison.html(c, WHEN).html();
    assertSelfContained(html);
    // only IOPS and MiB/s changed; the p99 and cycles charts would be empty, so they are left out
    assertThat(countSvgsWithPaths(html)).isEqualTo(1);
    assertThat(html).contains("p99 latency: no strategy changed by 0.05% or more");
    assertThat(html).contains("6 of 21 metrics got worse by more than 5%").contains(String.format(Locale.ROOT, "%s", "−10.0%"));
  }

  @Test
  void optionsAreParsedFromTheMetadata() {
    assertThat(ReportBuilder.options("--trace=a b.arrow --strategy=x,y --cost=kick=1"))
        .containsEntry("trace", "a b.arrow").containsEntry("strategy", "x,y").containsEntry("cost", "kick=1");
  }

  @Test
  void pngsAreWrittenWithTheReport() throws Exception {
    ResultFolders.writeRun(tmp.resolve("run"), "x86-kvm", ResultFolders.threeStrategies(1));
    ReportBuilder.Rendered r = ReportBuilder.build(ReportInputs.scan(tmp.resolve("run")), WHEN);
    List<Path> written = ReportFiles.write(r, tmp.resolve("out/report.html"), tmp.resolve("png"));
    assertThat(written).hasSize(6);
    byte[] png = Files.readAllBytes(tmp.resolve("png/throughput.png"));
    assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    try (var s = Files.list(tmp.resolve("out"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("report.html");
    }
  }

  @Test
  void theFleetMatrixHeaderCanWrapAndTheReadingsTotalIsTheNetDifference() throws Exception {
    java.nio.file.Path run = tmp.resolve("net");
    ResultFolders.writeRun(run, "x86-kvm", ResultFolders.threeStrategies(1));
    String reading = String.join(" ", Reading.run(ReportInputs.scan(run).runs().get(0).summary().table()));
    tech.tablesaw.api.Table s = ReportInputs.scan(run).runs().get(0).summary().table();
    tech.tablesaw.api.Table ranked = Summaries.rankedByCost(s);
    String top = ranked.where(ranked.stringColumn("strategy").isNotEqualTo("direct")).row(0).getString("strategy");
    double net = Summaries.row(s, top).row(0).getDouble("cycles_per_request") - Summaries.row(s, "direct").row(0).getDouble("cycles_per_request");
    assertThat(reading).contains("Why: of the " + Fmt.count(net) + " cycles per request it adds over direct");
  }
}
