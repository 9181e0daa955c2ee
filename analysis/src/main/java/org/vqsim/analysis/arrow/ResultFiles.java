package org.vqsim.analysis.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/** Writes summary.arrow and latency.arrow (requests.arrow is streamed by {@link StrategyRecorder}). */
public final class ResultFiles {
  private ResultFiles() {}

  public static final String REQUESTS = "requests.arrow", SUMMARY = "summary.arrow", LATENCY = "latency.arrow", FLEET = "fleet.arrow",
      SWEEP = "sweep.arrow", LOCKS = "locks.arrow", REPRODUCE = "reproduce.arrow";

  /** reproduce.arrow: one row per published figure. */
  public static void writeReproduce(Path file, List<ReproduceRow> rows, Map<String, String> metadata) throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.reproduce(metadata))) {
      for (ReproduceRow r : rows) {
        int c = 0;
        w.setString(c++, r.scenario());
        w.setString(c++, r.figure());
        w.setString(c++, r.publishedKind());
        w.setString(c++, r.published());
        w.setDouble(c++, r.publishedValue());
        w.setString(c++, r.unit());
        w.setString(c++, r.relativeTo());
        if (r.modelled() == null) w.setNull(c++);
        else w.setDouble(c++, r.modelled());
        if (r.errorPct() == null) w.setNull(c++);
        else w.setDouble(c++, r.errorPct());
        w.setDouble(c++, r.tolerancePct());
        w.setString(c++, r.judge());
        w.setString(c++, r.status());
        w.setString(c++, r.reason());
        w.setBool(c++, r.verified());
        w.setString(c++, r.citation());
        w.setString(c++, r.metric());
        w.endRow();
      }
    }
  }

  /** locks.arrow: per strategy, one row per lock name (its instances together). */
  public static void writeLocks(Path file, List<String> strategies, List<List<org.vqsim.engine.sim.RunResult.LockRow>> locks, Map<String, String> metadata)
      throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.locks(metadata))) {
      for (int i = 0; i < strategies.size(); i++) {
        for (org.vqsim.engine.sim.RunResult.LockRow l : locks.get(i)) {
          w.setString(0, strategies.get(i));
          w.setString(1, l.name());
          w.setString(2, l.kind());
          w.setInt(3, l.instances());
          w.setLong(4, l.acquisitions());
          w.setLong(5, l.contended());
          w.setLong(6, l.waitNsTotal());
          w.setLong(7, l.waitNsP99());
          w.setDouble(8, l.holdNsMean());
          w.endRow();
        }
      }
    }
  }

  /** sweep.arrow: the swept parameters' columns (utf8), then every summary column, then pps and gbit_per_s (null for block units). */
  public static void writeSweep(Path file, List<String> paramColumns, List<Map<String, String>> params, List<SummaryRow> rows, Map<String, String> metadata)
      throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.sweep(paramColumns, metadata))) {
      for (int i = 0; i < rows.size(); i++) {
        int c = 0;
        for (String p : paramColumns) w.setString(c++, params.get(i).get(p));
        c = setSummary(w, c, rows.get(i));
        SummaryRow r = rows.get(i);
        if (r.pps() == null) w.setNull(c++);
        else w.setDouble(c++, r.pps());
        if (r.gbitPerS() == null) w.setNull(c++);
        else w.setDouble(c++, r.gbitPerS());
        w.endRow();
      }
    }
  }

  public static void writeFleet(Path file, List<FleetRow> rows, Map<String, String> metadata) throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.fleet(metadata))) {
      for (FleetRow r : rows) {
        w.setString(0, r.platform());
        w.setBool(1, r.accessPlatform());
        w.setString(2, r.guest());
        w.setString(3, r.outcome());
        w.setString(4, r.strategy() == null ? "" : r.strategy());
        w.setString(5, r.reason());
        w.setString(6, r.profile());
        if (r.iops() == null) w.setNull(7);
        else w.setDouble(7, r.iops());
        if (r.slowdownVsDirect() == null) w.setNull(8);
        else w.setDouble(8, r.slowdownVsDirect());
        w.endRow();
      }
    }
  }

  public static void writeSummary(Path file, List<SummaryRow> rows, Map<String, String> metadata) throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.summary(metadata))) {
      for (SummaryRow r : rows) {
        setSummary(w, 0, r);
        w.endRow();
      }
    }
  }

  /**
   * Sets the summary columns of the current row, starting at column {@code c0} (the summary
   * schema's columns in order); returns the next column.
   */
  public static int setSummary(TableWriter w, int c0, SummaryRow r) {
    int c = c0;
    w.setString(c++, r.strategy());
    w.setString(c++, r.profile());
    w.setString(c++, r.trace());
    w.setString(c++, r.ring());
    w.setString(c++, r.backend());
    w.setInt(c++, r.iodepth());
    w.setInt(c++, r.vcpus());
    w.setInt(c++, r.queues());
    w.setLong(c++, r.requests());
    w.setLong(c++, r.bytes());
    w.setLong(c++, r.simTimeNs());
    w.setDouble(c++, r.iops());
    w.setDouble(c++, r.mibPerS());
    w.setDouble(c++, r.latMeanNs());
    w.setLong(c++, r.latP50Ns());
    w.setLong(c++, r.latP99Ns());
    w.setLong(c++, r.latP999Ns());
    w.setLong(c++, r.latMaxNs());
    w.setDouble(c++, r.cyclesPerRequest());
    w.setDouble(c++, r.cyclesPerKib());
    w.setDouble(c++, r.guestCyclesPerRequest());
    w.setDouble(c++, r.hostCyclesPerRequest());
    if (r.slowdownVsDirect() == null) w.setNull(c++);
    else w.setDouble(c++, r.slowdownVsDirect());
    if (r.cyclesVsDirect() == null) w.setNull(c++);
    else w.setDouble(c++, r.cyclesVsDirect());
    for (int e = 0; e < EventKind.COUNT; e++) w.setDouble(c++, r.eventsPerRequest()[e]);
    w.setDouble(c++, r.kicksSuppressedPerRequest());
    w.setLong(c++, r.ringFullStalls());
    w.setLong(c++, r.mapStalls());
    w.setDouble(c++, r.vcpuUtilMax());
    w.setDouble(c++, r.vcpuUtilMean());
    w.setDouble(c++, r.vmmUtilMax());
    w.setDouble(c++, r.lockWaitNsPerRequest());
    w.setString(c++, r.mostWaitedLock());
    for (int k = 0; k < Category.COUNT; k++) w.setDouble(c++, r.cyclesByCategory()[k]);
    for (int a = 0; a < Actor.COUNT; a++) w.setDouble(c++, r.cyclesByActor()[a]);
    if (c - c0 != SUMMARY_COLUMNS) throw new IllegalStateException("summary columns out of step with the schema");
    return c;
  }

  private static final int SUMMARY_COLUMNS = ResultSchemas.summary(Map.of()).getFields().size();

  /**
   * Joins Arrow files of one schema into {@code target}, batch by batch in the order given (the
   * parts of requests.arrow written by parallel strategies), deleting each part once it is joined so
   * that the disk holds the joined file plus at most one part. Holds one batch at a time.
   */
  public static void concat(List<Path> parts, Path target) throws IOException {
    try (org.apache.arrow.memory.BufferAllocator alloc = new org.apache.arrow.memory.RootAllocator()) {
      org.apache.arrow.vector.types.pojo.Schema schema = ArrowTables.schema(parts.get(0));
      try (org.apache.arrow.vector.VectorSchemaRoot outRoot = org.apache.arrow.vector.VectorSchemaRoot.create(schema, alloc);
          java.nio.channels.WritableByteChannel outCh = org.vqsim.analysis.io.RunOutput.openChannel(target);
          org.apache.arrow.vector.ipc.ArrowFileWriter writer = new org.apache.arrow.vector.ipc.ArrowFileWriter(outRoot, null, outCh)) {
        writer.start();
        org.apache.arrow.vector.VectorLoader loader = new org.apache.arrow.vector.VectorLoader(outRoot);
        for (Path p : parts) {
          try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.READ);
              org.apache.arrow.vector.ipc.ArrowFileReader reader = new org.apache.arrow.vector.ipc.ArrowFileReader(ch, alloc)) {
            org.apache.arrow.vector.VectorSchemaRoot in = reader.getVectorSchemaRoot();
            for (org.apache.arrow.vector.ipc.message.ArrowBlock b : reader.getRecordBlocks()) {
              reader.loadRecordBatch(b);
              try (org.apache.arrow.vector.ipc.message.ArrowRecordBatch batch = new org.apache.arrow.vector.VectorUnloader(in).getRecordBatch()) {
                loader.load(batch);
                writer.writeBatch();
              }
            }
          }
          java.nio.file.Files.delete(p);
        }
        writer.end();
      }
    }
  }

  /** One row per HdrHistogram bucket that holds requests (equivalent-value ranges at 3 significant digits). */
  public static void writeLatency(Path file, List<StrategyRecorder> recorders, Map<String, String> metadata) throws IOException {
    try (TableWriter w = new TableWriter(file, ResultSchemas.latency(metadata))) {
      for (StrategyRecorder rec : recorders) {
        Histogram h = rec.histogram();
        long total = h.getTotalCount();
        long cum = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
          long value = v.getValueIteratedTo();
          cum += v.getCountAtValueIteratedTo();
          w.setString(0, rec.strategy());
          w.setLong(1, h.lowestEquivalentValue(value));
          w.setLong(2, h.highestEquivalentValue(value));
          w.setLong(3, v.getCountAtValueIteratedTo());
          w.setLong(4, cum);
          w.setDouble(5, total == 0 ? 0 : (double) cum / total);
          w.endRow();
        }
      }
    }
  }
}
