package org.vqsim.engine.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.util.LogHistogram;

/**
 * What one replay produced besides its per-request rows.
 *
 * @param requests requests completed
 * @param bytes data bytes moved (reads and writes)
 * @param simTimeNs simulated time from the first submission to the last completion
 * @param ledger cycle and event totals
 * @param kicks notifications the driver sent
 * @param kicksSuppressed publishes after which the driver did not have to kick
 * @param interrupts interrupts the device raised
 * @param ringFullStalls times a request had to wait because the ring had no free descriptors
 * @param mapStalls times a request had to wait because a DMA mapping failed (bounce pool full)
 * @param maxInFlight most requests in flight at once
 * @param vcpuBusyNs per vCPU, the simulated time it spent running the driver (its passes)
 * @param vmmBusyNs per VMM thread (QEMU main loop, iothread or vhost worker), the time it spent on the device
 * @param vcpus the guest's vCPUs
 * @param queues the device's queues
 * @param locks per lock name, what its instances saw
 */
public record RunResult(
    long requests,
    long bytes,
    long simTimeNs,
    CycleLedger ledger,
    long kicks,
    long kicksSuppressed,
    long interrupts,
    long ringFullStalls,
    long mapStalls,
    int maxInFlight,
    long[] vcpuBusyNs,
    long[] vmmBusyNs,
    int vcpus,
    int queues,
    List<LockRow> locks) {

  /**
   * One named lock over the run, its instances together.
   *
   * @param name the lock's stable name ({@code virtqueue}, {@code swiotlb.area}, {@code qemu.bql}, …)
   * @param kind spin (guest) or mutex (QEMU)
   * @param instances how many there are (queues, areas, pools)
   * @param acquisitions holds taken
   * @param contended holds that had to wait
   * @param waitNsTotal time spent waiting for it, ns
   * @param waitNsP99 99th percentile of the waits, ns (within about 3%)
   * @param holdNsMean mean hold, ns
   */
  public record LockRow(String name, String kind, int instances, long acquisitions, long contended, long waitNsTotal, long waitNsP99, double holdNsMean) {}

  /** The locks of a timeline, grouped by name in the order they were made. */
  public static List<LockRow> lockRows(List<Lock> locks) {
    Map<String, List<Lock>> byName = new LinkedHashMap<>();
    for (Lock l : locks) byName.computeIfAbsent(l.name, k -> new ArrayList<>()).add(l);
    List<LockRow> rows = new ArrayList<>();
    for (Map.Entry<String, List<Lock>> e : byName.entrySet()) {
      long acq = 0, cont = 0, wait = 0, hold = 0;
      LogHistogram h = new LogHistogram();
      for (Lock l : e.getValue()) {
        acq += l.acquisitions();
        cont += l.contended();
        wait += l.waitPs();
        hold += l.holdPs();
        h.add(l.waitNs());
      }
      Lock first = e.getValue().get(0);
      rows.add(new LockRow(e.getKey(), first.kind == Lock.Kind.SPIN ? "spin" : "mutex", e.getValue().size(), acq, cont, wait / 1000,
          h.percentile(99), acq == 0 ? 0 : hold / 1000.0 / acq));
    }
    return rows;
  }

  /** The busiest vCPU's share of the simulated time (0..1). */
  public double vcpuUtilMax() { return utilMax(vcpuBusyNs); }

  /** The vCPUs' mean share of the simulated time. */
  public double vcpuUtilMean() { return utilMean(vcpuBusyNs); }

  /** The busiest VMM thread's share of the simulated time. */
  public double vmmUtilMax() { return utilMax(vmmBusyNs); }

  /** Time spent waiting for locks, all of them, ns. */
  public long lockWaitNs() {
    long w = 0;
    for (LockRow l : locks) w += l.waitNsTotal();
    return w;
  }

  private double utilMax(long[] busy) {
    long m = 0;
    for (long b : busy) m = Math.max(m, b);
    return simTimeNs <= 0 ? 0 : Math.min(1.0, (double) m / simTimeNs);
  }

  private double utilMean(long[] busy) {
    if (busy.length == 0 || simTimeNs <= 0) return 0;
    long t = 0;
    for (long b : busy) t += b;
    return Math.min(1.0, (double) t / busy.length / simTimeNs);
  }
}
