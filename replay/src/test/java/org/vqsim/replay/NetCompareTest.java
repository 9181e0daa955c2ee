package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare of network replays, run the way a user runs it: per strategy and per-packet metric, with the same comparability checks as block runs. */
class NetCompareTest {
  @TempDir static Path dir;
  static Path stream, rr, tap, vhost; // tap: QEMU's own backend over a tap device (--backend qemu)

  @BeforeAll
  static void replays() {
    stream = dir.resolve("stream.arrow");
    rr = dir.resolve("rr.arrow");
    tap = dir.resolve("tap");
    vhost = dir.resolve("vhost");
    assertThat(vqsim("generate", "--net", "tcp-stream", "--direction", "rx", "--msg-size", "64k", "--count", 300, "-o", stream).code()).isZero();
    assertThat(vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", 300, "-o", rr).code()).isZero();
    Cli.Result a = vqsim("replay", stream, "--strategy", "direct,bounce", "--backend", "qemu", "-o", tap);
    assertThat(a.code()).as(a.toString()).isZero();
    Cli.Result b = vqsim("replay", stream, "--strategy", "direct,bounce", "--backend", "vhost", "-o", vhost);
    assertThat(b.code()).as(b.toString()).isZero();
  }

  @Test
  void comparesPacketMetricsPerStrategy() {
    Cli.Result r = vqsim("compare", tap, tap, "--fail-above", 0);
    assertThat(r.code()).as(r.toString()).isZero();
    // six per-packet metrics for each of the two strategies, none of the block metrics
    assertThat(r.out()).contains("No metric got worse by more than 0% (12 compared)").contains("packets/s").contains("Gb/s")
        .contains("host cycles per packet").doesNotContain("IOPS").doesNotContain("MiB/s");
  }

  @Test
  void theSlowerBackendFailsTheThresholdOnHostCycles() throws IOException {
    // QEMU's userspace backend (qemu) costs more host cycles per packet than vhost-net (the profile's figures): going from vhost to tap is worse
    Path html = dir.resolve("cmp/net.html");
    Cli.Result r = vqsim("compare", vhost, tap, "--fail-above", 5, "--report", html);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(r.out().lines().filter(l -> l.contains("WORSE"))).isNotEmpty().anyMatch(l -> l.contains("host cycles per packet"))
        .allMatch(l -> l.contains("host cycles per packet") || l.contains("packet latency"));
    String page = Files.readString(html);
    ReportCommandTest.assertSelfContained(page);
    assertThat(page).contains("packets/s").contains("data-metric='cycles_host_per_packet'").doesNotContain("data-metric='iops'");
    assertThat(vqsim("compare", tap, vhost, "--fail-above", 5).code()).isZero();
  }

  @Test
  void refusesRunsOfAnotherTraceOrPlatformOrDevice() {
    Path other = dir.resolve("rr");
    assertThat(vqsim("replay", rr, "--strategy", "direct,bounce", "-o", other).code()).isZero();
    Cli.Result t = vqsim("compare", tap, other);
    assertThat(t.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(t.err()).contains("not comparable (trace: stream.arrow vs rr.arrow)");
    assertThat(vqsim("compare", tap, other, "--force").code()).isZero();

    Path power = dir.resolve("power");
    assertThat(vqsim("replay", stream, "--strategy", "direct,bounce", "--backend", "qemu", "--profile", "power9-kvm", "-o", power).code()).isZero();
    Cli.Result p = vqsim("compare", tap, power);
    assertThat(p.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(p.err()).contains("platform: x86 vs power");

    Path blkTrace = dir.resolve("blk.arrow"), blk = dir.resolve("blk");
    assertThat(vqsim("generate", "--bs", "4k", "--count", 200, "-o", blkTrace).code()).isZero();
    assertThat(vqsim("replay", blkTrace, "--strategy", "direct,bounce", "--summary-only", "-o", blk).code()).isZero();
    Cli.Result d = vqsim("compare", blk, tap);
    assertThat(d.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(d.err()).contains("holds network replays (packets)").contains("block replays (requests)");
  }
}
