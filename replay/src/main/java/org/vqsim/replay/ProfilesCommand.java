package org.vqsim.replay;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "profiles", mixinStandardHelpOptions = true,
    description = "List the cost profiles, or print one with every figure and its source.",
    footer = {"", "Examples:", "  vqsim profiles", "  vqsim profiles x86-kvm", "  vqsim profiles my-host.profile"})
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
      out.println("vqsim profiles NAME prints every figure with its source; --profile FILE uses your own (same format).");
    } else {
      CostProfile p = CostProfile.load(profile);
      out.println(p.name() + " (" + p.platform() + "): " + p.description());
      List<String[]> rows = new ArrayList<>();
      for (CostFigure f : CostFigure.values()) rows.add(new String[] {f.key, CostProfile.format(p.get(f)), f.unit, p.source(f)});
      ArrowTables.printAligned(out, List.of("figure", "value", "unit", "source"), rows);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
