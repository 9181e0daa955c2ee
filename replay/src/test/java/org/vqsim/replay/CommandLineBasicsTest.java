package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineBasicsTest {
  @TempDir Path dir;

  @Test
  void versionPrintsTheVqsimVersion() {
    Cli.Result r = vqsim("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("vqsim 0.1.0");
  }

  @Test
  void noCommandPrintsTheUsage() {
    Cli.Result r = vqsim();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: vqsim").contains("replay").contains("Exit codes");
  }

  @Test
  void topLevelHelpListsTheCommands() {
    Cli.Result r = vqsim("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("demo").contains("generate").contains("replay").contains("show").contains("profiles");
  }

  @ParameterizedTest(name = "vqsim {0} --help")
  @ValueSource(strings = {"demo", "generate", "replay", "show", "profiles", "help"})
  void everyCommandAcceptsHelp(String command) {
    Cli.Result r = vqsim(command, "--help");
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("Usage: vqsim " + command);
    assertThat(r.err()).isEmpty();
  }

  @ParameterizedTest(name = "vqsim {0} --help shows examples")
  @ValueSource(strings = {"demo", "generate", "replay", "show", "profiles"})
  void helpShowsRealExamples(String command) {
    assertThat(vqsim(command, "--help").out()).contains("Examples:").contains("vqsim " + command);
  }

  @Test
  void profilesListsTheBuiltInProfiles() {
    Cli.Result r = vqsim("profiles");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("x86-kvm").contains("power9-kvm").contains("direct");
  }

  @Test
  void profilesPrintsEveryFigureWithItsSource() {
    Cli.Result r = vqsim("profiles", "x86-kvm");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("kick_exit_cycles").contains("cpu_ghz").contains("source");
  }

  @Test
  void demoReplaysTheLabTracesAndAGeneratedWorkload() throws IOException {
    Path out = dir.resolve("demo");
    Cli.Result r = vqsim("demo", "-o", out, "--count", 2000, "--samples", Cli.samples());
    assertThat(r.code()).as("%s", r).isZero();
    List<String> folders = List.of("generated-randread4k-qd32", "lab-x86-randread4k", "lab-x86-seqread64k", "lab-x86-seqwrite128k",
        "lab-ppc-randread4k", "lab-ppc-seqread64k", "lab-ppc-seqwrite128k");
    List<String> net = List.of("net-lab-tcp-rr", "net-generated-tcp-stream-rx");
    assertThat(Cli.list(out)).containsAll(folders).containsAll(net)
        .allMatch(f -> folders.contains(f) || net.contains(f) || f.equals(DemoCommand.MARKER) || f.equals("report.html"));
    for (String f : folders) assertThat(Cli.list(out.resolve(f))).as(f).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    assertThat(Cli.list(out.resolve("net-lab-tcp-rr"))).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow");
    assertThat(Cli.list(out.resolve("net-generated-tcp-stream-rx"))).containsExactly("latency.arrow", "locks.arrow", "requests.arrow", "summary.arrow",
        "tcp-stream-rx.arrow");
    assertThat(Cli.read(out.resolve("net-lab-tcp-rr/summary.arrow")).rows().get(0).get("packets")).isEqualTo(4008L);
    assertThat(Files.readString(out.resolve("report.html"))).contains("Network runs (virtio-net)");
    assertThat(Cli.read(out.resolve("generated-randread4k-qd32/summary.arrow")).rows().get(0).get("requests")).isEqualTo(2000L);
    assertThat(Cli.read(out.resolve("lab-x86-seqread64k/summary.arrow")).rows().get(0).get("requests")).isEqualTo(300L);
    assertThat(Cli.read(out.resolve("lab-x86-seqwrite128k/summary.arrow")).rows().get(0).get("requests")).isEqualTo(150L);
    assertThat(r.out()).contains("Demo results are in");
    assertThat(Cli.read(out.resolve("lab-ppc-seqwrite128k/summary.arrow")).rows()).hasSize(7); // every POWER strategy
    assertThat(r.out()).contains("Wrote the report of all 9 runs to " + out.resolve("report.html"));
    // the closing hint names the launcher as the user runs it (./vqsim from the installation folder, or its path)
    assertThat(r.out().strip()).endsWith(" show " + out.resolve("generated-randread4k-qd32").resolve("summary.arrow"));
    assertThat(r.out().strip().lines().reduce((a, b) -> b).orElse("")).doesNotContain(":  vqsim show").contains("vqsim show");

    // the demo folder is replaced on the next run
    Files.writeString(out.resolve("lab-x86-randread4k/stale.txt"), "old");
    assertThat(vqsim("demo", "-o", out, "--count", 500, "--samples", Cli.samples()).code()).isZero();
    assertThat(Cli.list(out.resolve("lab-x86-randread4k"))).doesNotContain("stale.txt");
    assertThat(Cli.read(out.resolve("generated-randread4k-qd32/summary.arrow")).rows().get(0).get("requests")).isEqualTo(500L);
  }

  @Test
  void demoDoesNotReplaceAFolderItDidNotMake() throws IOException {
    Path out = dir.resolve("mine");
    Files.createDirectories(out);
    Files.writeString(out.resolve("thesis.tex"), "precious");
    Cli.Result r = vqsim("demo", "-o", out, "--count", 100, "--samples", Cli.samples());
    assertThat(r.code()).isEqualTo(73);
    assertThat(Cli.list(out)).containsExactly("thesis.tex");
  }

  @Test
  void demoWithoutSamplesIsNoInput() {
    Cli.Result r = vqsim("demo", "-o", dir.resolve("demo"), "--count", 100, "--samples", dir.resolve("nothing"));
    assertThat(r.code()).isEqualTo(66);
    assertThat(r.err()).contains("--samples");
  }
}
