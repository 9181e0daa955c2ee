package org.vqsim.analysis.report;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.StrategyId;
import tech.tablesaw.aggregate.AggregateFunctions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The table work of the report, done with Tablesaw on the small result tables: rankings, the
 * cycle breakdown melted to long form and joined against {@code direct}, latency CDFs rebuilt from
 * histogram buckets, totals grouped by strategy, and the fleet table joined with the summaries.
 */
public final class Summaries {
  private Summaries() {}

  /** The strategy every ratio is taken against. */
  public static final String BASELINE = "direct";

  /** Whether {@code id} is a model prediction no lab trace can check ({@link StrategyId#prediction}). */
  public static boolean prediction(String id) {
    try {
      return StrategyId.of(id).prediction;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A strategy's label in charts and tables: {@code †} marks a prediction. */
  public static String label(String id) {
    return prediction(id) ? id + " †" : id;
  }

  /** The summary rows ranked by cycles per request, costliest first. */
  public static Table rankedByCost(Table summary) {
    return summary.sortDescendingOn("cycles_per_request");
  }

  /** The row of one strategy, or an empty table. */
  public static Table row(Table t, String strategy) {
    return t.where(t.stringColumn("strategy").isEqualTo(strategy));
  }

  /** Cycles per request by category in long form: strategy, variable ({@code cycles_<category>}), value. */
  public static Table cyclesByCategoryLong(Table summary) {
    List<NumericColumn<?>> cols = new ArrayList<>();
    for (Category c : Category.values()) cols.add(summary.numberColumn("cycles_" + c.id));
    return summary.melt(List.of("strategy"), cols, true);
  }

  /** Cycles per request by actor in long form. */
  public static Table cyclesByActorLong(Table summary) {
    List<NumericColumn<?>> cols = new ArrayList<>();
    for (Actor a : Actor.values()) cols.add(summary.numberColumn("cycles_" + a.id));
    return summary.melt(List.of("strategy"), cols, true);
  }

  /**
   * What {@code strategy} spends beyond {@code baseline}, per category ({@code long} is a melted
   * breakdown): columns variable, value, baseline_value, extra; largest extra first.
   */
  public static Table extraOver(Table longForm, String strategy, String baseline) {
    Table mine = longForm.where(longForm.stringColumn("strategy").isEqualTo(strategy)).removeColumns("strategy");
    Table base = longForm.where(longForm.stringColumn("strategy").isEqualTo(baseline)).removeColumns("strategy");
    base.doubleColumn("value").setName("baseline_value");
    Table j = mine.joinOn("variable").with(base).join();
    DoubleColumn extra = j.doubleColumn("value").subtract(j.doubleColumn("baseline_value"));
    extra.setName("extra");
    j.addColumns(extra);
    return j.sortDescendingOn("extra");
  }

  /** Requests counted per strategy in latency.arrow (group by strategy, sum of bucket counts). */
  public static Table latencyTotals(Table latency) {
    return latency.summarize("count", AggregateFunctions.sum).by("strategy");
  }

  /**
   * One strategy's latency CDF from its histogram buckets: cumulative bucket counts over the total,
   * at each bucket's upper bound in µs, thinned to about {@code maxPoints} points on a log grid
   * (the steps that matter for the tail are kept). Returns {x µs, y fraction}.
   */
  public static double[][] cdf(Table latency, String strategy, int maxPoints) {
    Table t = latency.where(latency.stringColumn("strategy").isEqualTo(strategy)).sortAscendingOn("bucket_high_ns");
    if (t.rowCount() == 0) return new double[][] {new double[0], new double[0]};
    DoubleColumn cum = t.numberColumn("count").cumSum();
    double total = cum.getDouble(cum.size() - 1);
    DoubleColumn x = t.numberColumn("bucket_high_ns").divide(1000.0);
    DoubleColumn y = cum.divide(total);
    double lo = Math.max(t.numberColumn("bucket_low_ns").getDouble(0) / 1000.0, 1e-3);
    double hi = x.getDouble(x.size() - 1);
    double step = (Math.log10(hi) - Math.log10(lo)) / Math.max(1, maxPoints);
    List<double[]> pts = new ArrayList<>();
    pts.add(new double[] {lo, 0});
    double lastX = lo, lastY = 0;
    for (int i = 0; i < x.size(); i++) {
      double xi = x.getDouble(i), yi = y.getDouble(i);
      boolean last = i == x.size() - 1;
      // keep a point when it moved far enough along the log axis, or up by 0.5%, or sits in the tail
      if (last || Math.log10(xi) - Math.log10(lastX) >= step || yi - lastY >= 0.005 || (yi > 0.99 && yi != lastY)) {
        pts.add(new double[] {xi, yi});
        lastX = xi;
        lastY = yi;
      }
    }
    double[] xs = new double[pts.size()], ys = new double[pts.size()];
    for (int i = 0; i < pts.size(); i++) {
      xs[i] = pts.get(i)[0];
      ys[i] = pts.get(i)[1];
    }
    return new double[][] {xs, ys};
  }

  /** The per-request DMA event means of the summary (bytes left out: they are not events). */
  public static List<EventKind> eventKinds() {
    List<EventKind> l = new ArrayList<>();
    for (EventKind e : EventKind.values()) if (e != EventKind.BOUNCE_BYTES) l.add(e);
    return l;
  }

  /**
   * The fleet table joined with the summaries of the profiles it replayed ({@code summaries}: rows of
   * every profile's summary.arrow with their profile column): adds {@code lat_p99_ns} and {@code
   * cycles_per_request} for the guests that run. Guests that do not run keep missing values.
   */
  public static Table fleetWithSummaries(Table fleet, Table summaries) {
    Table right = summaries.selectColumns("profile", "strategy", "lat_p99_ns", "cycles_per_request", "cycles_vs_direct");
    return fleet.joinOn("profile", "strategy").with(right).type(tech.tablesaw.joining.JoinType.LEFT_OUTER).join();
  }

  /** Appends the rows of several summaries into one table (same schema). */
  public static Table union(List<Table> tables) {
    Table all = tables.get(0).copy();
    for (int i = 1; i < tables.size(); i++) all.append(tables.get(i));
    return all;
  }

  /** The strategies of a summary in run order. */
  public static List<String> strategies(Table summary) {
    StringColumn c = summary.stringColumn("strategy");
    return c.asList();
  }
}
