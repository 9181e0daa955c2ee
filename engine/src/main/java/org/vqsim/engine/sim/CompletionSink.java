package org.vqsim.engine.sim;

import org.vqsim.engine.cost.CycleLedger;

/**
 * Receives each request as it completes, with its per-request figures still in the ledger slot.
 * Called on the engine thread, in completion order; it must copy what it keeps.
 */
@FunctionalInterface
public interface CompletionSink {
  /** @param cpu the vCPU that submitted it; @param queue the virtqueue it went through */
  void completed(long request, int op, long offset, int length, long submitNs, long completeNs, CycleLedger ledger, int slot, int cpu, int queue);

  CompletionSink NONE = (r, op, off, len, s, c, l, slot, cpu, q) -> {};
}
