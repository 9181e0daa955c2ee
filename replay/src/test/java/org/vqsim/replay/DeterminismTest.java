package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same inputs, options and seed give byte-identical Arrow files (DESIGN.md §7, issue 8): every
 * command that writes Arrow runs twice into two folders and every file it wrote is compared byte
 * for byte. (JDK 17 against JDK 25 is checked by {@code scripts/check-determinism.sh} in CI, on the
 * shaded jar.)
 */
class DeterminismTest {
  @TempDir Path dir;

  /** Runs {@code args} (with {@code OUT} replaced by the run's folder) in run folders a and b; returns both. */
  private List<Path> twice(Object... args) throws IOException {
    List<Path> outs = new ArrayList<>();
    for (String run : List.of("a", "b")) {
      Path out = dir.resolve(run);
      Files.createDirectories(out);
      Object[] a = new Object[args.length];
      for (int i = 0; i < args.length; i++) a[i] = args[i] instanceof String s && s.startsWith("OUT/") ? out.resolve(s.substring(4)) : args[i];
      Cli.Result r = vqsim(a);
      assertThat(r.code()).as("%s", r).isZero();
      outs.add(out);
    }
    return outs;
  }

  private static void assertSameArrowFiles(Path a, Path b) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(a)) {
      files = s.filter(p -> p.toString().endsWith(".arrow")).sorted().toList();
    }
    assertThat(files).as("Arrow files in %s", a).isNotEmpty();
    for (Path f : files) {
      Path g = b.resolve(a.relativize(f));
      assertThat(g).as("%s in both runs", a.relativize(f)).exists();
      assertThat(Files.readAllBytes(g)).as("%s byte for byte", a.relativize(f)).isEqualTo(Files.readAllBytes(f));
    }
  }

  @Test
  void generateImportReplayFleetAndSweepWriteTheSameBytesTwice() throws IOException {
    Path trace = dir.resolve("t.arrow");
    assertThat(vqsim("generate", "--rw", "randrw", "--bs", "4k:70,64k:20,1m:10", "--iodepth", 16, "--count", 3000, "--seed", 7, "-o", trace).code()).isZero();
    List<Path> gen = twice("generate", "--rw", "randrw", "--bs", "4k:70,64k:20,1m:10", "--iodepth", 16, "--count", 3000, "--seed", 7, "--rate", 50000,
        "-o", "OUT/gen.arrow");
    assertSameArrowFiles(gen.get(0), gen.get(1));
    List<Path> jobs = twice("generate", "--rw", "randrw", "--bs", "4k:70,64k:30", "--numjobs", 4, "--iodepth", 8, "--count", 1000, "--seed", 7,
        "--rate", 50000, "-o", "OUT/jobs.arrow");
    assertSameArrowFiles(jobs.get(0), jobs.get(1));

    Path lab = Cli.samples().resolve("qemu-lab/seqread64k.viommu-strict-bounce.guest-ftrace.txt.gz");
    List<Path> imp = twice("import", lab, "-o", "OUT/imported.arrow");
    assertSameArrowFiles(imp.get(0), imp.get(1));
    List<Path> blk = twice("import", Cli.samples().resolve("formats/blkparse.txt"), "-o", "OUT/blkparse.arrow"); // with its submitting CPUs
    assertSameArrowFiles(blk.get(0), blk.get(1));

    List<Path> rep = twice("replay", trace, "--strategy", "all", "--ring", "packed", "--seed", 3, "-o", "OUT/replay");
    assertSameArrowFiles(rep.get(0), rep.get(1));
    List<Path> ppc = twice("replay", trace, "--strategy", "all", "--profile", "power9-kvm", "--arrival", "open", "-o", "OUT/ppc");
    assertSameArrowFiles(ppc.get(0), ppc.get(1));

    List<Path> fleet = twice("fleet", trace, "-o", "OUT/fleet");
    assertSameArrowFiles(fleet.get(0), fleet.get(1));

    List<Path> sweep = twice("sweep", "--generate", "--rw randread --count 2000", "--strategy", "direct,bounce,viommu-strict", "--param", "bs=4k,64k",
        "--param", "iodepth=1,16", "-o", "OUT/sweep");
    assertSameArrowFiles(sweep.get(0), sweep.get(1));
  }
}
