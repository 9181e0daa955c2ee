package org.vqsim.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.capture.net.NetGuestTrace;
import org.vqsim.capture.net.NetQemuLog;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.device.net.NetResult;
import org.vqsim.engine.device.net.PacketSink;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.NetReplay;
import org.vqsim.engine.sim.ReplayConfig;

/**
 * A captured virtio-net run against the model: the guest trace's window packets replayed (at their
 * times, open loop) under the run's strategy and features, and per packet (transmitted + received)
 * the observed and modelled maps, unmaps, bounces, bounce bytes, invalidations (VT-d invalidation
 * descriptors, or virtio-iommu MAP + UNMAP requests), kicks and interrupts. Kicks and interrupts come
 * from the QEMU log when there is one (per the log's own packets), else from the guest trace.
 */
final class NetValidation {
  private NetValidation() {}

  /** One compared metric; {@code batching} marks the ones that depend on timing (kicks, interrupts). */
  record Metric(String name, String source, double observed, double modelled, Double errorPct, boolean batching) {}

  record Outcome(NetGuestTrace guest, NetQemuLog qemu, NetResult model, List<Metric> metrics) {}

  static Outcome run(Path guest, Path qemu, StrategyId id, CostProfile p, ReplayConfig c, DmaOptions dma, Ring ring, NetFeatures features) throws IOException {
    NetGuestTrace g = NetGuestTrace.read(guest);
    NetQemuLog q = qemu == null ? null : NetQemuLog.read(qemu);
    NetReplay replay = new NetReplay(id, p, c, dma, ring, features);
    NetResult m = replay.run(g.packets(-1), PacketSink.NONE);
    List<Metric> out = new ArrayList<>();
    double gp = g.packets();
    out.add(metric("maps", "guest", g.maps / gp, m.perPacket(EventKind.MAPS), false));
    out.add(metric("unmaps", "guest", g.unmaps / gp, m.perPacket(EventKind.UNMAPS), false));
    out.add(metric("bounces", "guest", g.bounces / gp, m.perPacket(EventKind.BOUNCES), false));
    out.add(metric("bounce_bytes", "guest", g.bounceBytes / gp, m.perPacket(EventKind.BOUNCE_BYTES), false));
    boolean virtioIommu = id.id.startsWith("virtio-iommu");
    // virtio-iommu: QEMU's MAP and UNMAP requests; Linux 6.1's IOMMU core splits a map into iommu_pgsize chunks, one MAP each, and an
    // unmap likewise (VirtioIommuStrategy.chunkBytes); the model counts its UNMAP requests as invalidations and its MAP requests apart
    double modelInv = virtioIommu ? m.perPacket(replay.virtioIommuMapRequests() + m.events(EventKind.INVALIDATIONS)) : m.perPacket(EventKind.INVALIDATIONS);
    if (q != null) {
      double qp = Math.max(1, q.packets());
      out.add(metric("invalidations", "qemu", q.invalidations() / qp, modelInv, false));
      out.add(metric("kicks", "qemu", q.kicks() / qp, m.perPacket(m.txKicks() + m.rxKicks()), true));
      out.add(metric("interrupts", "qemu", q.interrupts() / qp, m.perPacket(m.txInterrupts() + m.rxInterrupts()), true));
    } else {
      out.add(metric("kicks", "guest", g.kicks / gp, m.perPacket(m.txKicks() + m.rxKicks()), true));
      out.add(metric("interrupts", "guest", g.interrupts / gp, m.perPacket(m.txInterrupts() + m.rxInterrupts()), true));
    }
    return new Outcome(g, q, m, out);
  }

  private static Metric metric(String name, String source, double observed, double modelled, boolean batching) {
    Double err = observed == 0 ? (modelled == 0 ? null : Double.valueOf(100.0)) : Double.valueOf((modelled - observed) / observed * 100.0);
    return new Metric(name, source, observed, modelled, err, batching);
  }
}
