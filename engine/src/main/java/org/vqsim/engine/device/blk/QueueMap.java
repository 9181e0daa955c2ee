package org.vqsim.engine.device.blk;

/**
 * Which virtio-blk queue each CPU submits to, and which CPU takes each queue's interrupt, as Linux
 * 6.1 sets them up for QEMU's virtio-blk-pci (one MSI-X vector per queue).
 *
 * <p>{@code virtblk_map_queues} → {@code blk_mq_virtio_map_queues} (block/blk-mq-virtio.c lines
 * 23–46) maps each CPU to the queue whose interrupt affinity contains it. The affinities come from
 * {@code irq_create_affinity_masks} (kernel/irq/affinity.c lines 247–332): the queue vectors are spread
 * over the CPUs in ascending order, {@code q = M / N} consecutive CPUs per vector and one more for the
 * first {@code M % N} vectors (one node, no SMT siblings). A queue's interrupt is delivered to the
 * first CPU of its mask. With one vector per queue and N = M (QEMU's default), each CPU has its own
 * queue and takes its own completions.
 */
public final class QueueMap {
  private final int[] queueOfCpu;
  private final int[] irqCpu;
  private final int[] cpusOfQueue;

  public QueueMap(int cpus, int queues) {
    if (queues < 1 || queues > cpus) throw new IllegalArgumentException(queues + " queues for " + cpus + " CPUs");
    queueOfCpu = new int[cpus];
    irqCpu = new int[queues];
    cpusOfQueue = new int[queues];
    int per = cpus / queues, extra = cpus % queues, cpu = 0;
    for (int q = 0; q < queues; q++) {
      int n = per + (q < extra ? 1 : 0);
      irqCpu[q] = cpu;
      cpusOfQueue[q] = n;
      for (int k = 0; k < n; k++) queueOfCpu[cpu++] = q;
    }
  }

  public int queueOf(int cpu) { return queueOfCpu[cpu]; }

  public int irqCpu(int queue) { return irqCpu[queue]; }

  /** How many CPUs submit to {@code queue}. */
  public int cpusOf(int queue) { return cpusOfQueue[queue]; }

  public int queues() { return irqCpu.length; }
}
