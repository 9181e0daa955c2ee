package org.vqsim.replay.timing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.capture.timing.TimedRun;
import org.vqsim.engine.cost.CostProfile;

/**
 * Observed against modelled timing of one captured run: the run is replayed as {@link
 * ModelRun#replayForFit} does (a run with one request in flight at a time in a closed loop at depth 1,
 * others as captured) with a profile, and per request kind its latency mean, p50 and p99 and the
 * run's throughput are compared with what the capture measured (nearest-rank percentiles, as the lab
 * READMEs compute them).
 */
public final class TimingCheck {
  private TimingCheck() {}

  /** One compared figure: {@code kind} is a request kind ("RS 4096") or "all". */
  public record Row(String metric, String kind, double observed, double modelled) {
    public double errorPct() {
      return observed == 0 ? (modelled == 0 ? 0 : 100) : (modelled - observed) / observed * 100;
    }
  }

  public static List<Row> check(TimedRun observed, ModelRun model, CostProfile profile) throws IOException {
    ModelRun.Times t = model.replayForFit(profile);
    List<Row> rows = new ArrayList<>();
    for (String kind : observed.kinds()) {
      long[] o = observed.latencies(kind);
      long[] m = select(t.latencyNs(), observed, kind);
      rows.add(new Row("latency_mean_ns", kind, TimedRun.mean(o), TimedRun.mean(m)));
      rows.add(new Row("latency_p50_ns", kind, TimedRun.quantile(o, 0.5), TimedRun.quantile(m, 0.5)));
      rows.add(new Row("latency_p99_ns", kind, TimedRun.quantile(o, 0.99), TimedRun.quantile(m, 0.99)));
    }
    double modelled;
    if (model.config.iodepth() == 1) {
      // the capture's think times (from a completion to the next issue) between the model's latencies: what the capturing process would have done
      long span = 0;
      for (int i = 0; i < observed.requests(); i++) {
        span += t.latencyNs()[i];
        if (i + 1 < observed.requests()) span += Math.max(0, observed.issueNs()[i + 1] - observed.issueNs()[i] - observed.latencyNs()[i]);
      }
      modelled = span > 0 ? observed.requests() / (span / 1e9) : 0;
    } else {
      modelled = throughput(t.submitNs(), t.latencyNs());
    }
    rows.add(new Row("throughput_per_s", "all", throughput(observed.issueNs(), observed.latencyNs()), modelled));
    return rows;
  }

  /**
   * Requests per second from the first issue to the last completion. For a depth-1 run the modelled
   * figure puts the capture's own think times (completion to next issue) between the modelled
   * latencies, as the capturing process would have issued them.
   */
  static double throughput(long[] issue, long[] latency) {
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
    for (int i = 0; i < issue.length; i++) {
      first = Math.min(first, issue[i]);
      last = Math.max(last, issue[i] + latency[i]);
    }
    return last > first ? issue.length / ((last - first) / 1e9) : 0;
  }

  private static long[] select(long[] v, TimedRun r, String kind) {
    int n = 0;
    for (int i = 0; i < v.length; i++) if (r.kind(i).equals(kind)) n++;
    long[] out = new long[n];
    n = 0;
    for (int i = 0; i < v.length; i++) if (r.kind(i).equals(kind)) out[n++] = v[i];
    return out;
  }
}
