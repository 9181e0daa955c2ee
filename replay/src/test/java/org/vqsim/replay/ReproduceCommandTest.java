package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.replay.reproduce.Formula;
import org.vqsim.replay.reproduce.Scenario;
import java.util.Map;

class ReproduceCommandTest {
  @TempDir Path dir;

  static Path published() {
    return Cli.samples().getParent().resolve("published");
  }

  private static final String HEAD = """
      title = "t"
      summary = "s"
      [citation]
      authors = "A. Author"
      title = "A title"
      venue = "a venue"
      year = 2020
      url = "https://example.org/x"
      [setup]
      device = "virtio-blk"
      workload = "reads"
      hardware = "a host"
      [mapping]
      profile = "x86-kvm"
      reason = "why"
      requires = ["virtio-blk"]
      [[run]]
      name = "d"
      strategy = "direct"
      generate = "--rw randread --bs 4k --iodepth 4 --count 2000"
      why = "baseline"
      [[run]]
      name = "b"
      strategy = "bounce"
      generate = "--rw randread --bs 4k --iodepth 4 --count 2000"
      why = "bounced"
      """;

  private static String figure(String metric, double published, String judge, double tol) {
    return """
        [[figure]]
        id = "f"
        text = "a figure"
        published = %s
        unit = "x"
        relative_to = "direct"
        kind = "ratio"
        verified = true
        quote = "q"
        maps_to = "m"
        metric = "%s"
        judge = "%s"
        tolerance_pct = %s
        """.formatted(published, metric, judge, tol);
  }

  private Path scenarios(String name, String text) throws IOException {
    Path d = Files.createDirectories(dir.resolve("sc-" + name));
    Files.writeString(d.resolve(name + ".toml"), text);
    return d;
  }

  @Test
  void theShippedSuiteHasARowPerFigureAndExits3ExactlyWhenOneIsOff() throws IOException {
    Path out = dir.resolve("out");
    Cli.Result r = vqsim("reproduce", "--scenarios", published(), "-o", out);
    Cli.Table t = Cli.read(out.resolve("reproduce.arrow"));
    Set<String> scenarios = new HashSet<>(), modelled = new HashSet<>();
    boolean off = false;
    int figures = 0;
    for (Path f : Files.list(published()).filter(p -> p.toString().endsWith(".toml")).toList()) {
      figures += (int) Files.readAllLines(f).stream().filter(l -> l.strip().equals("[[figure]]")).count();
    }
    assertThat(t.rows().size()).as("one row per [[figure]] of the shipped files").isEqualTo(figures);
    for (Map<String, Object> row : t.rows()) {
      scenarios.add((String) row.get("scenario"));
      String status = (String) row.get("status");
      assertThat(status).isIn("reproduced", "off", "not yet reproducible");
      if (status.equals("not yet reproducible")) {
        assertThat(row.get("modelled")).isNull();
        assertThat((String) row.get("reason")).startsWith("needs ");
      } else {
        modelled.add((String) row.get("scenario"));
        assertThat(row.get("modelled")).isNotNull();
      }
      if (status.equals("off")) {
        off = true;
        assertThat((String) row.get("reason")).contains("modelled").contains("published");
      }
      if (status.equals("reproduced")) assertThat((String) row.get("reason")).isEmpty();
    }
    assertThat(scenarios).hasSizeGreaterThanOrEqualTo(8);
    assertThat(modelled).hasSizeGreaterThanOrEqualTo(3);
    assertThat(r.code()).as("%s", r).isEqualTo(off ? ExitCodes.CHECK_FAILED : ExitCodes.OK);
    assertThat(r.out()).contains("not yet reproducible").contains("Wrote the published figures beside the model's to ");
  }

  @Test
  void aReproducedFigureExits0AndAnOffOneExits3WithItsReason() throws IOException {
    Path ok = scenarios("ok", HEAD + figure("b.iops / d.iops", 1.0, "at_most", 5));
    Cli.Result r = vqsim("reproduce", "--scenarios", ok, "-o", dir.resolve("o1"));
    assertThat(r.code()).as("%s", r).isZero();
    Cli.Table t = Cli.read(dir.resolve("o1/reproduce.arrow"));
    assertThat(t.rows().get(0).get("status")).isEqualTo("reproduced");
    double m = (Double) t.rows().get(0).get("modelled");
    assertThat(m).isGreaterThan(0).isLessThanOrEqualTo(1.0);

    Path bad = scenarios("bad", HEAD + figure("b.iops / d.iops", 3.0, "within", 10));
    Cli.Result r2 = vqsim("reproduce", "--scenarios", bad, "-o", dir.resolve("o2"));
    assertThat(r2.code()).as("%s", r2).isEqualTo(ExitCodes.CHECK_FAILED);
    Cli.Table t2 = Cli.read(dir.resolve("o2/reproduce.arrow"));
    assertThat(t2.rows().get(0).get("status")).isEqualTo("off");
    assertThat((String) t2.rows().get(0).get("reason")).contains("below the published 3.00").contains("within ±10");
    assertThat((Double) t2.rows().get(0).get("error_pct")).isCloseTo((m - 3) / 3 * 100, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aScenarioMayNameAProfileFileOfItsOwnNextToIt() throws IOException {
    Path d = scenarios("own", HEAD.replace("profile = \"x86-kvm\"", "profile = \"own.profile\"") + figure("b.iops / d.iops", 1.0, "at_most", 5));
    Cli.Result p = vqsim("profiles", "x86-kvm");
    Files.writeString(d.resolve("own.profile"), p.out().replace("bounce_copy_cycles_per_kib = 307", "bounce_copy_cycles_per_kib = 3070"));
    Path base = scenarios("base", HEAD + figure("b.iops / d.iops", 1.0, "at_most", 5));
    assertThat(vqsim("reproduce", "--scenarios", d, "-o", dir.resolve("own-out")).code()).isZero();
    assertThat(vqsim("reproduce", "--scenarios", base, "-o", dir.resolve("base-out")).code()).isZero();
    double own = (Double) Cli.read(dir.resolve("own-out/reproduce.arrow")).rows().get(0).get("modelled");
    double shipped = (Double) Cli.read(dir.resolve("base-out/reproduce.arrow")).rows().get(0).get("modelled");
    assertThat(own).as("ten times dearer copies slow bounce down").isLessThan(shipped);
    Files.delete(d.resolve("own.profile"));
    Cli.Result missing = vqsim("reproduce", "--scenarios", d, "-o", dir.resolve("none"));
    assertThat(missing.code()).as("%s", missing).isEqualTo(ExitCodes.DATA);
    assertThat(missing.err()).contains("own.toml:14: profile 'own.profile': ").contains("own.profile: profile file not found");
  }

  @Test
  void aFigureNeedingAMissingCapabilityIsListedNotSkipped() throws IOException {
    Path d = scenarios("net", HEAD.replace("requires = [\"virtio-blk\"]", "requires = [\"virtio-net\"]")
        + figure("b.iops / d.iops", 1.0, "within", 10).replace("metric = \"b.iops / d.iops\"\n", ""));
    Cli.Result r = vqsim("reproduce", "--scenarios", d, "-o", dir.resolve("o"));
    assertThat(r.code()).as("%s", r).isZero();
    Cli.Table t = Cli.read(dir.resolve("o/reproduce.arrow"));
    assertThat(t.rows().get(0).get("status")).isEqualTo("not yet reproducible");
    assertThat((String) t.rows().get(0).get("reason")).startsWith("needs virtio-net");
    assertThat(r.out()).contains("(0 replays,");
  }

  @Test
  void badScenarioFilesNameTheFileAndLineAndWriteNothing() throws IOException {
    record Case(String text, String message) {}
    List<Case> cases = List.of(
        new Case(HEAD.replace("venue = \"a venue\"", "venu = \"a venue\"") + figure("b.iops / d.iops", 1, "within", 5), ":6: unknown key 'venu' in [citation] (did you mean 'venue'?)"),
        new Case(HEAD + figure("x.iops / d.iops", 1, "within", 5), "metric reads run 'x', which no [[run]] defines"),
        new Case(HEAD + figure("b.iopz / d.iops", 1, "within", 5), "'iopz', which is not a summary column (did you mean 'iops'?)"),
        new Case(HEAD + figure("b.iops / (d.iops", 1, "within", 5), "missing ')'"),
        new Case(HEAD + figure("b.iops", 1, "roughly", 5), "judge must be within, at_most or at_least, not 'roughly'"),
        new Case(HEAD.replace("[\"virtio-blk\"]", "[\"virtio-blkk\"]") + figure("b.iops", 1, "within", 5), ":16: unknown capability 'virtio-blkk'"),
        new Case(HEAD + figure("b.iops", 1, "within", 5).replace("kind = \"ratio\"", "kind = \"bound\""), "is a bound: state the rule"),
        new Case(HEAD + figure("b.iops", 1, "within", 5).replace("metric = \"b.iops\"\n", ""), "give its metric"),
        new Case(HEAD.replace("year = 2020", "year = \"2020\"") + figure("b.iops", 1, "within", 5), ":7: 'year' must be an integer"),
        new Case(HEAD.replace("title = \"t\"", "title = \"t") + figure("b.iops", 1, "within", 5), ":1: string is not closed"),
        new Case(HEAD.replace("--iodepth 4", "--iodepth four") + figure("b.iops", 1, "within", 5), ": run 'd': --generate"));
    int i = 0;
    for (Case c : cases) {
      Path d = scenarios("case" + i, c.text());
      Path out = dir.resolve("never" + i++);
      Cli.Result r = vqsim("reproduce", "--scenarios", d, "-o", out);
      assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.DATA);
      assertThat(r.err()).as("%s", r).contains(d.resolve(d.getFileName().toString().substring(3) + ".toml").toString()).contains(c.message());
      assertThat(out).doesNotExist();
    }
    assertThat(vqsim("reproduce", "no-such-scenario", "--scenarios", published(), "-o", dir.resolve("x")).code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void theBaselineFailsOnlyWhenAListedFigureStopsBeingReproduced() throws IOException {
    String two = HEAD + figure("b.iops / d.iops", 1.0, "at_most", 5) + figure("b.iops / d.iops", 3.0, "within", 10).replace("id = \"f\"", "id = \"g\"");
    Path d = scenarios("gate", two);
    Path base = dir.resolve("base.txt");
    Files.writeString(base, "# reproduced before\ngate/f\n");
    Cli.Result ok = vqsim("reproduce", "--scenarios", d, "--baseline", base, "-o", dir.resolve("g1"));
    assertThat(ok.code()).as("g is off but not in the baseline: %s", ok).isZero();
    assertThat(ok.out()).contains("Baseline holds: all 1 figures");
    Files.writeString(base, "gate/f\ngate/g\n");
    Cli.Result bad = vqsim("reproduce", "--scenarios", d, "--baseline", base, "-o", dir.resolve("g2"));
    assertThat(bad.code()).as("%s", bad).isEqualTo(ExitCodes.CHECK_FAILED);
    assertThat(bad.out()).contains("REGRESSION: was reproduced, is no longer: gate/g (off: modelled");
    Files.writeString(base, "gate/f\ngate/h\n");
    Cli.Result typo = vqsim("reproduce", "--scenarios", d, "--baseline", base, "-o", dir.resolve("g3"));
    assertThat(typo.code()).isEqualTo(ExitCodes.DATA);
    assertThat(typo.err()).contains("base.txt:2: no figure 'gate/h' among the scenarios run");
    assertThat(dir.resolve("g3")).doesNotExist();
  }

  @Test
  void theShippedBaselineHolds() {
    Path out = dir.resolve("gate");
    Cli.Result r = vqsim("reproduce", "--scenarios", published(), "--baseline", published().resolve("reproduced.baseline"), "-o", out);
    assertThat(r.code()).as("%s", r).isZero();
  }

  @Test
  void verdictsFollowTheirJudge() {
    assertThat(ReproduceCommand.verdict(100, 110, Scenario.Judge.WITHIN, 10).reproduced()).isTrue();
    assertThat(ReproduceCommand.verdict(100, 110.01, Scenario.Judge.WITHIN, 10).reproduced()).isFalse();
    assertThat(ReproduceCommand.verdict(100, 89.99, Scenario.Judge.WITHIN, 10).reproduced()).isFalse();
    assertThat(ReproduceCommand.verdict(80, 10, Scenario.Judge.AT_MOST, 0).reproduced()).isTrue();
    assertThat(ReproduceCommand.verdict(80, 81, Scenario.Judge.AT_MOST, 0).reproduced()).isFalse();
    assertThat(ReproduceCommand.verdict(0.9, 0.95, Scenario.Judge.AT_LEAST, 0).reproduced()).isTrue();
    assertThat(ReproduceCommand.verdict(0.9, 0.85, Scenario.Judge.AT_LEAST, 0).reproduced()).isFalse();
    assertThat(ReproduceCommand.verdict(0.9, 0.85, Scenario.Judge.AT_LEAST, 0).why()).endsWith("(needed: at least the published value)");
    assertThat(ReproduceCommand.verdict(80, 100, Scenario.Judge.AT_MOST, 10).why()).endsWith("(needed: at most 10.0% above)");
    assertThat(ReproduceCommand.verdict(0.9, Double.NaN, Scenario.Judge.AT_LEAST, 50).reproduced()).isFalse();
    assertThat(ReproduceCommand.verdict(50, 40, Scenario.Judge.WITHIN, 25).errorPct()).isEqualTo(-20.0);
  }

  @Test
  void formulasKeepPrecedenceAndReadRunColumns() {
    Formula f = Formula.parse("100 * max(1 - a.iops / b.iops, 2 - 3 * a.iops / b.iops) + -min(1, a.iops)");
    assertThat(f.runs()).containsExactly("a", "b");
    double v = f.eval((run, col) -> run.equals("a") ? 1.0 : 4.0);
    assertThat(v).isEqualTo(100 * Math.max(1 - 0.25, 2 - 0.75) - 1);
  }
}
