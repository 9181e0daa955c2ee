package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The event queue pops in (time, scheduling order), as a plain priority queue over the same keys does. */
class EventQueueTest {
  record Ev(long time, long seq, int type, int arg, int arg2) {}

  @Test
  void popsInTimeThenSchedulingOrderLikeAReferenceQueue() {
    Random rnd = new Random(17);
    for (int round = 0; round < 200; round++) {
      EventQueue q = new EventQueue();
      PriorityQueue<Ev> ref = new PriorityQueue<>((x, y) -> x.time != y.time ? Long.compare(x.time, y.time) : Long.compare(x.seq, y.seq));
      long seq = 0, now = 0;
      for (int step = 0; step < 2000; step++) {
        if (rnd.nextInt(3) > 0 || ref.isEmpty()) {
          // mostly soon after now, sometimes at now exactly, sometimes far ahead: ties and the first-event path both get exercised
          long t = now + switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(3);
            default -> rnd.nextInt(1000);
          };
          int ty = rnd.nextInt(10), a = rnd.nextInt(), b = rnd.nextInt();
          q.push(t, ty, a, b);
          ref.add(new Ev(t, seq++, ty, a, b));
        } else {
          Ev e = ref.poll();
          assertThat(q.isEmpty()).isFalse();
          q.pop();
          assertThat(new long[] {q.topTime, q.topType, q.topArg, q.topArg2}).containsExactly(e.time, e.type, e.arg, e.arg2);
          now = e.time;
        }
        assertThat(q.size()).isEqualTo(ref.size());
      }
      while (!ref.isEmpty()) {
        Ev e = ref.poll();
        q.pop();
        assertThat(new long[] {q.topTime, q.topType, q.topArg, q.topArg2}).containsExactly(e.time, e.type, e.arg, e.arg2);
      }
      assertThat(q.isEmpty()).isTrue();
    }
  }
}
