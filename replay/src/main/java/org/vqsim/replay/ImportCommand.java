package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;
import org.vqsim.capture.canonical.CanonicalTrace;
import org.vqsim.capture.canonical.CanonicalTraceWriter;
import org.vqsim.capture.observed.ObservedEvents;
import org.vqsim.capture.observed.ObservedEvents.Counter;
import org.vqsim.capture.observed.ObservedSource;
import org.vqsim.capture.observed.TraceInspector;
import org.vqsim.engine.Version;
import org.vqsim.engine.sim.IoRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Convert traces of any supported format to a canonical trace.", "",
        "Formats: ftrace, QEMU trace log, blkparse, fio iolog, MSR CSV or a canonical trace. "
            + "Several files are joined one after the other, each continuing where the previous one ended. "
            + "The file's metadata records the sources, format, filters, skipped lines and the observed per-request event means.",
        "",
        "When the trace names the CPU that submitted its requests (ftrace block_rq_insert or block_bio_queue, blkparse Q or I, "
            + "a canonical trace's cpu column), the canonical trace gets a cpu column; requests it does not name a CPU for "
            + "are spread round-robin over the CPUs it does name, in trace order."},
    footer = {"", "Examples:",
        "  vqsim import samples/formats/blkparse.txt --device 7,0 -o blk.arrow",
        "  vqsim import samples/formats/fio-iolog.log -o fio.arrow",
        "  vqsim import samples/formats/msr.csv --disk 0 -o msr.arrow",
        "  vqsim import blkparse.txt --device 8,0 --from 10 --to 70 -o minute.arrow",
        "  zcat trace.txt.gz | vqsim import - -o trace.arrow"})
final class ImportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DebugOption debug;
  @Mixin TraceReadOptions read;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace files (.gz is fine); - reads standard input.")
  List<Path> files;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.arrow", description = "Canonical trace to write.")
  Path output;

  @Option(names = "--from", paramLabel = "SEC", description = "Keep requests submitted at or after SEC seconds from the start of the trace.")
  Double from;

  @Option(names = "--to", paramLabel = "SEC", description = "Keep requests submitted before SEC seconds from the start of the trace.")
  Double to;

  @Option(names = "--force", description = "Overwrite an existing file.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    ReadOptions opts = read.options();
    if (from != null && !(from >= 0)) throw new IllegalArgumentException("--from must be ≥ 0 seconds, not " + from);
    if (to != null && !(to > 0)) throw new IllegalArgumentException("--to must be > 0 seconds, not " + to);
    if (from != null && to != null && to <= from) throw new IllegalArgumentException("--to (" + to + ") must be after --from (" + from + ")");
    files = new ArrayList<>(files);
    for (int i = 0; i < files.size(); i++) files.set(i, Stdin.resolve(files.get(i)));
    for (Path f : files) {
      if (!Files.exists(f)) throw new TraceException(f + ": no such file", true, null);
      if (output.toAbsolutePath().normalize().equals(f.toAbsolutePath().normalize())) throw new IllegalArgumentException(f + ": the output would overwrite an input");
    }
    long fromNs = from == null ? 0 : (long) (from * 1e9);
    long toNs = to == null ? Long.MAX_VALUE : (long) (to * 1e9);

    // pass 1: what the trace holds (for the metadata); pass 2: write it
    TraceInspector stats = new TraceInspector();
    List<String> formats = new ArrayList<>();
    long skipped = 0, unknown = 0;
    long offsetNs = 0;
    for (Path f : files) {
      try (Traces.Opened t = Traces.open(f, opts)) {
        formats.add(t.format().id);
        offsetNs = copy(t, fromNs, toNs, offsetNs, null, null, stats);
        if (t.counters() != null) {
          skipped += t.counters().skippedLines;
          unknown += t.counters().unknownEvents;
        }
      }
    }
    if (stats.requests == 0) throw new TraceException(String.join(", ", files.stream().map(Path::toString).toList()) + ": no requests to import"
        + (from != null || to != null ? " in the --from/--to window" : ""));

    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(CanonicalTrace.META_KIND, CanonicalTrace.KIND);
    meta.put("vqsim.version", Version.VERSION);
    meta.put("vqsim.command", "import");
    meta.put("vqsim.options", describe(opts));
    meta.put("vqsim.sources", String.join(",", files.stream().map(p -> Stdin.is(p) ? Stdin.NAME : p.getFileName().toString()).toList()));
    meta.put("vqsim.format", String.join(",", formats));
    meta.put("vqsim.skipped_lines", Long.toString(skipped));
    meta.put("vqsim.unknown_events", Long.toString(unknown));
    meta.put("vqsim.requests", Long.toString(stats.requests));
    MissingCpus missing = stats.knowsCpus() ? new MissingCpus(stats.cpus.keySet()) : null;
    if (missing != null) {
      meta.put(CanonicalTrace.META_CPUS, Integer.toString(stats.cpus.size()));
      if (stats.withoutCpu > 0) meta.put(META_WITHOUT_CPU, Long.toString(stats.withoutCpu));
    }
    if (stats.completed > 0) {
      meta.put("vqsim.observed.max_in_flight", Integer.toString(stats.maxInFlight));
      meta.put("vqsim.observed.mean_in_flight", String.format(Locale.ROOT, "%.3f", stats.meanInFlight()));
    }
    if (stats.observedEvents) {
      for (Counter c : Counter.values()) {
        if (stats.totalOf(c) > 0) meta.put("vqsim.observed." + c.id + "_per_request", String.format(Locale.ROOT, "%.4f", stats.perRequest(c)));
      }
    }
    long n = 0;
    try (RunOutput out = Outputs.file(spec, output)) {
      out.requireAbsent(List.of(), force);
      out.reserve((long) (stats.requests * ResultSchemas.estimatedRowBytes(CanonicalTrace.schema(Map.of(), missing != null), col -> 1)),
          String.format(Locale.ROOT, "a trace of %,d requests", stats.requests), "import a shorter window (--from, --to) or write to a larger file system");
      try (CanonicalTraceWriter writer = new CanonicalTraceWriter(RunOutput.openChannel(out.file()), meta, missing != null)) {
        long off = 0;
        for (Path f : files) {
          try (Traces.Opened t = Traces.open(f, opts)) {
            off = copy(t, fromNs, toNs, off, writer, missing, null);
          }
        }
        n = writer.written();
      }
      out.commit();
    }
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "%s: %d requests (%d read, %d write, %d flush, %d discard) over %.3f s%n", String.join(",", formats), n,
        stats.byOp[0], stats.byOp[1], stats.byOp[2], stats.byOp[3], stats.durationNs() / 1e9);
    if (skipped > 0) o.printf("Skipped %d malformed lines%n", skipped);
    if (missing != null) {
      o.printf(Locale.ROOT, "Submitting CPUs: %d (%s)%n", stats.cpus.size(), InspectCommand.cpuList(stats.cpus.keySet()));
      if (stats.withoutCpu > 0) o.printf(Locale.ROOT, "%d of %d requests named no CPU: spread round-robin over those CPUs in trace order%n", stats.withoutCpu, n);
    }
    o.printf("Wrote %d requests to %s%n", n, output);
    o.flush();
    return ExitCodes.OK;
  }

  /**
   * Streams one file's requests in the window, shifted by {@code offsetNs}, into {@code stats} (pass
   * 1) or {@code writer} (pass 2, with {@code missing} giving a CPU to requests without one when the
   * trace is written with CPUs); returns where the next file starts.
   */
  private static long copy(Traces.Opened t, long fromNs, long toNs, long offsetNs, CanonicalTraceWriter writer, MissingCpus missing,
      TraceInspector stats) throws IOException {
    IoRequest r = new IoRequest();
    ObservedSource o = t.observed();
    ObservedEvents shifted = new ObservedEvents();
    long last = offsetNs;
    while (t.source().next(r)) {
      long ts = r.tsNs + offsetNs;
      if (ts < fromNs) continue;
      if (ts >= toNs) break;
      r.tsNs = ts - fromNs;
      last = Math.max(last, ts);
      if (writer != null) {
        if (missing != null && r.cpu < 0) missing.assign(r);
        writer.write(r);
      }
      if (stats != null) {
        if (o != null) {
          shifted.copyFrom(o.observed());
          if (shifted.completeNs >= 0) shifted.completeNs += offsetNs - fromNs;
          stats.add(r, shifted);
        } else stats.add(r, null);
      }
    }
    if (stats != null && o != null) stats.observedEvents |= o.counters().hasObservedEvents;
    return last;
  }

  /** Metadata key: how many requests named no CPU and were given one by {@link MissingCpus}. */
  static final String META_WITHOUT_CPU = "vqsim.requests_without_cpu";

  /**
   * The CPU of a request the trace names none for, in a trace that names CPUs for others: the CPUs
   * the trace names, in ascending order, round-robin over those requests in trace order — the rule
   * a replay applies to a trace without CPUs, over the vCPUs. Not CPU 0: that would make one CPU
   * look busier than it was; and not a refusal: traces often start with requests submitted before
   * tracing began (their block_rq_insert is not in the trace).
   */
  static final class MissingCpus {
    private final int[] cpus;
    private long next;

    MissingCpus(java.util.Collection<Integer> named) {
      cpus = named.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    void assign(IoRequest r) {
      r.cpu = cpus[(int) (next++ % cpus.length)];
    }
  }

  private String describe(ReadOptions o) {
    StringBuilder s = new StringBuilder();
    if (o.format() != null) s.append("--format=").append(o.format().id).append(' ');
    if (o.device() != null) s.append("--device=").append(o.device()).append(' ');
    if (o.disk() != null) s.append("--disk=").append(o.disk()).append(' ');
    if (from != null) s.append("--from=").append(from).append(' ');
    if (to != null) s.append("--to=").append(to).append(' ');
    if (o.skipBadLines()) s.append("--skip-bad-lines ");
    s.append("--idle-gap=").append(o.idleGapSeconds());
    return s.toString().strip();
  }
}
