package org.vqsim.engine.device.blk;

import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.device.Virtqueue;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.sim.Backend;
import org.vqsim.engine.sim.IoOp;

/**
 * The host side of virtio-blk: QEMU's device model (hw/block/virtio-blk.c 7.2) in its main loop or
 * an iothread, or a vhost worker, one pass per kick of a queue, and the storage backend below.
 *
 * <ol>
 *   <li>A kick wakes the queue's thread ({@code kick_handler_cycles_*}); if it is busy the kick waits.
 *   <li>A pass ({@code virtio_blk_handle_vq}): notifications off, every available chain popped, each
 *       buffer translated through the strategy, the request handed to the backend; notifications back
 *       on at the end, and a re-check. In QEMU's main loop the pass holds the big QEMU lock.
 *   <li>The backend: a latency ({@code backend_latency_ns}, times a per-request draw from the profile's
 *       service distribution) plus bytes over one bandwidth shared by every queue (reads at
 *       {@code backend_mib_per_s}, writes at {@code backend_write_mib_per_s}, which defaults to it).
 *   <li>Completion ({@code virtio_blk_req_complete}): status, used ring, and the queue's MSI-X
 *       interrupt to its CPU unless suppressed, taken after the profile's guest jitter for the request
 *       when it has one ({@code guest_jitter_distribution}, or {@code guest_jitter_distribution.STRATEGY}
 *       for the strategy replayed); with {@code guest_jitter_exposure_ns} the draw is scaled by the square
 *       root of the request's issue-to-pop time over that reference.
 * </ol>
 */
final class BlkDevice {
  private final VirtioBlk m;
  private final long devicePop, deviceDesc, deviceRequest, usedPush, kickHandler, irqInject, backendSubmit;
  private final long backendLatencyPs;
  private final double psPerByte, psPerByteWrite;
  private final boolean bql;
  private final org.vqsim.engine.cost.ServiceDistribution service;
  /** The profile's guest-side jitter, or null for none. */
  private final org.vqsim.engine.cost.GuestJitter jitter;
  private final long seed;
  private long backendBwFree;
  long interrupts;
  /** The stream of draws the guest jitter takes ({@link org.vqsim.engine.cost.ServiceDistribution#draw(long, long, long)}). */
  static final long JITTER_STREAM = 1;

  BlkDevice(VirtioBlk m) {
    this.m = m;
    var p = m.profile;
    devicePop = p.cycles(CostFigure.DEVICE_POP_CYCLES);
    deviceDesc = p.cycles(CostFigure.DEVICE_DESC_CYCLES);
    deviceRequest = p.cycles(CostFigure.DEVICE_REQUEST_CYCLES);
    usedPush = p.cycles(CostFigure.USED_PUSH_CYCLES);
    kickHandler = p.cycles(m.config.backend() == Backend.VHOST ? CostFigure.KICK_HANDLER_CYCLES_VHOST : CostFigure.KICK_HANDLER_CYCLES_QEMU);
    irqInject = p.cycles(CostFigure.IRQ_INJECT_CYCLES);
    backendSubmit = p.cycles(CostFigure.BACKEND_SUBMIT_CYCLES);
    backendLatencyPs = Math.round(p.get(CostFigure.BACKEND_LATENCY_NS) * 1000.0);
    psPerByte = 1e12 / (p.get(CostFigure.BACKEND_MIB_PER_S) * 1048576.0);
    psPerByteWrite = 1e12 / (p.get(CostFigure.BACKEND_WRITE_MIB_PER_S) * 1048576.0);
    bql = m.vmm.mainLoop();
    service = p.serviceDistribution();
    jitter = org.vqsim.engine.cost.GuestJitter.of(p, m.strategyId, false);
    seed = m.config.seed();
  }

  void onKick(int q, int slot, long t) {
    Virtqueue vq = m.queues[q];
    if (vq.deviceRunning) {
      vq.kickPending = true;
      vq.deferredKickSlot = slot;
      return;
    }
    pass(vq, t, slot);
  }

  void onRecheck(int q, long t) {
    Virtqueue vq = m.queues[q];
    vq.deviceRunning = false;
    vq.device.setNotification(m.mem, true);
    if (vq.kickPending) {
      vq.kickPending = false;
      pass(vq, t, vq.deferredKickSlot);
    } else if (vq.device.hasAvailable(m.mem)) {
      pass(vq, t, -1);
    }
  }

  /**
   * virtio_blk_handle_vq: notifications off, pop every available chain, notifications back on at the
   * end. The device reaches the ring through the DMA path too (QEMU translates each access to an
   * IOMMU-mapped ring): two accesses to turn notifications off (avail idx, avail_event), three per pop
   * (avail entry, avail_event, descriptor), two to turn them back on.
   */
  private void pass(Virtqueue vq, long t, int kickedBy) {
    m.tl.begin(vq.vmm, t);
    vq.deviceRunning = true;
    if (bql) m.tl.acquire(m.vmm.bql(), Math.max(0, kickedBy));
    if (kickedBy >= 0) m.ledger.charge(kickedBy, Actor.VMM, Category.NOTIFY, kickHandler);
    vq.device.setNotification(m.mem, false);
    int owed = vq.notifyAccesses; // ring accesses of set_notification(false), charged to the first request popped
    int last = kickedBy;
    Chain popped = m.popped;
    BlkSlots s = m.slots;
    while (vq.device.pop(m.mem, popped)) {
      int slot = m.headToSlot[vq.index][popped.head];
      last = slot;
      ringAccesses(vq, slot, owed + vq.popAccesses);
      owed = 0;
      m.ledger.charge(slot, Actor.VMM, Category.RING, devicePop);
      if (popped.count == 0) {
        long tableGpa = m.dma.translate(slot, popped.indirectAddr, popped.indirectLen, false);
        m.ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        vq.device.readIndirect(m.mem, tableGpa, popped.indirectLen, popped);
      }
      long statusGpa = -1;
      for (int k = 0; k < popped.count; k++) {
        m.ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        long gpa = m.dma.translate(slot, popped.addr[k], popped.len[k], popped.deviceWrites[k]);
        if (k == 0 && (popped.len[k] < VirtioBlk.HEADER_BYTES || popped.deviceWrites[k])) {
          throw new IllegalStateException("virtio-blk request without a readable 16-byte header (virtio 1.2 §5.2.6.1)");
        }
        if (k == popped.count - 1) {
          if (!popped.deviceWrites[k] || popped.len[k] < 1) throw new IllegalStateException("virtio-blk request without a writable status byte (virtio 1.2 §5.2.6.1)");
          statusGpa = gpa + popped.len[k] - 1;
        }
      }
      s.statusGpa(slot, statusGpa);
      m.ledger.markPop(slot, m.tl.nowPs()); // QEMU's virtqueue_pop trace point: the chain read and mapped
      m.ledger.charge(slot, Actor.VMM, Category.DEVICE, deviceRequest);
      m.ledger.charge(slot, Actor.BACKEND, Category.DEVICE, backendSubmit);
      long issue = m.tl.nowPs();
      long xfer = IoOp.hasData(s.op(slot)) ? Math.round(s.length(slot) * (s.op(slot) == IoOp.WRITE ? psPerByteWrite : psPerByte)) : 0;
      long start = Math.max(issue, backendBwFree);
      backendBwFree = start + xfer;
      long latency = service.isConstant() ? backendLatencyPs : Math.round(backendLatencyPs * service.draw(seed, s.request(slot)));
      m.tl.schedule(backendBwFree + latency, VirtioBlk.BACKEND_DONE, slot, 0);
    }
    if (last >= 0) ringAccesses(vq, last, owed + vq.notifyAccesses); // set_notification(true) at the end of the pass
    if (bql) m.tl.release(m.vmm.bql());
    long end = m.tl.end();
    m.tl.schedule(end, VirtioBlk.DEVICE_RECHECK, vq.index, 0);
  }

  /** Device accesses to the ring itself, each translated like any other DMA. */
  private void ringAccesses(Virtqueue vq, int slot, int n) {
    for (int i = 0; i < n; i++) m.dma.translate(slot, vq.ringDma, 2, false);
  }

  /** virtio_blk_req_complete: status, used ring, interrupt to the queue's CPU. */
  void onBackendDone(int slot, long t) {
    BlkSlots s = m.slots;
    Virtqueue vq = m.queues[s.queue(slot)];
    m.tl.begin(vq.vmm, t);
    if (bql) m.tl.acquire(m.vmm.bql(), slot);
    m.ledger.markFill(slot, m.tl.nowPs()); // QEMU's virtqueue_fill trace point
    m.mem.writeU8(s.statusGpa(slot), VirtioBlk.VIRTIO_BLK_S_OK);
    int written = (s.op(slot) == IoOp.READ ? s.length(slot) : 0) + 1;
    vq.device.fill(m.mem, s.head(slot), written);
    vq.device.flush(m.mem);
    m.ledger.charge(slot, Actor.VMM, Category.RING, usedPush);
    ringAccesses(vq, slot, vq.completeAccesses);
    boolean notify = vq.device.shouldNotify(m.mem);
    if (notify) {
      m.ledger.charge(slot, Actor.VMM, Category.INTERRUPT, irqInject);
      interrupts++;
    }
    if (bql) m.tl.release(m.vmm.bql());
    long end = m.tl.end();
    // the guest-side jitter: the interrupt is taken late by the request's draw (a stall of the guest's vCPU or of the host thread that delivers it)
    if (notify) m.tl.schedule(jitter == null ? end : end + jitterPs(slot), VirtioBlk.GUEST_IRQ, vq.index, 0);
  }

  /**
   * The request's guest jitter, ps: its draw, scaled when the profile gives a reference exposure by
   * sqrt(issue-to-pop time / reference) — the stalls along the guest-side path add up as independent
   * pieces, so their spread grows with the square root of its length (docs/CALIBRATION.md, guest jitter).
   */
  private long jitterPs(int slot) {
    return jitter.ps(seed, m.slots.request(slot), JITTER_STREAM, m.ledger.slotPopPs(slot) - m.slots.submitPs(slot));
  }
}
