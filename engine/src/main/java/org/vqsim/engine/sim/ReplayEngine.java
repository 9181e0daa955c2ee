package org.vqsim.engine.sim;

import java.io.IOException;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.device.Virtqueue;
import org.vqsim.engine.device.blk.VirtioBlk;
import org.vqsim.engine.dma.DmaContext;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.ring.Ring;

/**
 * One replay of a request stream through a virtio-blk device under one DMA strategy: builds the
 * parts and runs the timeline until every request has completed.
 *
 * <ul>
 *   <li>{@link Timeline}: events in time order, the servers (vCPUs, VMM threads) and the locks;
 *   <li>{@link Vmm}: which host thread serves which queue, and QEMU's big lock;
 *   <li>the {@link DmaStrategy}: one per guest, shared by every queue and vCPU, with its per-CPU and
 *       global state and locks;
 *   <li>the device model ({@link VirtioBlk}): the guest driver and the device over one virtqueue per
 *       queue, laid out byte for byte in a sparse {@link GuestMemory}.
 * </ul>
 *
 * Each step charges its cycles to the ledger next to where it happens; a server's busy time is the
 * cycles charged during its passes plus the time they waited for locks. The loop allocates nothing per
 * request.
 */
public final class ReplayEngine {
  private final String strategyId;
  private final ReplayConfig config;
  private final CostProfile profile;
  private final GuestMemory mem;
  private final CycleLedger ledger;
  private final Timeline tl;
  private final Vmm vmm;
  private final DmaStrategy dma;
  private final Ring ring;
  private final long reservedBase;
  private VirtioBlk device;

  public ReplayEngine(StrategyId strategy, CostProfile profile, ReplayConfig config) {
    this(strategy, profile, config, DmaOptions.defaults());
  }

  public ReplayEngine(StrategyId strategy, CostProfile profile, ReplayConfig config, DmaOptions dmaOptions) {
    this(strategy, profile, config, dmaOptions, Ring.SPLIT);
  }

  /** @param ring the virtqueue layout; {@code config.queueSize()} must be valid for it ({@link Ring#queueSizeError}) */
  public ReplayEngine(StrategyId strategy, CostProfile profile, ReplayConfig config, DmaOptions dmaOptions, Ring ring) {
    this.strategyId = strategy.id;
    this.config = config;
    this.profile = profile;
    this.ring = ring;
    String sizeErr = ring.queueSizeError(config.queueSize());
    if (sizeErr != null) throw new IllegalArgumentException(sizeErr);
    this.mem = new GuestMemory(config.guestMemoryBytes());
    int nq = config.queueCount();
    this.ledger = new CycleLedger(nq * VirtioBlk.tagsPerQueue(config));
    this.tl = new Timeline(ledger, profile.get(CostFigure.CPU_GHZ));
    this.reservedBase = config.guestMemoryBytes() / 2;
    if (dmaOptions.swiotlbPoolBytes() + (2L << 20) > config.guestMemoryBytes() - reservedBase) {
      throw new ModelException("guest memory of " + (config.guestMemoryBytes() >> 20) + " MiB is too small for a " + (dmaOptions.swiotlbPoolBytes() >> 20)
          + " MiB swiotlb pool (the model keeps data pages in the lower half and DMA structures in the upper half)");
    }
    this.vmm = new Vmm(tl, config.backend(), nq, config.iothreads());
    this.dma = strategy.create(new DmaContext(ledger, profile, mem, dmaOptions, tl, config.vcpus(), vmm.bql(), config.backend() == Backend.VHOST, reservedBase));
  }

  public String strategyId() { return strategyId; }
  public CycleLedger ledger() { return ledger; }
  public DmaStrategy strategy() { return dma; }
  public GuestMemory memory() { return mem; }
  public Timeline timeline() { return tl; }

  /** The first queue's driver side (the only one with one queue); null before {@link #run}. */
  public DriverQueue driver() {
    return device == null ? null : device.queues()[0].driver;
  }

  /** Every queue; null before {@link #run}. */
  public Virtqueue[] queues() {
    return device == null ? null : device.queues();
  }

  /** Replays every request of {@code src}, reporting each completion to {@code out}. */
  public RunResult run(RequestSource src, CompletionSink out) throws IOException {
    device = new VirtioBlk(strategyId, config, profile, tl, mem, dma, vmm, ring, reservedBase, src, out);
    device.start();
    EventQueue events = tl.events;
    while (!events.isEmpty()) {
      events.pop();
      long t = events.topTime;
      tl.atTime(t);
      device.handle(events.topType, t, events.topArg, events.topArg2);
    }
    return device.finish();
  }
}
