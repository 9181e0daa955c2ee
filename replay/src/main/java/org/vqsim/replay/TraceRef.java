package org.vqsim.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.Traces;
import org.vqsim.capture.canonical.CanonicalTrace;
import org.vqsim.capture.synthetic.SyntheticSource;
import org.vqsim.capture.synthetic.WorkloadSpec;
import org.vqsim.engine.sim.RequestSource;

/** What a replay reads: a trace file (any supported format) or a generated workload. Re-openable, so each strategy streams it anew. */
record TraceRef(Path file, TraceFormat format, String device, WorkloadSpec generated, boolean skipBadLines) {

  TraceRef(Path file, TraceFormat format, String device, WorkloadSpec generated) {
    this(file, format, device, generated, false);
  }

  static TraceRef file(Path file, TraceFormat format, String device) {
    return new TraceRef(file, format, device, null);
  }

  /** A trace file read with malformed lines skipped and counted rather than fatal. */
  static TraceRef file(Path file, TraceFormat format, String device, boolean skipBadLines) {
    return new TraceRef(file, format, device, null, skipBadLines);
  }

  static TraceRef generated(WorkloadSpec spec) {
    return new TraceRef(null, null, null, spec);
  }

  /** The name shown in results: the file name, or "generated:rw,bs,…". */
  String label() {
    if (generated != null) {
      Map<String, String> d = generated.describe();
      return "generated:" + d.get("rw") + "," + d.get("bs");
    }
    return Stdin.is(file) ? Stdin.NAME : file.getFileName().toString();
  }

  /**
   * How many requests the trace holds, when that is known before reading it: a generated workload's
   * count, a canonical trace's rows; -1 for text traces (known only once read).
   */
  long expectedRequests() {
    if (generated != null) return generated.expectedRequests();
    try {
      TraceFormat f = format != null ? format : Traces.detect(file);
      return f == TraceFormat.CANONICAL ? org.vqsim.capture.canonical.CanonicalTraceReader.countRows(file) : -1;
    } catch (IOException | RuntimeException e) {
      return -1; // reported when the trace is opened
    }
  }

  /** Opens the stream and reports the trace's metadata (default iodepth, arrival mode, and the CPUs of several jobs). */
  Traces.Opened open() throws IOException {
    if (generated != null) {
      Map<String, String> m = new java.util.LinkedHashMap<>();
      m.put(CanonicalTrace.META_IODEPTH, Integer.toString(generated.iodepth()));
      m.put(CanonicalTrace.META_ARRIVAL, generated.rateIops() > 0 ? "open" : "closed");
      m.putAll(GenerateCommand.cpuMetadata(generated));
      RequestSource s = new SyntheticSource(generated);
      return new Traces.Opened(s, TraceFormat.CANONICAL, m);
    }
    return Traces.open(file, ReadOptions.defaults().withFormat(format).withDevice(device).withSkipBadLines(skipBadLines));
  }
}
