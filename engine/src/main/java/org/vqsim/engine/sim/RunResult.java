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
    int maxInFlight) {}
