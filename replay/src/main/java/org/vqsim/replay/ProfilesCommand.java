package org.vqsim.replay;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "profiles", mixinStandardHelpOptions = true,
    description = {"List the cost profiles, or print one as a loadable file.", "",
        "PROFILE is printed in the profile file format: every figure with its unit, meaning and source. "
            + "Redirect it to a file, edit the figures (and their sources), and use it with --profile FILE."},
    footer = {"", "Examples:", "  vqsim profiles", "  vqsim profiles x86-kvm",
        "  vqsim profiles x86-kvm > my-host.profile    (edit it, then:)",
        "  vqsim replay trace.arrow --profile my-host.profile -o out/"})
final class ProfilesCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROFILE", description = "A built-in profile name or a profile file.")
  String profile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (profile == null) {
      for (String n : CostProfile.BUILT_IN) {
        CostProfile p = CostProfile.builtIn(n);
        List<String> s = new ArrayList<>();
        for (StrategyId id : StrategyId.values()) if (id.availableOn(p.platform())) s.add(id.id);
        out.printf("%-12s %-6s %s%n%12s strategies: %s%n", n, p.platform(), p.description(), "", String.join(", ", s));
      }
      out.println();
      out.println("vqsim profiles NAME prints one as a profile file: every figure with its unit and source.");
      out.println("Save it (vqsim profiles x86-kvm > my.profile), edit it, and use it with --profile my.profile.");
    } else {
      out.print(CostProfile.load(profile).toFileText("vqsim profiles " + profile));
    }
    out.flush();
    return ExitCodes.OK;
  }
}
