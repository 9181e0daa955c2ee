package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interrupted sweep finished with --resume gives the same sweep.arrow, byte for byte, as an uninterrupted one. */
class SweepResumeTest {
  @TempDir Path tmp;

  static final String[] GRID = {"--generate", "--rw randread --count 3000", "--strategy", "direct,bounce,viommu-strict", "--param", "bs=4k,64k",
      "--param", "iodepth=1,16", "--ring", "split,packed"};

  static Object[] sweep(Path out, String... more) {
    List<Object> a = new ArrayList<>(List.of("sweep"));
    a.addAll(List.of(GRID));
    a.addAll(List.of("-o", out, "--jobs", "2"));
    a.addAll(List.of(more));
    return a.toArray();
  }

  static List<String> parts(Path dir) throws Exception {
    Path p = dir.resolve(SweepCommand.PARTS);
    if (!Files.isDirectory(p)) return List.of();
    try (Stream<Path> s = Files.list(p)) {
      return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".ser")).sorted().toList();
    }
  }

  @Test
  void resumeAfterLosingTheResultAndSomePartsGivesTheSameBytes() throws Exception {
    Path whole = tmp.resolve("whole"), broken = tmp.resolve("broken");
    Cli.Result r = Cli.vqsim(sweep(whole));
    assertThat(r.code()).as(r.toString()).isZero();
    byte[] expected = Files.readAllBytes(whole.resolve("sweep.arrow"));
    assertThat(parts(whole)).as("parts are removed once sweep.arrow is written").isEmpty();

    // what an interrupted run leaves: sweep.toml, the parts of the units that finished, a half-written part, no sweep.arrow
    SweepCommand cmd = new SweepCommand();
    new picocli.CommandLine(cmd).parseArgs(java.util.Arrays.stream(sweep(broken)).skip(1).map(String::valueOf).toArray(String[]::new));
    SweepPlan plan = cmd.plan();
    List<SweepPlan.Unit> units = plan.units();
    assertThat(units).hasSize(24);
    Files.createDirectories(broken.resolve(SweepCommand.PARTS));
    Files.writeString(broken.resolve(SweepCommand.TOML), plan.toToml(), StandardCharsets.UTF_8);
    for (SweepPlan.Unit u : units) {
      if (u.index() % 3 == 0 || u.index() == 23) SweepCommand.writePart(broken.resolve(SweepCommand.PARTS), u.index(), SweepExecutor.run(plan, u));
    }
    Files.write(broken.resolve(SweepCommand.PARTS).resolve("unit-000001.ser.tmp"), new byte[] {1, 2, 3});
    Files.write(broken.resolve(SweepCommand.PARTS).resolve("unit-000002.ser"), new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 9, 9}); // damaged
    int kept = parts(broken).size();

    Cli.Result without = Cli.vqsim(sweep(broken));
    assertThat(without.code()).as("an interrupted sweep is not silently overwritten").isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(without.err()).contains("--resume");

    Cli.Result resumed = Cli.vqsim(sweep(broken, "--resume"));
    assertThat(resumed.code()).as(resumed.toString()).isZero();
    assertThat(resumed.err()).contains("Resuming: " + (kept - 1) + " of 24 combinations already done");
    assertThat(Files.readAllBytes(broken.resolve("sweep.arrow"))).isEqualTo(expected);
    assertThat(Files.exists(broken.resolve(SweepCommand.PARTS))).isFalse();
  }

  @Test
  void resumeWithADifferentSweepIsRefused() throws Exception {
    Path out = tmp.resolve("s");
    Files.createDirectories(out.resolve(SweepCommand.PARTS));
    Files.writeString(out.resolve(SweepCommand.TOML), "traces = \ngenerate = --rw read\nstrategy = direct\n", StandardCharsets.UTF_8);
    Cli.Result r = Cli.vqsim(sweep(out, "--resume"));
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("describes a different sweep");
  }

  /** A real interruption: the sweep's JVM is killed (SIGKILL) part-way, then --resume finishes it. */
  @Test
  void killedMidRunThenResumedGivesTheSameBytes() throws Exception {
    Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
    String[] grid = {"sweep", "--generate", "--rw randread --count 15000", "--strategy", "direct,bounce,viommu-strict", "--param", "bs=4k,64k",
        "--param", "iodepth=1,16", "--ring", "split,packed", "--jobs", "2"};
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions", "--sun-misc-unsafe-memory-access=allow",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(grid));
    cmd.addAll(List.of("-o", killed.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (parts(killed).size() < 4 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int done = parts(killed).size();
    assertThat(Files.exists(killed.resolve("sweep.arrow"))).as("killed before the end (child log: %s)", Files.readString(tmp.resolve("child.log"))).isFalse();
    assertThat(done).isBetween(1, 23);

    List<Object> resume = new ArrayList<>(List.of(grid));
    resume.addAll(List.of("-o", killed, "--resume"));
    Cli.Result r = Cli.vqsim(resume.toArray());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).containsPattern("Resuming: \\d+ of 24 combinations already done");

    List<Object> fresh = new ArrayList<>(List.of(grid));
    fresh.addAll(List.of("-o", whole));
    Cli.Result w = Cli.vqsim(fresh.toArray());
    assertThat(w.code()).as(w.toString()).isZero();
    assertThat(Files.readAllBytes(killed.resolve("sweep.arrow"))).isEqualTo(Files.readAllBytes(whole.resolve("sweep.arrow")));
  }
}
