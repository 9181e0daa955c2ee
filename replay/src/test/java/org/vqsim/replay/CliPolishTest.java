package org.vqsim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vqsim.replay.Cli.vqsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a newcomer reads first: the help at 80 columns, shell completion, a profile they can edit, comparisons that say when they are unfair. */
class CliPolishTest {
  @TempDir Path dir;

  private static String usage(CommandLine cl) {
    cl.setUsageHelpAutoWidth(false);
    cl.setUsageHelpWidth(80);
    return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  @Test
  void theCommandListGivesEachCommandOneWholeSentenceOnOneLine() {
    CommandLine root = Main.commandLine();
    String help = usage(root);
    List<String> list = help.lines().dropWhile(l -> !l.equals("Commands:")).skip(1).takeWhile(l -> l.startsWith("  ")).toList();
    assertThat(list).hasSize(root.getSubcommands().size());
    for (String l : list) {
      assertThat(l).as("a summary that fits one line").doesNotStartWith("     ");
      assertThat(l.strip()).as(l).endsWith(".");
      String summary = l.strip().replaceFirst("^\\S+\\s+", "");
      assertThat(summary.substring(0, summary.length() - 1)).as("one sentence: " + l).doesNotContain(". ");
    }
  }

  @Test
  void everyHelpFitsEightyColumnsAndItsExamplesCopyPasteWhole() {
    List<CommandLine> all = new ArrayList<>();
    all.add(Main.commandLine());
    all.addAll(Main.commandLine().getSubcommands().values());
    for (CommandLine cl : all) {
      String help = usage(cl);
      for (String line : help.lines().toList()) assertThat(line.length()).as(cl.getCommandName() + ": " + line).isLessThanOrEqualTo(80);
      List<String> lines = help.lines().toList();
      for (String f : cl.getCommandSpec().usageMessage().footer()) {
        if (f.startsWith("  vqsim") || f.startsWith("      ")) assertThat(lines).as(cl.getCommandName() + " example").contains(f);
      }
      assertThat(help).as(cl.getCommandName()).doesNotContain("DESIGN.md");
    }
  }

  @Test
  void completionScriptsForBashAndZsh() {
    Cli.Result bash = vqsim("completion", "bash");
    assertThat(bash.code()).isZero();
    assertThat(bash.out()).contains("complete -F").contains("replay").contains("--strategy").contains("--summary-only");
    Cli.Result zsh = vqsim("completion", "zsh");
    assertThat(zsh.code()).isZero();
    assertThat(zsh.out()).startsWith("#compdef vqsim").contains("bashcompinit").contains("complete -F");
    assertThat(vqsim("completion", "fish").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aPrintedProfileLoadsBackAndReplaysAsTheBuiltIn() throws IOException {
    Cli.Result p = vqsim("profiles", "power9-kvm");
    assertThat(p.code()).isZero();
    assertThat(p.out()).contains("# cpu_ghz (GHz): clock that turns cycles into time").contains("# source: ");
    Path file = dir.resolve("my.profile");
    Files.writeString(file, p.out());
    Path t = dir.resolve("t.arrow");
    assertThat(vqsim("generate", "--count", 2000, "-o", t).code()).isZero();
    assertThat(vqsim("replay", t, "--strategy", "all", "--profile", "power9-kvm", "--summary-only", "-o", dir.resolve("a")).code()).isZero();
    Cli.Result r = vqsim("replay", t, "--strategy", "all", "--profile", file, "--summary-only", "-o", dir.resolve("b"));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(Cli.read(dir.resolve("b/summary.arrow")).rows()).isEqualTo(Cli.read(dir.resolve("a/summary.arrow")).rows());
    // the old table format gets a pointer to the right one
    Files.writeString(file, "figure   value  unit  source\n");
    Cli.Result bad = vqsim("replay", t, "--profile", file, "-o", dir.resolve("c"));
    assertThat(bad.code()).isEqualTo(ExitCodes.DATA);
    assertThat(bad.err()).contains("my.profile:1:").contains("vqsim profiles NAME > FILE");
  }

  @Test
  void compareRefusesRunsOfDifferentTracesAndPlatformsUnlessForced() throws IOException {
    Path a = dir.resolve("a.arrow"), b = dir.resolve("b.arrow");
    assertThat(vqsim("generate", "--count", 2000, "-o", a).code()).isZero();
    assertThat(vqsim("generate", "--count", 2000, "--bs", "64k", "-o", b).code()).isZero();
    assertThat(vqsim("replay", a, "--strategy", "direct,bounce", "--summary-only", "-o", dir.resolve("x86")).code()).isZero();
    assertThat(vqsim("replay", b, "--strategy", "direct,bounce,tce", "--profile", "power9-kvm", "--summary-only", "-o", dir.resolve("ppc")).code()).isZero();
    Cli.Result r = vqsim("compare", dir.resolve("x86"), dir.resolve("ppc"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("are not comparable").contains("trace: a.arrow vs b.arrow").contains("profile: x86-kvm vs power9-kvm")
        .contains("platform: x86 vs power").contains("--force");
    Cli.Result f = vqsim("compare", dir.resolve("x86"), dir.resolve("ppc"), "--force");
    assertThat(f.code()).isZero();
    assertThat(f.err()).contains("warning: the two runs differ");
    // same trace and platform, another profile (a host of one's own): compared, with a warning
    Path mine = dir.resolve("mine.profile");
    Files.writeString(mine, vqsim("profiles", "x86-kvm").out().replace("profile = x86-kvm", "profile = my-host"));
    assertThat(vqsim("replay", a, "--strategy", "direct,bounce", "--profile", mine, "--summary-only", "-o", dir.resolve("mine")).code()).isZero();
    Cli.Result w = vqsim("compare", dir.resolve("x86"), dir.resolve("mine"));
    assertThat(w.code()).as("%s", w).isZero();
    assertThat(w.err()).contains("warning").contains("profile: x86-kvm vs my-host").doesNotContain("platform");
  }

  @Test
  void twoSweepsCompareRowByRow() throws IOException {
    String[] grid = {"--generate", "--rw randread --count 2000", "--strategy", "direct,bounce", "--param", "bs=4k,64k", "--jobs", "2"};
    List<Object> a = new ArrayList<>(List.of((Object[]) grid));
    a.addAll(List.of("-o", dir.resolve("s1")));
    a.add(0, "sweep");
    assertThat(vqsim(a.toArray()).code()).isZero();
    List<Object> b = new ArrayList<>(a);
    b.set(b.size() - 1, dir.resolve("s2"));
    b.addAll(List.of("--replay", "--backend vhost"));
    assertThat(vqsim(b.toArray()).code()).isZero();
    Cli.Result r = vqsim("compare", dir.resolve("s1"), dir.resolve("s2"));
    assertThat(r.code()).as("%s", r).isZero();
    assertThat(r.out()).contains("bs=4k split/bounce").contains("bs=64k split/direct");
    assertThat(r.out().lines().filter(l -> l.startsWith("bs=64k split/bounce") && l.contains("cycles per request")).findFirst().orElseThrow())
        .containsPattern("[+\u2212][0-9]");
  }
}
