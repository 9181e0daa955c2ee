package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep --report, file: URIs, and the spark engine's absence from the main CLI's class path. */
class SweepCommandTest {
  @TempDir Path tmp;

  @Test
  void reportFlagWritesTheSweepReportWithChartsAndCrossovers() throws Exception {
    Path out = tmp.resolve("s");
    Cli.Result r = Cli.vqsim("sweep", "--generate", "--rw randread --count 500", "--strategy", "direct,viommu-strict", "--param", "bs=4k,16k,64k",
        "--ring", "split,packed", "-o", out, "--report");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Wrote the report to");
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("<title>vqsim sweep report</title>").contains("Crossovers").contains("Against bs").contains("One line per strategy");
    assertThat(html).contains("sweep-cycles-per-request-vs-bs");
    // --report again needs --force (or --resume) like every other result
    Cli.Result again = Cli.vqsim("report", out);
    assertThat(again.code()).isEqualTo(ExitCodes.CANT_CREATE);
  }

  @Test
  void aFileUriTraceIsALocalPathAndOtherUrisNeedSpark() throws Exception {
    Path trace = tmp.resolve("t.arrow");
    assertThat(Cli.vqsim("generate", "--rw", "read", "--count", "300", "-o", trace).code()).isZero();
    Cli.Result byPath = Cli.vqsim("sweep", trace, "--strategy", "direct,bounce", "-o", tmp.resolve("p"));
    Cli.Result byUri = Cli.vqsim("sweep", trace.toUri().toString(), "--strategy", "direct,bounce", "-o", tmp.resolve("u"));
    assertThat(byPath.code()).as(byPath.toString()).isZero();
    assertThat(byUri.code()).as(byUri.toString()).isZero();
    assertThat(Cli.read(tmp.resolve("u").resolve("sweep.arrow")).rows()).isEqualTo(Cli.read(tmp.resolve("p").resolve("sweep.arrow")).rows());

    Cli.Result hdfs = Cli.vqsim("sweep", "hdfs://nn:8020/traces/t.arrow", "--strategy", "direct", "-o", tmp.resolve("h"));
    assertThat(hdfs.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(hdfs.err()).contains("needs --engine spark");
  }

  @Test
  void theSparkEngineIsNotOnTheMainClassPath() {
    assertThat(SweepEngine.find("spark")).isNull();
    Cli.Result r = Cli.vqsim("sweep", "--generate", "--rw read --count 100", "--engine", "spark", "-o", tmp.resolve("x"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Spark is not on the class path");
    assertThat(Files.exists(tmp.resolve("x").resolve("sweep.arrow"))).isFalse();
  }
}
