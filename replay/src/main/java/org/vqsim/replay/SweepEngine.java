package org.vqsim.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.BiConsumer;
import org.vqsim.analysis.arrow.SummaryRow;

/**
 * Runs a sweep's units somewhere other than this JVM's thread pool (the {@code spark/} module's
 * {@code SparkSweepEngine}). Found with {@link ServiceLoader} so that the command line never links
 * against an engine's libraries: they are on the class path only when that engine is asked for.
 * Each unit is {@link SweepExecutor#run}: a pure function of the (serializable) plan and unit.
 */
public interface SweepEngine extends AutoCloseable {
  /** The name given to {@code --engine}. */
  String name();

  /**
   * Runs {@code units} of {@code plan} and hands each finished row to {@code done} on the calling
   * thread, in any order. {@code master} is the cluster URL ({@code local[*]} by default), {@code
   * jobs} the parallelism asked for with {@code --jobs} (null: the engine's default).
   */
  void run(SweepPlan plan, List<SweepPlan.Unit> units, String master, Integer jobs, BiConsumer<SweepPlan.Unit, SummaryRow> done) throws Exception;

  /** Checked before anything is written: whether the engine can run at all (a cluster's master answers). Throws a {@link CliException} if not. */
  default void check(String master, Integer jobs) throws Exception {}

  /** Called once sweep.arrow is in place: the engine may write more outputs next to it (Parquet). Returns what it wrote. */
  default List<Path> written(Path sweepArrow, Path outDir, boolean force) throws Exception {
    return List.of();
  }

  /** Where the last run ran, for the closing line: "spark (local[2])". */
  default String where() {
    return name();
  }

  @Override
  default void close() throws Exception {}

  /** The engine called {@code name}, or null when it is not on the class path. */
  static SweepEngine find(String name) {
    for (SweepEngine e : ServiceLoader.load(SweepEngine.class)) if (e.name().equals(name)) return e;
    return null;
  }
}
