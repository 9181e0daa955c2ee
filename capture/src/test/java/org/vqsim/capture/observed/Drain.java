package org.vqsim.capture.observed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/** Reads a source to its end into plain rows, for assertions. */
public final class Drain {
  private Drain() {}

  /** One request as read: op letter, offset, length, ts, what was observed and the submitting CPU (-1: not in the trace). */
  public record Row(String op, long offset, int length, long tsNs, long completeNs, String observed, int[] segments, int cpu) {
    public long count(ObservedEvents.Counter c, ObservedEvents e) { return e.get(c); }
  }

  public static List<Row> rows(RequestSource s) throws IOException {
    List<Row> out = new ArrayList<>();
    IoRequest r = new IoRequest();
    ObservedSource o = s instanceof ObservedSource x ? x : null;
    while (s.next(r)) {
      ObservedEvents e = o == null ? null : o.observed();
      out.add(new Row(org.vqsim.engine.sim.IoOp.letter(r.op), r.offset, r.length, r.tsNs, e == null ? -1 : e.completeNs,
          e == null ? "" : e.toString(), e == null ? new int[0] : e.segmentSizes(), r.cpu));
    }
    return out;
  }

  /** Per-request counters, one long[] per request. */
  public static List<long[]> counts(ObservedSource s) throws IOException {
    List<long[]> out = new ArrayList<>();
    IoRequest r = new IoRequest();
    while (s.next(r)) out.add(s.observed().counts.clone());
    return out;
  }
}
