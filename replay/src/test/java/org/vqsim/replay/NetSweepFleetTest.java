package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep and fleet do not replay network workloads yet: they say so in one line, before writing anything, rather than replay a block workload instead. */
class NetSweepFleetTest {
  @TempDir Path dir;

  @Test
  void sweepRefusesAGeneratedNetworkWorkload() {
    Path out = dir.resolve("sw");
    Cli.Result r = vqsim("sweep", "--generate", "--net tcp-stream --direction rx --msg-size 64k --count 200", "--strategy", "direct,bounce",
        "--param", "queue-size=256,1024", "-o", out);
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is a network workload").contains("not supported yet for virtio-net").doesNotContain("Exception");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(Files.exists(out.resolve("sweep.arrow"))).isFalse();
  }

  @Test
  void sweepAndFleetRefuseANetworkTrace() {
    Path t = dir.resolve("rr.arrow");
    assertThat(vqsim("generate", "--net", "tcp-rr", "--msg-size", "64", "--count", 100, "-o", t).code()).isZero();
    Cli.Result s = vqsim("sweep", t, "--strategy", "direct", "-o", dir.resolve("sw"));
    assertThat(s.code()).as(s.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(s.err()).contains("rr.arrow is a network trace").contains("not supported yet for virtio-net");
    assertThat(Files.exists(dir.resolve("sw/sweep.arrow"))).isFalse();
    Cli.Result f = vqsim("fleet", t, "-o", dir.resolve("fl"));
    assertThat(f.code()).as(f.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(f.err()).contains("rr.arrow is a network trace").contains("not supported yet for virtio-net");
    assertThat(f.err().strip().lines()).hasSize(1);
    assertThat(Files.exists(dir.resolve("fl/fleet.arrow"))).isFalse();
  }

  @Test
  void fleetRefusesALabNetworkCapture() {
    Path cap = Cli.samples().resolve("qemu-lab-net").resolve("tcp-rr.direct.guest-ftrace.txt.gz");
    assertThat(cap).exists();
    Cli.Result f = vqsim("fleet", cap, "-o", dir.resolve("fl"));
    assertThat(f.code()).as(f.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(f.err()).contains("is a network trace");
  }
}
