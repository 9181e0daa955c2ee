package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.ServiceDistribution;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;

/**
 * The backend's write bandwidth ({@code backend_write_mib_per_s}) times the writes only, and the
 * guest jitter ({@code guest_jitter_distribution}) adds its draws to the latencies, the same for a
 * seed and not the device's service time.
 */
class BackendDirectionAndJitterTest {
  static final int N = 400, LEN = 128 * 1024;

  /** Per request: latency, service (pop to fill) and issue to pop, ns; reads then writes, one at a time. */
  private static long[][] replay(CostProfile p, long seed) throws IOException {
    long[][] out = new long[3][2 * N];
    ReplayEngine e = new ReplayEngine(StrategyId.of("direct"), p, ReplayConfig.defaults().withIodepth(1).withSeed(seed), DmaOptions.defaults());
    e.run(new RequestSource() {
      int i;

      @Override
      public boolean next(IoRequest into) {
        if (i == 2 * N) return false;
        into.set(0, i < N ? IoOp.READ : IoOp.WRITE, (long) i * LEN, LEN);
        i++;
        return true;
      }
    }, (request, op, offset, length, submitNs, completeNs, ledger, slot, cpu, queue) -> {
      out[0][(int) request] = completeNs - submitNs;
      out[1][(int) request] = ledger.slotServicePs(slot) / 1000;
      out[2][(int) request] = ledger.slotPopPs(slot) / 1000 - submitNs;
    });
    return out;
  }

  private static double mean(long[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) s += v[i];
    return s / (to - from);
  }

  @Test
  void theWriteBandwidthTimesTheWritesOnly() throws IOException {
    CostProfile base = CostProfile.builtIn("x86-kvm");
    long[][] a = replay(base, 1);
    long[][] b = replay(base.withOverride("backend_write_mib_per_s", 100), 1);
    long[][] c = replay(base.withOverride("backend_write_mib_per_s", base.get(org.vqsim.engine.cost.CostFigure.BACKEND_MIB_PER_S)), 1);

    // reads unchanged, request for request
    for (int i = 0; i < N; i++) assertThat(b[0][i]).isEqualTo(a[0][i]);
    // each write's transfer: 128 KiB at 100 MiB/s instead of at backend_mib_per_s
    double extra = LEN / (100 * 1048576.0) * 1e9 - LEN / (base.get(org.vqsim.engine.cost.CostFigure.BACKEND_MIB_PER_S) * 1048576.0) * 1e9;
    assertThat(mean(b[1], N, 2 * N) - mean(a[1], N, 2 * N)).isCloseTo(extra, org.assertj.core.data.Offset.offset(2.0));
    // given equal to the read bandwidth, it is the profile without it
    assertThat(c[0]).isEqualTo(a[0]);
  }

  @Test
  void theGuestJitterAddsItsDrawsOutsideTheServiceTimeTheSameForASeed() throws IOException {
    CostProfile base = CostProfile.builtIn("x86-kvm");
    CostProfile jit = base.derive("j", "test", new double[org.vqsim.engine.cost.CostFigure.COUNT], new String[org.vqsim.engine.cost.CostFigure.COUNT], null, null,
        ServiceDistribution.parse("empirical 0:0 0.5:0 1:200000"), "test", null, null);
    long[][] a = replay(base, 3);
    long[][] j1 = replay(jit, 3), j2 = replay(jit, 3), j3 = replay(jit, 4);

    assertThat(j1[0]).isEqualTo(j2[0]);
    assertThat(j1[0]).isNotEqualTo(j3[0]);
    assertThat(j1[1]).as("the service time is the device's").isEqualTo(a[1]);
    // the draws' mean is 0.5 × 100 µs = 50 µs; 800 draws put the sample mean within ±10 µs
    assertThat(mean(j1[0], 0, 2 * N) - mean(a[0], 0, 2 * N)).isBetween(40_000.0, 60_000.0);
    int stalled = 0;
    for (int i = 0; i < 2 * N; i++) {
      assertThat(j1[0][i]).isGreaterThanOrEqualTo(a[0][i] - 1); // ps rounded to ns
      if (j1[0][i] > a[0][i] + 1000) stalled++;
    }
    assertThat(stalled).as("about half the requests draw a delay").isBetween(N * 2 * 4 / 10, N * 2 * 6 / 10);
    // a profile that says none adds nothing
    CostProfile none = CostProfile.parse(new StringReader(base.toFileText("t") + CostProfile.JITTER_KEY + " = none   # source: test\n"), "t");
    assertThat(replay(none, 3)[0]).isEqualTo(a[0]);
    // a strategy's own jitter wins over the profile's
    CostProfile own = CostProfile.parse(new StringReader(jit.toFileText("t") + CostProfile.JITTER_KEY + ".direct = none   # source: test\n"), "t");
    assertThat(replay(own, 3)[0]).isEqualTo(a[0]);
    CostProfile other = CostProfile.parse(new StringReader(jit.toFileText("t") + CostProfile.JITTER_KEY + ".bounce = none   # source: test\n"), "t");
    assertThat(replay(other, 3)[0]).isEqualTo(j1[0]);
  }

  @Test
  void withAReferenceExposureEachDrawScalesByTheSquareRootOfTheRequestsIssueToPopTime() throws IOException {
    CostProfile base = CostProfile.builtIn("x86-kvm");
    CostProfile flat = base.derive("j", "test", new double[org.vqsim.engine.cost.CostFigure.COUNT], new String[org.vqsim.engine.cost.CostFigure.COUNT], null, null,
        ServiceDistribution.parse("empirical 0:100000 1:100000"), "test", null, null);
    long[][] a = replay(base, 3), f = replay(flat, 3);
    // every request waits its issue to pop time, ref: the draw, 100 µs, unscaled; at a quarter of that, doubled
    long e = a[2][0];
    assertThat(e).isPositive();
    long[][] same = replay(flat.withJitterExposure(e, "test"), 3), quarter = replay(flat.withJitterExposure(e / 4.0, "test"), 3);
    for (int i = 0; i < 2 * N; i++) {
      // the jitter comes after the pop: the issue to pop time is the same, to the ns the times are rounded to
      assertThat(same[2][i]).isCloseTo(a[2][i], org.assertj.core.data.Offset.offset(1L));
      assertThat(f[0][i] - a[0][i]).isCloseTo(100_000L, org.assertj.core.data.Offset.offset(1L));
      // the scale from the replay's own issue to pop time (whole ns, the engine's in ps: 10 ns per ns of it at these sizes)
      double scale = Math.sqrt(same[2][i] / (double) e), scaleQ = Math.sqrt(quarter[2][i] / (double) e);
      assertThat((double) (same[0][i] - same[2][i] - (a[0][i] - a[2][i]))).isCloseTo(100_000 * scale, org.assertj.core.data.Offset.offset(20.0));
      assertThat((double) (quarter[0][i] - quarter[2][i] - (a[0][i] - a[2][i]))).isCloseTo(200_000 * scaleQ, org.assertj.core.data.Offset.offset(40.0));
    }
    // 0 without a source takes the scaling away
    assertThat(replay(flat.withJitterExposure(e / 4.0, "test").withJitterExposure(0, null), 3)[0]).isEqualTo(f[0]);
  }
}
