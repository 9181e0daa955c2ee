package org.vqsim.engine.sim;

/**
 * The host threads that run a device's queues, and QEMU's big lock.
 *
 * <ul>
 *   <li>QEMU, no iothread: every queue in the main loop, which holds the big QEMU lock (BQL) while it
 *       runs the virtqueue handlers and completions (util/main-loop.c drops it only while polling);
 *   <li>QEMU with K iothreads: queue i on iothread i mod K (QEMU 9's {@code iothread-vq-mapping}
 *       round robin, hw/block/virtio-blk.c {@code apply_iothread_vq_mapping}; K = 1 is QEMU 7.2's single
 *       {@code iothread}); iothreads run without the BQL;
 *   <li>vhost: one worker per queue (vhost-net's worker per queue pair, vhost-scsi's {@code
 *       worker_per_virtqueue} from Linux 6.5; mainline has no in-kernel vhost-blk, so this models a
 *       vhost-style backend with a worker per queue), without the BQL.
 * </ul>
 *
 * The BQL exists in every layout: vCPU exits that QEMU handles in userspace (an emulated VT-d's
 * invalidation register, virtio-iommu's kick) take it too.
 */
public final class Vmm {
  private final Server[] threads;
  private final int[] threadOfQueue;
  private final boolean mainLoop;
  private final Lock bql;

  public Vmm(Timeline tl, Backend backend, int queues, int iothreads) {
    bql = tl.lock("qemu.bql", Lock.Kind.MUTEX, 0);
    threadOfQueue = new int[queues];
    if (backend == Backend.VHOST) {
      threads = new Server[queues];
      for (int q = 0; q < queues; q++) {
        threads[q] = new Server(Server.Kind.VMM, q, "vhost-" + q);
        threadOfQueue[q] = q;
      }
      mainLoop = false;
    } else if (iothreads > 0) {
      threads = new Server[iothreads];
      for (int i = 0; i < iothreads; i++) threads[i] = new Server(Server.Kind.VMM, i, "iothread-" + i);
      for (int q = 0; q < queues; q++) threadOfQueue[q] = q % iothreads;
      mainLoop = false;
    } else {
      threads = new Server[] {new Server(Server.Kind.VMM, 0, "qemu-main")};
      mainLoop = true;
    }
  }

  /** The thread that runs queue {@code q}. */
  public Server threadOf(int q) { return threads[threadOfQueue[q]]; }

  public Server[] threads() { return threads; }

  /** Whether the device runs in QEMU's main loop, under the BQL. */
  public boolean mainLoop() { return mainLoop; }

  public Lock bql() { return bql; }
}
