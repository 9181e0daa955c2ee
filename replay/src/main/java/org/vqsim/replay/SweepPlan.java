package org.vqsim.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vqsim.engine.util.Names;

/**
 * A sweep: traces (files and/or one generated workload) × strategies × rings × parameter values,
 * expanded into numbered, independent units in a fixed order. Written to and read from a sweep
 * file ({@code sweep.toml}: one {@code key = value} per line, every default written down).
 *
 * <pre>
 * # vqsim sweep file
 * traces = a.arrow, b.txt.gz          # files, comma-separated (may be empty with generate)
 * generate = --rw randread --bs 4k --count 100000 --iodepth 32
 * strategy = direct, viommu-strict
 * ring = split, packed
 * profile = x86-kvm
 * param.iodepth = 1; 4; 16            # values separated by ';' in a file (a bs mix contains commas)
 * param.bs = 4k; 64k; 4k:70,64k:30
 * replay = --queue-size 256 --backend qemu   # other replay options, fixed for every unit
 * </pre>
 */
public record SweepPlan(List<String> traces, String generate, List<String> strategies, List<String> rings, String profile,
    Map<String, List<String>> params, String replayOptions) implements java.io.Serializable {

  /** Parameters a sweep can vary, with the replay or generate option each becomes. */
  static final Map<String, String> REPLAY_PARAMS = Map.ofEntries(
      Map.entry("iodepth", "--iodepth"), Map.entry("queue-size", "--queue-size"), Map.entry("backend", "--backend"),
      Map.entry("page-contiguity", "--page-contiguity"), Map.entry("seed", "--seed"), Map.entry("arrival", "--arrival"),
      Map.entry("swiotlb.pool", "--swiotlb-pool"), Map.entry("swiotlb.areas", "--swiotlb-areas"), Map.entry("iotlb.entries", "--iotlb-entries"),
      Map.entry("guest-kernel", "--guest-kernel"), Map.entry("hcall-mode", "--hcall-mode"), Map.entry("vcpus", "--vcpus"), Map.entry("queues", "--queues"),
      Map.entry("iothreads", "--iothreads"), Map.entry("tce-pools", "--tce-pools"));
  static final Map<String, String> GENERATE_PARAMS = Map.ofEntries(
      Map.entry("bs", "--bs"), Map.entry("rw", "--rw"), Map.entry("rwmixread", "--rwmixread"), Map.entry("count", "--count"),
      Map.entry("random-distribution", "--random-distribution"), Map.entry("offset-range", "--offset-range"), Map.entry("rate", "--rate"),
      Map.entry("numjobs", "--numjobs"), Map.entry("msg-size", "--msg-size"), Map.entry("direction", "--direction"), Map.entry("streams", "--streams"));

  public SweepPlan {
    if (traces.isEmpty() && (generate == null || generate.isBlank())) throw new IllegalArgumentException("a sweep needs a TRACE or --generate \"OPTIONS\"");
    if (strategies.isEmpty()) throw new IllegalArgumentException("a sweep needs at least one --strategy");
    for (String name : params.keySet()) {
      if (name.startsWith("cost.")) continue;
      if (name.equals("ring") || name.equals("strategy")) throw new IllegalArgumentException("use --" + name + " to sweep " + name + "s, not --param");
      if (GENERATE_PARAMS.containsKey(name)) {
        if (generate == null || generate.isBlank()) throw new IllegalArgumentException("--param " + name + " changes the generated workload: give --generate \"OPTIONS\"");
        continue;
      }
      if (!REPLAY_PARAMS.containsKey(name)) {
        List<String> known = new ArrayList<>(REPLAY_PARAMS.keySet());
        known.addAll(GENERATE_PARAMS.keySet());
        known.sort(null);
        throw new IllegalArgumentException("unknown sweep parameter '" + name + "'" + Names.didYouMean(name, known) + "; known: " + String.join(", ", known) + ", cost.FIGURE");
      }
    }
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (e.getValue().isEmpty()) throw new IllegalArgumentException("--param " + e.getKey() + " has no values");
    }
  }

  /** One combination: which trace, strategy, ring and parameter values. */
  public record Unit(int index, String trace, String strategy, String ring, Map<String, String> params) implements java.io.Serializable {
    /** This unit reading its trace from {@code file} instead (a local copy of a remote trace: same file name, same row). */
    public Unit withTrace(String file) {
      return new Unit(index, file, strategy, ring, params);
    }
  }

  /** Every combination, in a fixed order: trace, then parameters (in the order given), then ring, then strategy. */
  public List<Unit> units() {
    List<String> allTraces = new ArrayList<>(traces);
    if (generate != null && !generate.isBlank()) allTraces.add("generated");
    List<Map<String, String>> combos = new ArrayList<>();
    combos.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> c : combos) {
        for (String v : e.getValue()) {
          Map<String, String> m = new LinkedHashMap<>(c);
          m.put(e.getKey(), v);
          next.add(m);
        }
      }
      combos = next;
    }
    List<Unit> units = new ArrayList<>();
    for (String t : allTraces) {
      for (Map<String, String> c : combos) {
        for (String r : rings) {
          for (String s : strategies) units.add(new Unit(units.size(), t, s, r, c));
        }
      }
    }
    return units;
  }

  /** The sweep file text, every default written down. */
  public String toToml() {
    StringBuilder b = new StringBuilder();
    b.append("# vqsim sweep file: the sweep as run. `vqsim sweep --sweep-file THIS -o DIR` runs it again.\n");
    b.append("# Values of one key are separated by ',' (traces, strategy, ring) or ';' (param.*, whose values may contain commas).\n");
    b.append("traces = ").append(String.join(", ", traces)).append('\n');
    b.append("generate = ").append(generate == null ? "" : generate).append('\n');
    b.append("strategy = ").append(String.join(", ", strategies)).append('\n');
    b.append("ring = ").append(String.join(", ", rings)).append('\n');
    b.append("profile = ").append(profile).append('\n');
    for (Map.Entry<String, List<String>> e : params.entrySet()) b.append("param.").append(e.getKey()).append(" = ").append(String.join("; ", e.getValue())).append('\n');
    b.append("replay = ").append(replayOptions == null ? "" : replayOptions).append('\n');
    return b.toString();
  }

  static SweepPlan read(Path file) throws IOException {
    if (!Files.exists(file)) throw new CliException(ExitCodes.NO_INPUT, file + ": no such sweep file");
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> traces = List.of(), strategies = List.of("direct"), rings = List.of("split");
    String generate = null, profile = "x86-kvm", replay = "";
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).strip();
      if (t.isEmpty() || t.startsWith("#")) continue;
      int eq = t.indexOf('=');
      if (eq <= 0) throw new CliException(ExitCodes.DATA, file + ":" + (i + 1) + ": expected 'key = value', got '" + t + "'");
      String key = t.substring(0, eq).strip();
      String value = t.substring(eq + 1).strip();
      switch (key) {
        case "traces" -> traces = split(value, ",");
        case "generate" -> generate = value.isEmpty() ? null : value;
        case "strategy" -> strategies = split(value, ",");
        case "ring" -> rings = split(value, ",");
        case "profile" -> profile = value;
        case "replay" -> replay = value;
        default -> {
          if (!key.startsWith("param.")) {
            throw new CliException(ExitCodes.DATA, file + ":" + (i + 1) + ": unknown key '" + key + "'"
                + Names.didYouMean(key, List.of("traces", "generate", "strategy", "ring", "profile", "replay")) + " (parameters are param.NAME)");
          }
          params.put(key.substring(6), split(value, ";"));
        }
      }
    }
    return new SweepPlan(traces, generate, strategies, rings, profile, params, replay);
  }

  static List<String> split(String value, String sep) {
    List<String> l = new ArrayList<>();
    for (String p : value.split(sep.equals(";") ? ";" : ",")) if (!p.isBlank()) l.add(p.strip());
    return l;
  }

  /** The column names of sweep.arrow's parameter part: the swept parameters not already summary columns. */
  List<String> paramColumns() {
    List<String> cols = new ArrayList<>();
    for (String p : params.keySet()) if (!SUMMARY_COLUMNS.contains(p)) cols.add(p);
    return cols;
  }

  /** Parameters that are summary columns already (their value is in that column). */
  static final List<String> SUMMARY_COLUMNS = List.of("iodepth", "backend", "vcpus", "queues");
}
