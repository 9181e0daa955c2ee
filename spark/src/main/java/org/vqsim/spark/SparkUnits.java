package org.vqsim.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.replay.SweepExecutor;
import org.vqsim.replay.SweepPlan;

/**
 * What an executor does with one unit: makes its trace (and a profile file) readable as local files,
 * then {@link SweepExecutor#run} — the same pure function the local engine calls, so a unit gives
 * the same row wherever it runs.
 *
 * <p>Traces: {@code generated} needs nothing; a path or a {@code file:} URI on the driver comes with
 * the {@link Shipment} (or, when shipping is off, must be readable at that path on every executor);
 * any other URI ({@code hdfs://…}, {@code s3a://…}, whatever file systems the Spark installation's
 * Hadoop has) is copied once per executor JVM into a temporary folder, keeping its file name (the
 * row's {@code trace} column is the file name, as in a local sweep).
 */
final class SparkUnits {
  private SparkUnits() {}

  private static final Map<String, String> FETCHED = new ConcurrentHashMap<>();

  static SummaryRow run(SweepPlan plan, SweepPlan.Unit unit, Shipment shipped) throws IOException {
    String trace = shipped.local(unit.trace());
    String profile = shipped.local(plan.profile());
    SweepPlan p = profile.equals(plan.profile()) ? plan
        : new SweepPlan(plan.traces(), plan.generate(), plan.strategies(), plan.rings(), profile, plan.params(), plan.replayOptions());
    return SweepExecutor.run(p, unit.withTrace(trace.equals(unit.trace()) ? local(trace) : trace));
  }

  static String local(String trace) throws IOException {
    if (trace.equals("generated") || !SweepExecutor.hasScheme(trace) || trace.startsWith("file:")) return trace;
    String cached = FETCHED.get(trace);
    if (cached != null) return cached;
    synchronized (FETCHED) {
      cached = FETCHED.get(trace);
      if (cached != null) return cached;
      org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(trace);
      // the executor's Hadoop configuration: core-site.xml etc. from the installation (HADOOP_CONF_DIR), credentials as it has them
      FileSystem fs = src.getFileSystem(new Configuration());
      Path dir = Files.createTempDirectory("vqsim-trace-");
      Path dst = dir.resolve(src.getName());
      fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(dst.toUri()), true);
      dir.toFile().deleteOnExit(); // deleted at exit in the reverse order: the file, then its folder
      dst.toFile().deleteOnExit();
      FETCHED.put(trace, dst.toString());
      return dst.toString();
    }
  }
}
