package org.vqsim.spark;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.replay.SweepEngine;
import org.vqsim.replay.SweepPlan;
import scala.Tuple2;

/**
 * {@code vqsim sweep --engine spark}: the sweep's units as one Spark job, one task per unit. A task
 * is {@link SparkUnits#run}: the plan and the unit (both serializable) to a summary row, with no
 * shared state, so it runs the same on any executor. The rows come back to the driver, which
 * writes sweep.arrow exactly as the local engine does, then sweep.parquet from it.
 *
 * <p>Without {@code --master} (and outside spark-submit, which sets {@code spark.master}) Spark
 * runs in local mode inside the vqsim process: {@code local[*]}, or {@code local[N]} with
 * {@code --jobs N}.
 */
public final class SparkSweepEngine implements SweepEngine {
  private String ranOn = "spark";

  @Override
  public String where() {
    return ranOn;
  }

  @Override
  public String name() {
    return "spark";
  }

  /** The master to use: --master, else what spark-submit set, else local mode on every core (or --jobs). */
  static String master(String master, Integer jobs) {
    if (master != null) return master;
    String submitted = new SparkConf().get("spark.master", null);
    if (submitted != null) return submitted;
    return jobs == null ? "local[*]" : "local[" + jobs + "]";
  }

  @Override
  public void run(SweepPlan plan, List<SweepPlan.Unit> units, String master, Integer jobs, BiConsumer<SweepPlan.Unit, SummaryRow> done) {
    if (units.isEmpty()) return;
    String m = master(master, jobs);
    ranOn = "spark (" + m + ")";
    SparkSession.Builder b = SparkSession.builder().appName("vqsim sweep").master(m).config("spark.ui.showConsoleProgress", "false");
    if (m.startsWith("local")) {
      // everything in this process: no web UI, no network interface needed
      b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
    }
    PrintStream err = System.err;
    long t0 = System.nanoTime();
    SparkSession spark = b.getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      err.printf(Locale.ROOT, "Spark %s on %s: %d combinations as %d tasks (started in %.1f s)%n", spark.version(), m, units.size(), units.size(),
          (System.nanoTime() - t0) / 1e9);
      JavaRDD<SweepPlan.Unit> rdd = jsc.parallelize(units, units.size());
      JavaFutureAction<List<Tuple2<Integer, SummaryRow>>> f = rdd.map(u -> new Tuple2<>(u.index(), SparkUnits.run(plan, u))).collectAsync();
      long t1 = System.nanoTime();
      int shown = -1;
      while (!f.isDone()) {
        try {
          f.get(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          int n = completed(jsc, f);
          if (n != shown && n > 0) {
            double el = (System.nanoTime() - t1) / 1e9;
            err.printf(Locale.ROOT, "[%d/%d] %.0f%% elapsed %.0f s, ETA %.0f s%n", n, units.size(), 100.0 * n / units.size(), el, el / n * (units.size() - n));
            shown = n;
          }
        } catch (java.util.concurrent.ExecutionException e) {
          break; // f.get() below rethrows
        } catch (InterruptedException e) {
          f.cancel(true);
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      List<Tuple2<Integer, SummaryRow>> rows;
      try {
        rows = f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw unwrap(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      Map<Integer, SweepPlan.Unit> byIndex = new HashMap<>();
      for (SweepPlan.Unit u : units) byIndex.put(u.index(), u);
      for (Tuple2<Integer, SummaryRow> r : rows) done.accept(byIndex.get(r._1()), r._2());
      err.printf(Locale.ROOT, "[%d/%d] 100%% in %.1f s%n", units.size(), units.size(), (System.nanoTime() - t1) / 1e9);
    } finally {
      spark.stop();
    }
  }

  private static int completed(JavaSparkContext jsc, JavaFutureAction<?> f) {
    int n = 0;
    for (int job : f.jobIds()) {
      SparkJobInfo j = jsc.statusTracker().getJobInfo(job);
      if (j == null) continue;
      for (int s : j.stageIds()) {
        SparkStageInfo si = jsc.statusTracker().getStageInfo(s);
        if (si != null) n += si.numCompletedTasks();
      }
    }
    return n;
  }

  /** A task's own failure (bad trace, bad option) rather than Spark's wrapping of it. */
  private static RuntimeException unwrap(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    if (t instanceof IllegalArgumentException iae) return iae;
    if (t instanceof java.io.UncheckedIOException uio) return uio;
    return new IllegalStateException("the Spark job failed: " + t, e);
  }

  @Override
  public List<Path> written(Path sweepArrow, Path outDir, boolean force) throws Exception {
    Path parquet = outDir.resolve(ParquetOut.FILE);
    ParquetOut.write(sweepArrow, parquet);
    return List.of(parquet);
  }
}
