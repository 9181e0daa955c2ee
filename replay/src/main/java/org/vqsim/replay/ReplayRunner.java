package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.vqsim.analysis.arrow.ResultFiles;
import org.vqsim.analysis.arrow.ResultSchemas;
import org.vqsim.analysis.arrow.StrategyRecorder;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.analysis.arrow.TableWriter;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.capture.Traces;
import org.vqsim.capture.canonical.CanonicalTrace;
import org.vqsim.engine.Version;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.sim.ReplayEngine;
import org.vqsim.engine.sim.RequestSource;
import org.vqsim.engine.sim.RunResult;

/**
 * Wires capture → engine → analysis for one replay: each strategy streams the trace through its
 * own engine; requests.arrow, summary.arrow and latency.arrow are written under temporary names
 * and renamed into place only when everything succeeded.
 */
final class ReplayRunner {
  /** A replay, fully resolved and validated before it starts. */
  record Plan(TraceRef trace, List<StrategyId> strategies, CostProfile profile, ReplayConfig config, DmaOptions dma, String ring,
      boolean summaryOnly, Map<String, String> options) {
    /** The result files this replay writes, relative to its folder. */
    List<String> files() {
      List<String> names = new ArrayList<>(List.of(ResultFiles.SUMMARY, ResultFiles.LATENCY, ResultFiles.LOCKS));
      if (!summaryOnly) names.add(ResultFiles.REQUESTS);
      return names;
    }
  }

  /** @param written the result files, relative to the run's output folder */
  record Outcome(List<SummaryRow> rows, List<String> written, long requestsPerStrategy, double wallSeconds, List<List<RunResult.LockRow>> locks) {}

  private ReplayRunner() {}

  /** Resolves what the trace says about defaults: closed-loop depth and arrival mode. */
  /**
   * Resolves what the trace says about defaults: closed-loop depth, arrival mode, and the vCPUs (the
   * number of CPUs a trace names, {@code vqsim.cpus}, when {@code --vcpus} is not given).
   */
  static ReplayConfig applyTraceDefaults(ReplayConfig config, Map<String, String> meta, Integer iodepth, String arrival, Integer vcpus) {
    return applyTraceDefaults(config, meta, iodepth, arrival, vcpus, null);
  }

  /**
   * As above, for a trace that may be a capture: {@code captured} is the most requests it had in flight
   * (from its issue/completion pairs), null when it shows no completions. Without {@code --arrival} and
   * without an arrival of its own, a capture replays as captured: at its own issue times (open loop)
   * with at most that many in flight.
   */
  static ReplayConfig applyTraceDefaults(ReplayConfig config, Map<String, String> meta, Integer iodepth, String arrival, Integer vcpus, Integer captured) {
    String mode = arrival != null ? arrival : meta.getOrDefault(CanonicalTrace.META_ARRIVAL, captured != null ? ARRIVAL_CAPTURED : "closed");
    int depth = iodepth != null ? iodepth : parseInt(meta.get(CanonicalTrace.META_IODEPTH), 1);
    if (iodepth == null && depth > config.queueSize()) depth = config.queueSize();
    if (mode.equals("open") && iodepth == null) depth = config.queueSize();
    if (mode.equals(ARRIVAL_CAPTURED)) {
      if (captured == null) {
        throw new IllegalArgumentException("--arrival captured needs a captured trace with completion times (ftrace block_rq_complete, blkparse C); this trace has none");
      }
      if (iodepth == null) depth = Math.max(1, Math.min(captured, config.queueSize()));
    }
    int v = vcpus != null ? vcpus : Math.max(Math.max(1, parseInt(meta.get("vqsim.cpus"), 1)), config.queues());
    return config.withIodepth(depth).withOpenLoop(!mode.equals("closed")).withTopology(v, config.queues(), config.iothreads());
  }

  /** The arrival mode of a capture replayed as captured: its issue times, at most its observed concurrency in flight. */
  static final String ARRIVAL_CAPTURED = "captured";

  /**
   * The arrival mode a replay used, as the summary and the printed table name it: closed, open, or
   * captured (open at the trace's issue times, limited to the concurrency it had).
   */
  static String arrivalLabel(ReplayConfig c, boolean captured) {
    return !c.openLoop() ? "closed" : captured ? ARRIVAL_CAPTURED : "open";
  }

  /** The most requests the trace had in flight, from its issue/completion pairs; null when it shows no completions (not a capture). */
  static Integer capturedConcurrency(TraceRef ref) throws IOException {
    try (Traces.Opened t = ref.open()) {
      if (t.observed() == null) return null;
      org.vqsim.capture.observed.TraceInspector in = new org.vqsim.capture.observed.TraceInspector().read(t.source());
      return in.completed > 0 ? Integer.valueOf(Math.max(1, in.maxInFlight)) : null;
    }
  }

  private static int parseInt(String s, int dflt) {
    if (s == null) return dflt;
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  static Map<String, String> metadata(String kind, Plan plan) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("vqsim.kind", kind);
    m.put("vqsim.version", Version.VERSION);
    m.put("vqsim.command", "replay");
    StringBuilder opts = new StringBuilder();
    plan.options().forEach((k, v) -> opts.append(opts.length() == 0 ? "" : " ").append("--").append(k).append('=').append(v));
    m.put("vqsim.options", opts.toString());
    m.put("vqsim.seed", Long.toString(plan.config().seed()));
    m.put("vqsim.trace", plan.trace().label());
    m.put("vqsim.profile", plan.profile().name());
    m.put("vqsim.profile.platform", plan.profile().platform());
    m.put("vqsim.profile.figures", plan.profile().describe());
    StringBuilder src = new StringBuilder();
    for (CostFigure f : CostFigure.values()) if (plan.profile().isGiven(f)) src.append(f.key).append(": ").append(plan.profile().source(f)).append('\n');
    m.put("vqsim.profile.sources", src.toString());
    StringBuilder ov = new StringBuilder();
    plan.profile().overrides().forEach((k, v) -> ov.append(ov.length() == 0 ? "" : ",").append(k).append('=').append(CostProfile.format(v)));
    m.put("vqsim.cost_overrides", ov.toString());
    return m;
  }

  /**
   * Bytes this replay will write, to check before it starts ({@link RunOutput#reserve}): requests.arrow
   * dominates (one row per request per strategy; with several strategies the parts plus the file
   * they are joined into, each part deleted once joined); 0 when the trace's length is not known in
   * advance (a text trace), whose writes are checked as they happen.
   */
  static long estimatedBytes(Plan plan, long requests) {
    if (requests <= 0 || plan.summaryOnly()) return 0;
    long k = plan.strategies().size();
    int idBytes = 0;
    for (StrategyId id : plan.strategies()) idBytes += id.id.length();
    int meanId = (int) Math.ceil((double) idBytes / k);
    double perRow = ResultSchemas.estimatedRowBytes(ResultSchemas.requests(Map.of()), col -> col.equals("strategy") ? meanId : 1);
    double rows = (double) requests * k;
    double parts = k > 1 ? rows * perRow / k : 0; // the largest part still on disk while the last one is joined
    return (long) Math.min(Long.MAX_VALUE / 2, rows * perRow + parts);
  }

  /**
   * Replays the plan into {@code out} (in the sub-folder {@code sub}, "" for the folder itself): the
   * files are staged, and appear when the caller commits {@code out}.
   */
  static Outcome run(Plan plan, RunOutput out, String sub, PrintWriter err) throws IOException {
    return run(plan, out, sub, err, "use --summary-only (no per-request rows), fewer strategies, or an -o folder on a larger file system");
  }

  /** @param advice what to do when the results would not fit on the output's file system */
  static Outcome run(Plan plan, RunOutput out, String sub, PrintWriter err, String advice) throws IOException {
    long expected = plan.trace().expectedRequests();
    long bytes = estimatedBytes(plan, expected);
    if (bytes > 0) {
      out.reserve(bytes, String.format(Locale.ROOT, "%s%s (%,d requests × %d strategies)", sub, ResultFiles.REQUESTS, expected, plan.strategies().size()), advice);
    }
    long t0 = System.nanoTime();
    Path requestsTmp = plan.summaryOnly() ? null : out.file(sub + ResultFiles.REQUESTS);
    Path summaryTmp = out.file(sub + ResultFiles.SUMMARY);
    Path latencyTmp = out.file(sub + ResultFiles.LATENCY);
    Path locksTmp = out.file(sub + ResultFiles.LOCKS);
    List<StrategyRecorder> recorders = new ArrayList<>();
    List<List<RunResult.LockRow>> locks = new ArrayList<>();
    List<SummaryRow> rows = new ArrayList<>();
    long perStrategy;
    Map<String, String> reqMeta = metadata(ResultSchemas.KIND_REQUESTS, plan);
    String task = plan.trace().label() + (plan.strategies().size() == 1 ? " under " + plan.strategies().get(0).id : " under " + plan.strategies().size() + " strategies");
    if (plan.strategies().size() == 1) {
      StrategyId id = plan.strategies().get(0);
      try (TableWriter requests = requestsTmp == null ? null : new TableWriter(requestsTmp, ResultSchemas.requests(reqMeta));
          Traces.Opened trace = plan.trace().open();
          Progress progress = Progress.start(err, task, "requests", expected)) {
        StrategyRecorder rec = new StrategyRecorder(id.id, requests);
        RunResult result = replay(plan, id, progress.wrap(trace.source()), rec);
        recorders.add(rec);
        rows.add(row(plan, id, result, rec));
        locks.add(result.locks());
        perStrategy = result.requests();
      }
    } else {
      perStrategy = replayInParallel(plan, err, out, sub, task, expected, requestsTmp, reqMeta, recorders, rows, locks);
    }
    if (perStrategy == 0) {
      TraceRef t = plan.trace();
      throw new CliException(ExitCodes.DATA, (t.file() != null ? t.file().toString() : t.label()) + ": no requests to replay"
          + (t.device() != null ? " for device " + t.device() : "") + " (`vqsim inspect` shows what the trace holds)");
    }
    SummaryRow direct = rows.stream().filter(r -> r.strategy().equals("direct")).findFirst().orElse(null);
    rows.replaceAll(r -> r.against(direct));
    ResultFiles.writeSummary(summaryTmp, rows, metadata(ResultSchemas.KIND_SUMMARY, plan));
    ResultFiles.writeLatency(latencyTmp, recorders, metadata(ResultSchemas.KIND_LATENCY, plan));
    ResultFiles.writeLocks(locksTmp, plan.strategies().stream().map(i -> i.id).toList(), locks, metadata(ResultSchemas.KIND_LOCKS, plan));
    List<String> written = new ArrayList<>();
    for (String n : List.of(ResultFiles.SUMMARY, ResultFiles.LATENCY, ResultFiles.LOCKS, ResultFiles.REQUESTS)) {
      if (n.equals(ResultFiles.REQUESTS) && plan.summaryOnly()) continue;
      written.add(sub + n);
    }
    return new Outcome(rows, written, perStrategy, (System.nanoTime() - t0) / 1e9, locks);
  }

  private static RunResult replay(Plan plan, StrategyId id, RequestSource source, StrategyRecorder rec) throws IOException {
    ReplayEngine engine = new ReplayEngine(id, plan.profile(), plan.config(), plan.dma(), Ring.of(plan.ring()));
    RunResult result = engine.run(source, rec);
    if (engine.strategy().liveMappings() != 0) throw new IllegalStateException(id.id + " leaked " + engine.strategy().liveMappings() + " DMA mappings");
    return result;
  }

  private static SummaryRow row(Plan plan, StrategyId id, RunResult result, StrategyRecorder rec) {
    return SummaryRow.of(id.id, new SummaryRow.Context(plan.profile().name(), plan.trace().label(), plan.ring(),
        plan.config().backend().id, plan.config().iodepth()), result, rec);
  }

  /**
   * Several strategies: the trace is read once and broadcast to one engine per strategy, each on
   * its own thread (the engines are single-threaded and deterministic, so the rows are those of a
   * sequential run). Each engine writes its own part of requests.arrow; the parts are joined in
   * strategy order at the end.
   */
  private static long replayInParallel(Plan plan, PrintWriter err, RunOutput out, String sub, String task, long expected, Path requestsTmp,
      Map<String, String> reqMeta, List<StrategyRecorder> recorders, List<SummaryRow> rows, List<List<RunResult.LockRow>> locks) throws IOException {
    List<StrategyId> ids = plan.strategies();
    int k = ids.size();
    List<Path> parts = new ArrayList<>();
    StrategyRecorder[] recs = new StrategyRecorder[k];
    RunResult[] results = new RunResult[k];
    ExecutorService pool = Executors.newFixedThreadPool(k, r -> {
      Thread t = new Thread(r, "vqsim-engine");
      t.setDaemon(true);
      return t;
    });
    try (Traces.Opened trace = plan.trace().open();
        Progress progress = Progress.start(err, task, "requests", expected);
        TraceBroadcast broadcast = new TraceBroadcast(progress.wrap(trace.source()), k)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        Path part = requestsTmp == null ? null : out.scratch(sub + ResultFiles.REQUESTS, sub + ".requests-part-" + i + ".arrow");
        parts.add(part);
        final int idx = i;
        futures.add(pool.submit(() -> {
          try (TableWriter w = part == null ? null : new TableWriter(part, ResultSchemas.requests(reqMeta))) {
            recs[idx] = new StrategyRecorder(ids.get(idx).id, w);
            results[idx] = replay(plan, ids.get(idx), broadcast.consumer(idx), recs[idx]);
          } catch (Throwable t) {
            broadcast.abort();
            throw t;
          }
          return null;
        }));
      }
      broadcast.start();
      Throwable first = null;
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (first == null || first instanceof TraceBroadcast.Aborted) first = e.getCause();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
      Throwable producer = broadcast.producerFailure();
      if (producer != null) first = producer;
      if (first instanceof IOException io) throw io;
      if (first instanceof RuntimeException re) throw re;
      if (first instanceof Error er) throw er;
      if (first != null) throw new IOException(first);
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < k; i++) {
      recorders.add(recs[i]);
      rows.add(row(plan, ids.get(i), results[i], recs[i]));
      locks.add(results[i].locks());
    }
    if (requestsTmp != null) ResultFiles.concat(parts, requestsTmp);
    return results[0].requests();
  }

  /** The summary as a readable table. */
  static void printSummary(PrintWriter out, List<SummaryRow> rows) {
    List<String> header = List.of("strategy", "requests", "IOPS", "MiB/s", "p50 us", "p99 us", "p99.9 us", "cycles/req", "guest cyc", "host cyc", "maps/req", "exits/req", "irqs/req", "slowdown");
    List<String[]> table = new ArrayList<>();
    for (SummaryRow r : rows) {
      table.add(new String[] {r.strategy(), Long.toString(r.requests()), fmt("%.0f", r.iops()), fmt("%.1f", r.mibPerS()),
          fmt("%.1f", r.latP50Ns() / 1e3), fmt("%.1f", r.latP99Ns() / 1e3), fmt("%.1f", r.latP999Ns() / 1e3),
          fmt("%.0f", r.cyclesPerRequest()), fmt("%.0f", r.guestCyclesPerRequest()), fmt("%.0f", r.hostCyclesPerRequest()),
          fmt("%.2f", r.eventsPerRequest()[org.vqsim.engine.cost.EventKind.MAPS.ordinal()]),
          fmt("%.2f", r.eventsPerRequest()[org.vqsim.engine.cost.EventKind.EXITS.ordinal()]),
          fmt("%.2f", r.eventsPerRequest()[org.vqsim.engine.cost.EventKind.INTERRUPTS.ordinal()]),
          r.slowdownVsDirect() == null ? "-" : fmt("%.2fx", r.slowdownVsDirect())});
    }
    org.vqsim.analysis.arrow.ArrowTables.printAligned(out, header, table);
  }

  static String fmt(String f, double v) {
    return String.format(Locale.ROOT, f, v);
  }
}
