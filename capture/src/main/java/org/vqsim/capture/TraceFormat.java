package org.vqsim.capture;

import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.util.Names;

/** The trace formats vqsim reads, registered once with their CLI name. */
public enum TraceFormat {
  CANONICAL("arrow", "the canonical vqsim trace (Arrow IPC file)"),
  FTRACE("ftrace", "Linux ftrace text: block requests and DMA events (trace or trace-cmd report)"),
  QEMU("qemu", "QEMU trace log backend: virtio-blk requests, virtqueue, vIOMMU and TCE events"),
  BLKPARSE("blkparse", "blkparse default text output (D issue, C complete)"),
  FIO("fio", "fio iolog, version 2 or 3 (--write_iolog)"),
  MSR("msr", "SNIA / MSR Cambridge block trace CSV (Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime)");

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
