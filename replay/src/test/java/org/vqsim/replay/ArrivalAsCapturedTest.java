package org.vqsim.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A capture replays at its own issue times with its observed concurrency unless told otherwise, and says so. */
class ArrivalAsCapturedTest {
  private static final Path TRACE = Cli.samples().resolve("qemu-lab-timing/randread4k.direct.boot1.guest-ftrace.txt.gz");

  @Test
  void captureReplaysAsCapturedByDefault(@TempDir Path dir) throws Exception {
    Cli.Result r = vqsim("replay", TRACE, "--strategy", "direct", "-o", dir.resolve("a"));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("arrival as captured (the trace's issue times, at most 1 in flight as observed)"), r.out());
    String opts = Cli.meta(dir.resolve("a/summary.arrow"), "vqsim.options");
    assertTrue(opts.contains("--arrival=captured"), opts);
    assertTrue(opts.contains("--iodepth=1"), opts);

    // the same trace in a closed loop: one request right after the other, so it ends far sooner than the capture did
    Cli.Result c = vqsim("replay", TRACE, "--strategy", "direct", "--arrival", "closed", "-o", dir.resolve("c"));
    assertEquals(0, c.code(), c.toString());
    assertTrue(c.out().contains("arrival closed loop"), c.out());
    assertNotEquals(iops(r.out()), iops(c.out()));
    assertTrue(iops(c.out()) > iops(r.out()), r.out() + c.out());
  }

  @Test
  void generatedTraceStaysClosed(@TempDir Path dir) throws Exception {
    Path t = dir.resolve("gen.arrow");
    assertEquals(0, vqsim("generate", "--count", 200, "-o", t).code());
    Cli.Result r = vqsim("replay", t, "--strategy", "direct", "-o", dir.resolve("g"));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("arrival closed loop"), r.out());
    Cli.Result bad = vqsim("replay", t, "--strategy", "direct", "--arrival", "captured", "-o", dir.resolve("b"));
    assertEquals(ExitCodes.USAGE, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--arrival captured needs a captured trace"), bad.err());
  }

  private static double iops(String out) {
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 3 && f[0].equals("direct")) return Double.parseDouble(f[2]);
    }
    throw new AssertionError("no direct row in\n" + out);
  }
}
