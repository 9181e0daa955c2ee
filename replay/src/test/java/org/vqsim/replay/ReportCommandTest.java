package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report, compare and --report, run the way a user runs them: small replays in a temporary folder, then the HTML they write. */
class ReportCommandTest {
  @TempDir static Path dir;
  static Path trace, run, power, fleet;

  @BeforeAll
  static void replays() {
    trace = dir.resolve("t.arrow");
    run = dir.resolve("run");
    power = dir.resolve("power");
    fleet = dir.resolve("fleet");
    assertThat(vqsim("generate", "--rw", "randread", "--bs", "4k", "--iodepth", 16, "--count", 3000, "-o", trace).code()).isZero();
    Cli.Result r = vqsim("replay", trace, "--strategy", "direct,bounce,viommu-strict,virtio-iommu-bypass", "--summary-only", "--report", "-o", run);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Wrote the report to " + run.toAbsolutePath().resolve("report.html"));
    Cli.Result p = vqsim("replay", trace, "--strategy", "all", "--profile", "power9-kvm", "--summary-only", "-o", power);
    assertThat(p.code()).as(p.toString()).isZero();
    Cli.Result f = vqsim("fleet", trace, "--platform", "x86-intel-iommu,pseries-tce-bypass", "--report", "-o", fleet);
    assertThat(f.code()).as(f.toString()).isZero();
  }

  static void assertSelfContained(String html) {
    assertThat(html).startsWith("<!DOCTYPE html>");
    assertThat(html).doesNotContainPattern("(?i)<script");
    assertThat(html).doesNotContainPattern("(?i)\\b(src|href)\\s*=\\s*['\"]?\\s*(https?:)?//");
    assertThat(html).doesNotContainPattern("(?i)<link\\b|<img\\b|<iframe\\b");
  }

  static int svgsWithPaths(String html) {
    Matcher m = Pattern.compile("(?s)<svg\\b.*?</svg>").matcher(html);
    int n = 0;
    while (m.find()) if (m.group().matches("(?s).*<path[^>]* d=['\"][^'\"]{10,}.*")) n++;
    return n;
  }

  static String cellText(String html, String strategy, String col) {
    Matcher row = Pattern.compile("(?s)<tr data-strategy='" + Pattern.quote(strategy) + "'[^>]*>(.*?)</tr>").matcher(html);
    assertThat(row.find()).as("row of %s", strategy).isTrue();
    Matcher c = Pattern.compile("data-col='" + col + "' data-value='[^']*'>([^<]*)<").matcher(row.group(1));
    assertThat(c.find()).isTrue();
    return c.group(1);
  }

  @Test
  void replayReportShowsEveryStrategyWithTheNumbersOfSummaryArrow() throws IOException {
    String html = Files.readString(run.resolve("report.html"));
    assertSelfContained(html);
    assertThat(svgsWithPaths(html)).isEqualTo(6);
    Cli.Table s = Cli.read(run.resolve("summary.arrow"));
    assertThat(s.rows()).hasSize(4);
    for (Map<String, Object> r : s.rows()) {
      String id = (String) r.get("strategy");
      assertThat(cellText(html, id, "iops")).isEqualTo(String.format(Locale.ROOT, "%,.0f", (Double) r.get("iops")));
      assertThat(cellText(html, id, "mib_per_s")).isEqualTo(String.format(Locale.ROOT, "%,.1f", (Double) r.get("mib_per_s")));
      assertThat(cellText(html, id, "cycles_per_request")).isEqualTo(String.format(Locale.ROOT, "%,.0f", (Double) r.get("cycles_per_request")));
      double p99us = (Long) r.get("lat_p99_ns") / 1000.0;
      assertThat(cellText(html, id, "lat_p99_ns")).isEqualTo(String.format(Locale.ROOT, p99us >= 1000 ? "%,.0f" : "%,.1f", p99us));
      assertThat(cellText(html, id, "slowdown_vs_direct")).isEqualTo(String.format(Locale.ROOT, "%.2f×", (Double) r.get("slowdown_vs_direct")));
    }
    assertThat(html).contains("The costliest strategy is <code>viommu-strict</code>");
    assertThat(Files.exists(run.resolve("requests.arrow"))).as("made with --summary-only").isFalse();
  }

  @Test
  void fleetReportHasTheMatrixAndAProfileSectionEach() throws IOException {
    String html = Files.readString(fleet.resolve("report.html"));
    assertSelfContained(html);
    assertThat(html).contains("data-platform='x86-intel-iommu' data-ap='true' data-guest='legacy' data-outcome='FAILED'>FAILED")
        .contains("data-outcome='BROKEN'>BROKEN").contains("rr.arrow".equals("x") ? "" : "t.arrow on x86-kvm").contains("t.arrow on power9-kvm")
        .contains("<code>tce-bypass †</code>");
    assertThat(svgsWithPaths(html)).isEqualTo(11);
  }

  @Test
  void reportCommandWritesPngsAndKeepsExistingFilesUnlessForced() throws IOException {
    Path html = dir.resolve("out/power.html"), png = dir.resolve("png");
    Cli.Result r = vqsim("report", power, "-o", html, "--png", png);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Wrote the report").contains("Wrote 5 charts as PNG to " + png);
    try (var l = Files.list(png)) {
      assertThat(l.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("cycles-by-actor.png", "cycles-by-category.png", "dma-events.png", "latency-cdf.png", "throughput.png");
    }
    assertSelfContained(Files.readString(html));
    Cli.Result again = vqsim("report", power, "-o", html);
    assertThat(again.code()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(again.err()).contains("already exists; use --force");
    Cli.Result pngAgain = vqsim("report", power, "-o", dir.resolve("other.html"), "--png", png);
    assertThat(pngAgain.code()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(Files.exists(dir.resolve("other.html"))).isFalse();
    assertThat(vqsim("report", power, "-o", html, "--png", png, "--force").code()).isZero();
  }

  @Test
  void reportNeverOpensRequestsArrow() throws IOException {
    Path copy = dir.resolve("damaged");
    Files.createDirectories(copy);
    for (String f : List.of("summary.arrow", "latency.arrow")) Files.copy(run.resolve(f), copy.resolve(f));
    Files.writeString(copy.resolve("requests.arrow"), "not arrow at all");
    Cli.Result r = vqsim("report", copy);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(copy.resolve("report.html")).exists();
  }

  @Test
  void reportErrorsHaveTheirExitCodes() throws IOException {
    Cli.Result missing = vqsim("report", dir.resolve("nowhere"));
    assertThat(missing.code()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(missing.err()).contains("nowhere: no such folder");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Cli.Result none = vqsim("report", empty);
    assertThat(none.code()).isEqualTo(ExitCodes.NO_INPUT);
    assertThat(none.err()).contains("no summary.arrow, fleet.arrow, sweep.arrow or reproduce.arrow");
    Path bad = Files.createDirectories(dir.resolve("bad"));
    Files.writeString(bad.resolve("summary.arrow"), "garbage");
    assertThat(vqsim("report", bad).code()).isEqualTo(ExitCodes.DATA);
    assertThat(bad.resolve("report.html")).doesNotExist();
  }

  @Test
  void replayWithReportRefusesToOverwriteBeforeItRuns() {
    Cli.Result r = vqsim("replay", trace, "--strategy", "direct", "--summary-only", "--report", "-o", run);
    assertThat(r.code()).isEqualTo(ExitCodes.CANT_CREATE);
  }

  @Test
  void compareOfARunWithItselfPassesAnyThreshold() {
    Cli.Result r = vqsim("compare", run, run, "--fail-above", 0);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("No metric got worse by more than 0% (28 compared)").contains("viommu-strict").contains("+0.0%");
  }

  @Test
  void compareExitsThreeWhenAMetricWorsensBeyondTheThreshold() throws IOException {
    // the same trace with ten times the cost of an invalidation exit: only viommu-strict gets slower
    Path slow = dir.resolve("slow");
    Cli.Result s = vqsim("replay", trace, "--strategy", "direct,bounce,viommu-strict,virtio-iommu-bypass", "--summary-only",
        "--cost", "viommu_inv_exit_cycles=153000", "-o", slow);
    assertThat(s.code()).as(s.toString()).isZero();
    Path html = dir.resolve("cmp/compare.html");
    Cli.Result r = vqsim("compare", run, slow, "--fail-above", 5, "--report", html);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out()).contains("WORSE by more than 5%");
    assertThat(r.out().lines().filter(l -> l.contains("WORSE"))).allMatch(l -> l.startsWith("viommu-strict")).hasSizeGreaterThanOrEqualTo(3);
    assertThat(r.err()).contains("got worse by more than 5%");
    String page = Files.readString(html);
    assertSelfContained(page);
    assertThat(svgsWithPaths(page)).isEqualTo(3);
    assertThat(page).contains("metrics got worse by more than 5%");
    // the other way round everything got better
    assertThat(vqsim("compare", slow, run, "--fail-above", 5).code()).isZero();
    // without a threshold nothing fails
    assertThat(vqsim("compare", run, slow).code()).isZero();
  }

  @Test
  void compareRejectsANegativeThreshold() {
    assertThat(vqsim("compare", run, run, "--fail-above", -1).code()).isEqualTo(ExitCodes.USAGE);
  }
}
