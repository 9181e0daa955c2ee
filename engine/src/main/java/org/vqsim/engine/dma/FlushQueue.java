package org.vqsim.engine.dma;

import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/**
 * Linux dma-iommu's IOVA flush queue ({@code queue_iova}, {@code fq_full}, {@code fq_flush_timeout}):
 * lazy unmaps park their IOVAs here until one IOTLB flush covers them all — when the queue is full
 * or its oldest entry has waited the timeout. A ring of {@code flush_queue_entries} holds one
 * fewer than its size ({@code fq_full}: {@code ((tail + 1) % IOVA_FQ_SIZE) == head}). The strategy
 * that owns it charges the flush; the queue only keeps the IOVAs. The timeout is checked at the next
 * unmap rather than by a timer of its own. There is one per CPU ({@code alloc_percpu(struct iova_fq)},
 * dma-iommu.c 6.1 lines 241–282); a flush is domain-wide.
 */
final class FlushQueue {
  private final long[] iova;
  private final long[] pages;
  private final long timeoutPs;
  private int count;
  private long oldestPs;

  FlushQueue(CostProfile p) {
    int n = (int) Math.max(1, p.get(CostFigure.FLUSH_QUEUE_ENTRIES) - 1);
    iova = new long[n];
    pages = new long[n];
    timeoutPs = Math.round(p.get(CostFigure.FLUSH_QUEUE_TIMEOUT_MS) * 1e9);
  }

  /** Whether the queue must be flushed before another entry can wait in it at {@code nowPs}. */
  boolean flushDue(long nowPs) {
    return count == iova.length || (count > 0 && nowPs - oldestPs >= timeoutPs);
  }

  void add(long iovaAddr, long pageCount, long nowPs) {
    if (count == 0) oldestPs = nowPs;
    iova[count] = iovaAddr;
    pages[count] = pageCount;
    count++;
  }

  /** Hands every waiting IOVA back to the allocator on {@code cpu}, for request {@code slot} (after the flush made them safe to reuse). */
  void drainTo(IovaAllocator allocator, int slot, int cpu) {
    for (int i = 0; i < count; i++) allocator.free(slot, cpu, iova[i], pages[i]);
    count = 0;
  }
}
