package org.vqsim.capture.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vqsim.capture.TestData;
import org.vqsim.capture.TraceException;

class TimedRunReaderTest {
  private static Path lab(String f) {
    return TestData.samples().resolve("qemu-lab-timing").resolve(f);
  }

  /** The figures samples/qemu-lab-timing/README.md lists for this run (its per-run table, from the lab's own analysis script). */
  @Test
  void readsTheLabTablesFigures() throws IOException {
    TimedRun r = TimedRunReader.read(lab("randread4k.viommu-strict.boot1.guest-ftrace.txt.gz"), lab("randread4k.viommu-strict.boot1.qemu-trace.log.gz"));
    assertEquals(2000, r.requests());
    assertEquals(1, r.maxInFlight());
    assertEquals(1, r.kinds().length);
    assertEquals("RS 4096", r.kinds()[0]);
    long[] lat = r.latencies("RS 4096");
    assertEquals(1000, Math.round(TimedRun.quantile(lat, 0.5) / 1000.0));
    assertEquals(1206, Math.round(TimedRun.quantile(lat, 0.9) / 1000.0));
    assertEquals(2606, Math.round(TimedRun.quantile(lat, 0.99) / 1000.0));
    assertEquals(1041, Math.round(TimedRun.mean(lat) / 1000.0));
    long[] svc = r.serviceTimes("RS 4096");
    assertEquals(387, Math.round(TimedRun.quantile(svc, 0.5) / 1000.0));
    assertEquals(956, Math.round(TimedRun.quantile(svc, 0.99) / 1000.0));
    for (int i = 0; i < r.requests(); i++) {
      assertEquals(4, r.maps()[i]);
      assertEquals(4, r.unmaps()[i]);
    }
    // caching mode: every map and unmap is one page-selective invalidation
    long inv = 0;
    for (int x : r.invalidations()) inv += x;
    assertEquals(8.0, inv / 2000.0, 0.05);
  }

  @Test
  void bounceRunCountsBouncedBuffers() throws IOException {
    TimedRun r = TimedRunReader.read(lab("seqwrite128k.bounce.boot2.guest-ftrace.txt.gz"), null);
    assertEquals(1000, r.requests());
    assertEquals("WS 131072", r.kind(0));
    assertEquals(689, Math.round(TimedRun.quantile(r.latencies("WS 131072"), 0.5) / 1000.0));
    assertEquals(33, r.bounces()[10]);
    assertEquals(0, r.serviceTimes("WS 131072").length);
  }

  @Test
  void qemuLogOfAnotherRunIsRejected() {
    TraceException e = assertThrows(TraceException.class,
        () -> TimedRunReader.read(lab("randread4k.direct.boot1.guest-ftrace.txt.gz"), lab("seqread64k.direct.boot1.qemu-trace.log.gz")));
    assertTrue(e.getMessage().contains("seqread64k.direct.boot1.qemu-trace.log.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("not the guest's"), e.getMessage());
  }

  @Test
  void traceWithoutCompletionsIsAnError(@TempDir Path dir) throws IOException {
    Path g = dir.resolve("nocomplete.guest-ftrace.txt");
    Files.writeString(g, "# tracer: nop\n"
        + "    kworker/0:1H-37      [000] .....     5.197513: block_rq_issue: 254,0 RS 4096 () 4768 + 8 [kworker/0:1H]\n"
        + "    kworker/0:1H-37      [000] .....     5.199513: block_rq_issue: 254,0 RS 4096 () 9768 + 8 [kworker/0:1H]\n");
    TraceException e = assertThrows(TraceException.class, () -> TimedRunReader.read(g, null));
    assertTrue(e.getMessage().contains("no block_rq_complete"), e.getMessage());
    assertTrue(e.getMessage().contains(g.toString()), e.getMessage());
  }
}
