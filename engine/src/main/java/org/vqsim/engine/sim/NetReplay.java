package org.vqsim.engine.sim;

import java.io.IOException;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.device.net.NetResult;
import org.vqsim.engine.device.net.PacketSink;
import org.vqsim.engine.device.net.PacketSource;
import org.vqsim.engine.device.net.VirtioNet;
import org.vqsim.engine.dma.DmaContext;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.dma.VirtioIommuStrategy;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Ring;

/**
 * One replay of a packet stream through a virtio-net device under one DMA strategy: the same
 * timeline, VMM threads, strategy and rings as {@link ReplayEngine}, with {@link VirtioNet} as the
 * device. {@code config.queueCount()} is the number of queue pairs; a vhost backend gets one worker
 * per pair (vhost-net); QEMU runs virtio-net in its main loop (it has no iothread support for it).
 */
public final class NetReplay {
  private final StrategyId strategy;
  private final CostProfile profile;
  private final ReplayConfig config;
  private final DmaOptions dmaOptions;
  private final Ring ring;
  private final NetFeatures features;
  private DmaStrategy dma;
  private long setupMapRequests;
  private VirtioNet device;
  private GuestMemory mem;

  public NetReplay(StrategyId strategy, CostProfile profile, ReplayConfig config, DmaOptions dmaOptions, Ring ring, NetFeatures features) {
    this.strategy = strategy;
    this.profile = profile;
    this.config = config;
    this.dmaOptions = dmaOptions;
    this.ring = ring;
    this.features = features;
    String sizeErr = ring.queueSizeError(config.queueSize());
    if (sizeErr != null) throw new IllegalArgumentException(sizeErr);
  }

  public DmaStrategy strategy() { return dma; }

  /**
   * Under virtio-iommu, the MAP requests of the last run's workload (the initial fill of the receive
   * rings left out, as from the events): one per {@code iommu_pgsize} chunk of a map, so at least one
   * per map; 0 under other strategies.
   */
  public long virtioIommuMapRequests() {
    return dma instanceof VirtioIommuStrategy v ? v.mapRequests() - setupMapRequests : 0;
  }

  /** The last run's guest memory (its frames, touched on first use, are the run's only memory that grows with its length, up to the buffer regions). */
  public GuestMemory memory() { return mem; }

  public NetResult run(PacketSource src, PacketSink sink) throws IOException {
    GuestMemory mem = this.mem = new GuestMemory(config.guestMemoryBytes());
    CycleLedger ledger = new CycleLedger(VirtioNet.ledgerSlots(config));
    Timeline tl = new Timeline(ledger, profile.get(CostFigure.CPU_GHZ));
    long reservedBase = config.guestMemoryBytes() / 2;
    if (dmaOptions.swiotlbPoolBytes() + (2L << 20) > config.guestMemoryBytes() - reservedBase) {
      throw new ModelException("guest memory of " + (config.guestMemoryBytes() >> 20) + " MiB is too small for a " + (dmaOptions.swiotlbPoolBytes() >> 20)
          + " MiB swiotlb pool");
    }
    Vmm vmm = new Vmm(tl, config.backend(), config.queueCount(), 0);
    dma = strategy.create(new DmaContext(ledger, profile, mem, dmaOptions, tl, config.vcpus(), vmm.bql(), config.backend() == Backend.VHOST, reservedBase));
    device = new VirtioNet(strategy.id, config, features, profile, tl, mem, dma, vmm, ring, reservedBase, src, sink);
    device.start();
    setupMapRequests = dma instanceof VirtioIommuStrategy v ? v.mapRequests() : 0;
    EventQueue events = tl.events;
    while (!events.isEmpty()) {
      events.pop();
      long t = events.topTime;
      tl.atTime(t);
      device.handle(events.topType, t, events.topArg, events.topArg2);
    }
    RunResult r = device.finish();
    return device.netResult(r);
  }
}
