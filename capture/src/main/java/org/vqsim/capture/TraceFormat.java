package org.vqsim.capture;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.util.Names;

/** The trace formats vqsim reads, registered once with their CLI name. */
public enum TraceFormat {
  CANONICAL("arrow", "the canonical vqsim trace (Arrow IPC file)"),
  FTRACE("ftrace", "Linux ftrace text: block_rq_issue events (trace or trace-cmd report)");

  public final String id;
  public final String description;

  TraceFormat(String id, String description) {
    this.id = id;
    this.description = description;
  }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (TraceFormat f : values()) l.add(f.id);
    return l;
  }

  public static TraceFormat of(String id) {
    for (TraceFormat f : values()) if (f.id.equals(id)) return f;
    throw new IllegalArgumentException("unknown trace format '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
