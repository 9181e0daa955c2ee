package org.vqsim.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.vqsim.analysis.arrow.SummaryRow;
import org.vqsim.replay.CliException;
import org.vqsim.replay.ExitCodes;
import org.vqsim.replay.SweepEngine;
import org.vqsim.replay.SweepPlan;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * {@code vqsim sweep --engine spark}: the sweep's units as one Spark job, one task per unit. A task
 * is {@link SparkUnits#run}: the plan and the unit (both serializable) to a summary row, with no
 * shared state, so it runs the same on any executor and a task lost with its executor simply runs
 * again elsewhere. Each row comes back to the driver as its task finishes and is handed on at once
 * (the sweep keeps it for {@code --resume} and shows progress); the driver writes sweep.arrow exactly
 * as the local engine does, then sweep.parquet from it.
 *
 * <p>Without {@code --master} (and outside spark-submit, which sets {@code spark.master}) Spark
 * runs in local mode inside the vqsim process: {@code local[*]}, or {@code local[N]} with
 * {@code --jobs N}. On a cluster (any other master) the driver
 *
 * <ul>
 *   <li>ships the traces and a profile file on its own file system to the executors ({@link
 *       Shipment}; {@code spark.vqsim.shipTraces=false} turns that off where every worker sees the
 *       same paths);
 *   <li>gives the executors vqsim's code: its own jar (vqsim-spark.jar) goes into {@code spark.jars}
 *       unless it is there already (spark-submit puts it there);
 *   <li>advertises 127.0.0.1 when the master is on loopback, where the host name may resolve to an
 *       address the workers cannot reach back on ({@code spark.driver.host} or {@code SPARK_LOCAL_IP}
 *       set by the user win);
 *   <li>starts no web UI unless {@code spark.ui.enabled} is set.
 * </ul>
 */
public final class SparkSweepEngine implements SweepEngine {
  /** Spark configuration key: ship the driver's trace files to the executors (default: on a cluster, yes). */
  static final String SHIP = "spark.vqsim.shipTraces";

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

  /** Local mode: the executor is this JVM ({@code local-cluster[…]} starts executor JVMs, like a cluster). */
  static boolean inProcess(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  /** Whether every master of the URL is on this machine's loopback (spark://127.0.0.1:7077, localhost, local-cluster). */
  static boolean onLoopback(String master) {
    if (master.startsWith("local")) return true;
    if (!master.startsWith("spark://")) return false;
    for (String hp : master.substring("spark://".length()).split(",")) {
      String host = URI.create("spark://" + hp).getHost();
      if (host == null || !(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"))) return false;
    }
    return true;
  }

  /** spark.jars with this engine's jar (vqsim-spark.jar) added, unless it is there already or vqsim runs from classes. */
  static String applicationJars(String jars) {
    Path self;
    try {
      self = Path.of(SparkSweepEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      return jars;
    }
    String name = self.getFileName().toString();
    if (!name.endsWith(".jar")) return jars;
    for (String j : jars.split(",")) if (!j.isBlank() && j.strip().endsWith("/" + name)) return jars;
    return jars.isBlank() ? self.toUri().toString() : jars + "," + self.toUri();
  }

  /** A standalone master that does not answer is one line, not a minute of Spark's retries. */
  static void checkReachable(String master) {
    if (!master.startsWith("spark://")) return;
    IOException last = null;
    for (String hp : master.substring("spark://".length()).split(",")) {
      URI u = URI.create("spark://" + hp);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 7077 : u.getPort()), 5000);
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new CliException(ExitCodes.IO, "cannot reach the Spark master " + master + " (" + last.getMessage()
        + "); is the cluster running? (scripts/spark-cluster.sh status)");
  }

  @Override
  public void check(String master, Integer jobs) {
    checkReachable(master(master, jobs));
  }

  @Override
  public void run(SweepPlan plan, List<SweepPlan.Unit> units, String master, Integer jobs, BiConsumer<SweepPlan.Unit, SummaryRow> done)
      throws Exception {
    if (units.isEmpty()) return;
    String m = master(master, jobs);
    boolean inProcess = inProcess(m);
    // a SparkContext, not a SparkSession: the units need only the RDD API, and a session's SQL classes cost seconds to load
    SparkConf conf = new SparkConf(); // with the spark.* system properties: what spark-submit or JAVA_OPTS set
    boolean ship = conf.getBoolean(SHIP, !inProcess);
    conf.setAppName("vqsim sweep").setMaster(m).set("spark.ui.showConsoleProgress", "false");
    if (inProcess) {
      // everything in this process: no web UI, no network interface needed
      conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    } else {
      // vqsim prints the progress; the web UI's start costs half a second ("--conf spark.ui.enabled=true" brings it back)
      if (!conf.contains("spark.ui.enabled")) conf.set("spark.ui.enabled", "false");
      if (onLoopback(m) && !conf.contains("spark.driver.host") && System.getenv("SPARK_LOCAL_IP") == null) {
        conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
      }
      String jars = applicationJars(conf.get("spark.jars", ""));
      if (!jars.isBlank()) conf.set("spark.jars", jars);
    }
    PrintStream err = System.err;
    long t0 = System.nanoTime();
    JavaSparkContext jsc = new JavaSparkContext(conf);
    Executors executors = new Executors();
    jsc.sc().addSparkListener(executors);
    Shipment shipment = Shipment.none();
    try {
      if (ship) shipment = Shipment.of(jsc, plan, units);
      err.printf(Locale.ROOT, "Spark %s on %s: %d combinations as %d tasks (started in %.1f s)%s%n", jsc.version(), m, units.size(), units.size(),
          (System.nanoTime() - t0) / 1e9, shipment.isEmpty() ? "" : "; shipping " + shipment.describe() + " to the executors");
      Map<Integer, SweepPlan.Unit> byIndex = new HashMap<>();
      Map<String, Integer> unitsLeft = new HashMap<>(); // per trace: when none is left, its shipped copy goes
      List<Object> partitions = new ArrayList<>();
      for (SweepPlan.Unit u : units) {
        byIndex.put(u.index(), u);
        unitsLeft.merge(u.trace(), 1, Integer::sum);
        partitions.add(partitions.size());
      }
      // one partition per unit, in order; each row is queued on arrival and handed on by this thread
      RDD<SweepPlan.Unit> rdd = jsc.parallelize(units, units.size()).rdd();
      BlockingQueue<Tuple2<Integer, SummaryRow>> arrived = new LinkedBlockingQueue<>();
      SimpleFutureAction<BoxedUnit> job = jsc.sc().submitJob(rdd, new UnitTask(plan, shipment),
          CollectionConverters.asScala(partitions).toList(), new Arrival(arrived), new NoResult());
      try {
        for (int got = 0; got < units.size();) {
          Tuple2<Integer, SummaryRow> r = arrived.poll(200, TimeUnit.MILLISECONDS);
          if (r != null) {
            SweepPlan.Unit u = byIndex.get(r._1());
            done.accept(u, r._2());
            got++;
            if (unitsLeft.merge(u.trace(), -1, Integer::sum) == 0) shipment.release(u.trace());
          } else if (job.isCompleted() && arrived.isEmpty()) {
            break; // failed: get() below says why
          }
        }
        job.get();
      } catch (InterruptedException e) {
        job.cancel();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (RuntimeException e) {
        job.cancel();
        throw e;
      } catch (Exception e) {
        throw unwrap(e);
      }
      ranOn = "spark (" + m + (inProcess ? "" : ", " + executors.describe()) + ")";
    } finally {
      shipment.destroy();
      jsc.stop();
    }
  }

  /** A task: the one unit of its partition to (index, row). */
  private static final class UnitTask extends AbstractFunction1<scala.collection.Iterator<SweepPlan.Unit>, Tuple2<Integer, SummaryRow>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SweepPlan plan;
    private final Shipment shipment;

    UnitTask(SweepPlan plan, Shipment shipment) {
      this.plan = plan;
      this.shipment = shipment;
    }

    @Override
    public Tuple2<Integer, SummaryRow> apply(scala.collection.Iterator<SweepPlan.Unit> it) {
      SweepPlan.Unit u = it.next();
      try {
        return new Tuple2<>(u.index(), SparkUnits.run(plan, u, shipment));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** On the driver, as each task's result arrives (Spark's scheduler thread): queue it. */
  private static final class Arrival extends AbstractFunction2<Object, Tuple2<Integer, SummaryRow>, BoxedUnit> {
    private final BlockingQueue<Tuple2<Integer, SummaryRow>> queue;

    Arrival(BlockingQueue<Tuple2<Integer, SummaryRow>> queue) {
      this.queue = queue;
    }

    @Override
    public BoxedUnit apply(Object partition, Tuple2<Integer, SummaryRow> row) {
      queue.add(row);
      return BoxedUnit.UNIT;
    }
  }

  private static final class NoResult extends AbstractFunction0<BoxedUnit> {
    @Override
    public BoxedUnit apply() {
      return BoxedUnit.UNIT;
    }
  }

  /** Executors that joined and left during the job, and task attempts that did not succeed (run again elsewhere). */
  private static final class Executors extends SparkListener {
    final AtomicInteger added = new AtomicInteger(), lost = new AtomicInteger(), failedAttempts = new AtomicInteger();

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded e) {
      added.incrementAndGet();
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      lost.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.reason() != Success$.MODULE$) failedAttempts.incrementAndGet();
    }

    /** "2 executors" or "3 executors, 1 lost, 2 tasks run again". */
    String describe() {
      String s = added.get() + " executor" + (added.get() == 1 ? "" : "s");
      if (lost.get() > 0) s += ", " + lost.get() + " lost";
      if (failedAttempts.get() > 0) s += ", " + failedAttempts.get() + " task" + (failedAttempts.get() == 1 ? "" : "s") + " run again";
      return s;
    }
  }

  /**
   * A task's own failure (bad trace, bad option, I/O) as the task threw it, rather than Spark's
   * wrapping of it; executors that cannot load vqsim's classes in one line.
   */
  private static Exception unwrap(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if ((t instanceof ClassNotFoundException || t instanceof NoClassDefFoundError) && String.valueOf(t.getMessage()).contains("vqsim")) {
        return new CliException(ExitCodes.USAGE, "the executors cannot load vqsim's classes (" + t + "): vqsim-spark.jar must reach them "
            + "through spark.jars, which ./vqsim and spark-submit set (see README, Sweeps on Apache Spark)");
      }
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Exception x && !t.getClass().getName().startsWith("org.apache.spark.")) return x;
    }
    return new IllegalStateException("the Spark job failed: " + e.getMessage(), e);
  }

  @Override
  public List<Path> written(Path sweepArrow, Path outDir, boolean force) throws Exception {
    Path parquet = outDir.resolve(ParquetOut.FILE);
    ParquetOut.write(sweepArrow, parquet);
    return List.of(parquet);
  }
}
