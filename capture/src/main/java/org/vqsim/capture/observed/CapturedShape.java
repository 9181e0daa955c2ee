package org.vqsim.capture.observed;

import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;

/**
 * Turns what a captured trace shows of a request's mappings into its data segments, so that a
 * replay uses the real scatter-gather shape instead of the page-contiguity model.
 *
 * <p>Linux virtio-blk maps a request's buffers in chain order — the 16-byte header, the data
 * segments, the status byte — and then the indirect table ({@code virtqueue_add_split}); the lab
 * traces show exactly that (4 maps for a 4 KiB read). So the data segments are the mappings
 * between the first and the last two. {@code iommu:map} sizes are whole IOMMU pages, {@code
 * swiotlb_bounced} sizes exact: the segments are trimmed to add up to the request length. A trace
 * that shows only how many mappings there were (POWER's function tracer) gives that many segments of
 * equal 4 KiB-multiple sizes.
 */
public final class CapturedShape {
  private CapturedShape() {}

  private static final int NON_DATA = 3; // header, status, indirect table

  /** Sets {@code into}'s segments from {@code ev} when the trace shows them; leaves them unset otherwise. */
  public static void apply(ObservedEvents ev, IoRequest into) {
    if (!IoOp.hasData(into.op) || into.length <= 0) return;
    int n = ev.segmentCount();
    if (n > NON_DATA) {
      int[] s = ev.segmentSizes();
      int data = n - NON_DATA;
      long sum = 0;
      for (int i = 1; i <= data; i++) sum += s[i];
      if (sum < into.length) return; // not the shape we expect: let the model decide
      // trim page-rounded sizes from the end until they add up to the request
      long excess = sum - into.length;
      for (int i = data; i >= 1 && excess > 0; i--) {
        int cut = (int) Math.min(excess, s[i] - 1);
        s[i] -= cut;
        excess -= cut;
      }
      if (excess > 0) return;
      into.setSegments(s, 1, data);
      return;
    }
    long maps = ev.get(ObservedEvents.Counter.MAPS);
    if (n == 0 && maps > NON_DATA) {
      int data = (int) Math.min(maps - NON_DATA, Math.max(1, into.length / 4096));
      int[] seg = new int[data];
      int unit = Math.max(4096, (into.length / data) / 4096 * 4096);
      int left = into.length;
      for (int i = 0; i < data; i++) {
        seg[i] = i == data - 1 ? left : Math.min(unit, left - (data - 1 - i));
        left -= seg[i];
      }
      if (left == 0 && seg[data - 1] > 0) into.setSegments(seg, 0, data);
    }
  }
}
