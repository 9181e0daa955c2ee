package org.vqsim.engine.device;

import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.DeviceQueue;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Server;
import org.vqsim.engine.sim.Timeline;

/**
 * One virtqueue of a device, wired into the model: the two sides of its ring in guest memory, the
 * ring's device address (it is mapped like any DMA buffer), the guest's per-queue lock, the host
 * thread that serves it and the CPU its interrupt goes to — and the state of the passes that run on
 * it (whether the device or the interrupt handler is in the middle of one, a kick that came meanwhile).
 */
public final class Virtqueue {
  public final int index;
  public final DriverQueue driver;
  public final DeviceQueue device;
  /** The device address of the ring (what the device translates to reach it). */
  public final long ringDma;
  /** The guest driver's lock of this queue (virtio_blk_vq.lock). */
  public final Lock lock;
  public final Server vmm;
  public final int irqCpu;
  /** One past the ring's last byte in guest memory. */
  public final long end;
  /**
   * Device accesses to the ring, each translated like any other DMA (QEMU reaches an IOMMU-mapped
   * ring through the IOMMU): split — avail idx + avail_event to switch notifications, avail entry +
   * avail_event + descriptor per pop, used element + used idx (+ used_event) per completion; packed —
   * the device event area to switch notifications, the descriptor per pop, the used descriptor (+ the
   * driver event area) per completion.
   */
  public final int notifyAccesses, popAccesses, completeAccesses;

  // pass state
  public boolean deviceRunning, kickPending, irqRunning;
  public int deferredKickSlot = -1;

  public Virtqueue(int index, Ring ring, GuestMemory mem, int size, long base, boolean eventIdx, boolean indirect, DmaStrategy dma,
      Timeline tl, Server vmm, int irqCpu) {
    this.index = index;
    Ring.Queues rings = ring.create(mem, size, base, eventIdx, indirect);
    this.driver = rings.driver();
    this.device = rings.device();
    this.end = rings.end();
    this.ringDma = dma.mapCoherent(base, (int) (rings.end() - base));
    this.lock = tl.lock("virtqueue", Lock.Kind.SPIN, index);
    this.vmm = vmm;
    this.irqCpu = irqCpu;
    boolean packed = ring == Ring.PACKED;
    this.notifyAccesses = packed ? 1 : 2;
    this.popAccesses = packed ? 1 : 3;
    this.completeAccesses = (packed ? 1 : 2) + (eventIdx ? 1 : 0);
  }
}
