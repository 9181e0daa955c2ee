package org.vqsim.engine.sim;

import org.vqsim.engine.cost.CycleLedger;

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
    long[] vmmBusyNs) {

  /** The busiest vCPU's share of the simulated time (0..1). */
  public double vcpuUtilMax() { return utilMax(vcpuBusyNs); }

  /** The vCPUs' mean share of the simulated time. */
  public double vcpuUtilMean() { return utilMean(vcpuBusyNs); }

  /** The busiest VMM thread's share of the simulated time. */
  public double vmmUtilMax() { return utilMax(vmmBusyNs); }

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
