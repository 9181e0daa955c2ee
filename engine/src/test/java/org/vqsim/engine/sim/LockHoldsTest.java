package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lock's blocked store of holds answers every gap search exactly as a plain scan of a sorted list
 * would, through thousands of holds queued (block splits, skipped packed blocks, prunes of whole
 * blocks and of part of one).
 */
class LockHoldsTest {
  /** The obvious implementation: a sorted list of [start, end) scanned from the front. */
  static final class Plain {
    final List<long[]> holds = new ArrayList<>();

    void prune(long ps) {
      holds.removeIf(h -> h[1] <= ps);
    }

    long fit(long t, long dur) {
      long cand = t;
      for (long[] h : holds) {
        if (h[1] <= cand) continue;
        if (cand + dur <= h[0]) break;
        cand = h[1];
      }
      return cand;
    }

    void place(long s, long e) {
      int i = 0;
      while (i < holds.size() && holds.get(i)[0] <= s) i++;
      holds.add(i, new long[] {s, e});
    }

    long lastEnd() {
      return holds.isEmpty() ? Long.MIN_VALUE : holds.get(holds.size() - 1)[1];
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomQueuesAgreeWithAPlainScan(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Lock lock = new Lock("t", Lock.Kind.SPIN, 0);
    Plain plain = new Plain();
    long now = 0;
    int deepest = 0;
    for (int step = 0; step < 20_000; step++) {
      int what = rnd.nextInt(100);
      if (what < 2) {
        now += rnd.nextLong(1, 8_000); // time moves on: the queue drains from the front
        lock.prune(now);
        plain.prune(now);
      } else if (what < 10) {
        // a hold of unknown length goes after everything (acquire … release)
        long s = Math.max(now + rnd.nextLong(0, 1000), lock.lastEnd());
        assertThat(lock.lastEnd()).isEqualTo(plain.lastEnd());
        long e = s + rnd.nextLong(1, 500);
        lock.place(s, e);
        plain.place(s, e);
      } else {
        // holds asked for near now or a little ahead, long and short, packed or with gaps
        long t = now + rnd.nextLong(0, 5000);
        long dur = rnd.nextInt(4) == 0 ? rnd.nextLong(100, 2000) : rnd.nextLong(1, 60);
        long got = lock.fit(t, dur);
        assertThat(got).as("step %d: fit(%d, %d)", step, t, dur).isEqualTo(plain.fit(t, dur));
        lock.place(got, got + dur);
        plain.place(got, got + dur);
      }
      assertThat(lock.holds()).isEqualTo(plain.holds.size());
      deepest = Math.max(deepest, lock.holds());
    }
    assertThat(deepest).as("the test queued enough holds to need many blocks").isGreaterThan(1000);
  }
}
