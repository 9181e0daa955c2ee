package org.vqsim.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.StrategyId;
import picocli.CommandLine.Option;

/** Which strategies to replay and with which cost profile (replay, sweep). */
final class StrategyOptions {
  @Option(names = {"-s", "--strategy"}, split = ",", defaultValue = "direct", paramLabel = "ID[,ID...]",
      description = "DMA strategies to replay, comma-separated, or 'all' for every strategy of the profile's platform (default: ${DEFAULT-VALUE}). `vqsim profiles` lists them.")
  List<String> strategies;

  @Option(names = {"-p", "--profile"}, defaultValue = "x86-kvm", paramLabel = "NAME|FILE",
      description = "Cost profile: a built-in name (x86-kvm, power9-kvm) or a profile file (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--cost", paramLabel = "NAME=VALUE", description = "Override one cost figure of the profile (repeatable), e.g. --cost kick_exit_cycles=1500.")
  Map<String, String> costs = new LinkedHashMap<>();

  CostProfile costProfile() {
    return withCosts(CostProfile.load(profile), costs);
  }

  static CostProfile withCosts(CostProfile p, Map<String, String> costs) {
    for (Map.Entry<String, String> e : costs.entrySet()) {
      double v;
      try {
        v = Double.parseDouble(e.getValue());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("--cost " + e.getKey() + "=" + e.getValue() + ": the value is not a number");
      }
      p = p.withOverride(e.getKey(), v);
    }
    return p;
  }

  List<StrategyId> strategyIds(CostProfile p) {
    return resolve(strategies, p);
  }

  /** Strategy ids (or 'all') resolved against the profile's platform; a strategy of another platform names the right profile. */
  static List<StrategyId> resolve(List<String> names, CostProfile p) {
    LinkedHashSet<String> uniq = new LinkedHashSet<>();
    for (String s : names) {
      String t = s.strip();
      if (t.equals("all")) {
        for (StrategyId id : StrategyId.forPlatform(p.platform())) uniq.add(id.id);
      } else if (!t.isEmpty()) uniq.add(t);
    }
    if (uniq.isEmpty()) throw new IllegalArgumentException("--strategy needs at least one strategy id");
    List<StrategyId> ids = new ArrayList<>();
    for (String s : uniq) {
      StrategyId id = StrategyId.of(s);
      if (!id.availableOn(p.platform())) {
        String other = p.platform().equals("x86") ? "power9-kvm" : "x86-kvm";
        throw new IllegalArgumentException("strategy '" + s + "' is not a " + p.platform() + " strategy (profile " + p.name() + "); use --profile " + other);
      }
      if (!ids.contains(id)) ids.add(id);
    }
    return ids;
  }

  static Map<String, String> describe(CostProfile p, List<StrategyId> ids) {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> s = new ArrayList<>();
    for (StrategyId id : ids) s.add(id.id);
    m.put("strategy", String.join(",", s));
    m.put("profile", p.name());
    p.overrides().forEach((k, v) -> m.put("cost." + k, CostProfile.format(v)));
    return m;
  }
}
