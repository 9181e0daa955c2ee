package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long run is never silent, and its progress knows the total when the trace does. */
class ProgressTest {
  @TempDir Path dir;

  @Test
  void offATerminalALongRunPrintsAProgressLineEveryFewSecondsWithTheKnownTotal() {
    Path t = dir.resolve("t.arrow");
    assertThat(vqsim("generate", "--count", 300_000, "--iodepth", 32, "-o", t).code()).isZero();
    String old = System.getProperty("vqsim.progress.seconds");
    System.setProperty("vqsim.progress.seconds", "0.1");
    try {
      Cli.Result r = vqsim("replay", t, "--strategy", "direct,bounce", "--summary-only", "-o", dir.resolve("out"));
      assertThat(r.code()).isZero();
      assertThat(r.err()).containsPattern("vqsim: t\\.arrow under 2 strategies: [0-9,]+ of 300,000 requests \\([0-9]+%\\), [0-9,]+ requests/s, about [0-9:]+ left");
      assertThat(r.err()).doesNotContain("?").doesNotContain("\r");
    } finally {
      if (old == null) System.clearProperty("vqsim.progress.seconds");
      else System.setProperty("vqsim.progress.seconds", old);
    }
  }

  @Test
  void theLineSaysDoneOfTotalPercentRateAndTimeLeft() {
    StringWriter sw = new StringWriter();
    Progress p = Progress.start(new PrintWriter(sw), "trace.arrow under 12 strategies", "requests", 3_000_000);
    p.add(1_234_567);
    assertThat(p.line()).startsWith("trace.arrow under 12 strategies: 1,234,567 of 3,000,000 requests (41%), ").contains("requests/s, about ").endsWith(" left");
    p.close();
    Progress unknown = Progress.start(new PrintWriter(sw), "lab.txt under direct", "requests", -1);
    unknown.add(400);
    assertThat(unknown.line()).startsWith("lab.txt under direct: 400 requests, ").endsWith(" so far").doesNotContain("?");
    unknown.close();
  }
}
