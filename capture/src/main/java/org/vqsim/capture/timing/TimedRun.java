package org.vqsim.capture.timing;

import java.util.Arrays;
import org.vqsim.engine.sim.IoOp;

/**
 * The per-request timing a captured run shows: for each request of the guest trace, in issue order,
 * its kind, its issue time, its latency (guest {@code block_rq_issue} to {@code block_rq_complete}),
 * the DMA events the guest traced for it and, when the run has its QEMU log, the device service time
 * (QEMU {@code virtqueue_pop} to {@code virtqueue_fill} of the same element) and the invalidations QEMU
 * processed between this request's pop and the next one's.
 *
 * @param name the run's name (the guest file name without its suffix)
 * @param maxInFlight the most requests in flight at once in the guest trace
 * @param qemuIommu which IOMMU model the QEMU log shows at work: "vtd" (vtd_inv_desc_*), "virtio-iommu"
 *     (virtio_iommu_map/unmap), "spapr" (spapr_iommu_*), or "" (none, or no QEMU log)
 */
public record TimedRun(
    String name,
    byte[] op,
    int[] length,
    long[] offset,
    long[] issueNs,
    long[] latencyNs,
    long[] serviceNs,
    int[] maps,
    int[] unmaps,
    int[] bounces,
    long[] bounceBytes,
    int[] invalidations,
    long[] invalidationSpanNs,
    int maxInFlight,
    boolean hasQemu,
    String qemuIommu) {

  public int requests() { return op.length; }

  /** A request's kind as the lab READMEs name it: op letter (R/W), S for synchronous, then its bytes (e.g. {@code RS 4096}). */
  public String kind(int i) {
    return IoOp.letter(op[i]) + "S " + length[i];
  }

  /** The distinct kinds, in order of first appearance. */
  public String[] kinds() {
    return Arrays.stream(indicesKinds()).distinct().toArray(String[]::new);
  }

  private String[] indicesKinds() {
    String[] k = new String[requests()];
    for (int i = 0; i < k.length; i++) k[i] = kind(i);
    return k;
  }

  /** Latencies (ns) of the requests of one kind, in issue order. */
  public long[] latencies(String kind) {
    return select(latencyNs, kind);
  }

  /** Device service times (ns) of the requests of one kind; empty without a QEMU log. */
  public long[] serviceTimes(String kind) {
    return hasQemu ? select(serviceNs, kind) : new long[0];
  }

  private long[] select(long[] v, String kind) {
    int n = 0;
    for (int i = 0; i < v.length; i++) if (kind(i).equals(kind)) n++;
    long[] out = new long[n];
    n = 0;
    for (int i = 0; i < v.length; i++) if (kind(i).equals(kind)) out[n++] = v[i];
    return out;
  }

  /** The per-mille quantile {@code q} (0..1) of {@code v} by the nearest-rank method (what the lab's analysis script uses for its tables). */
  public static long quantile(long[] v, double q) {
    if (v.length == 0) return -1;
    long[] s = v.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(q * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
  }

  public static double mean(long[] v) {
    double sum = 0;
    for (long x : v) sum += x;
    return v.length == 0 ? Double.NaN : sum / v.length;
  }
}
