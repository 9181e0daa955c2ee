package org.vqsim.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.device.net.NetFeatures;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.NetResult;
import org.vqsim.engine.device.net.PacketSink;
import org.vqsim.engine.device.net.PacketSource;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Ring;

/**
 * The network replay loop allocates nothing per packet, as {@link NoAllocationPerRequestTest} checks
 * for blk: two replays of the same packet stream, one three times longer, allocate the same bytes
 * within a small margin. The stream mixes what the device model does per packet: small UDP datagrams
 * both ways (one buffer, one mapping), 64 KiB TCP super-packets sent (header + page frags through an
 * indirect table) and received (several mergeable buffers), and ACKs. Guest memory's 4 KiB frames
 * are made when first written (a receive buffer's header): a longer run reaches more of the receive
 * buffer regions' frames, up to their fixed size, so those frames are counted apart. Prints the figure.
 */
class NoAllocationPerPacketTest {
  /** A repeating mix of packets, 200 µs apart (every strategy keeps up), spread over {@code flows} flows (queue pairs); allocates nothing. */
  static final class Mix implements PacketSource {
    private final long count;
    private final int flows;
    private long i;

    Mix(long count, int flows) {
      this.count = count;
      this.flows = flows;
    }

    @Override
    public boolean next(NetPacket p) {
      if (i >= count) return false;
      long t = i * 200_000;
      switch ((int) (i % 6)) {
        case 0 -> p.set(t, NetPacket.TX, NetPacket.UDP, 106);
        case 1 -> p.set(t, NetPacket.RX, NetPacket.UDP, 106);
        case 2 -> p.set(t, NetPacket.TX, NetPacket.TCP, 65_535);
        case 3 -> p.set(t, NetPacket.RX, NetPacket.TCP, NetPacket.TCP_HEADERS);
        case 4 -> p.set(t, NetPacket.RX, NetPacket.TCP, 65_535);
        default -> p.set(t, NetPacket.TX, NetPacket.TCP, NetPacket.TCP_HEADERS);
      }
      if (flows > 1) p.cpu = (int) (i % flows);
      i++;
      return true;
    }
  }

  private static long allocatedReplaying(StrategyId id, Backend backend, int pairs, long packets, String profileName) throws IOException {
    CostProfile profile = profile(profileName != null ? profileName : id.availableOn("x86") ? "x86-kvm" : "power9-kvm");
    ReplayConfig config = ReplayConfig.defaults().withBackend(backend).withTopology(pairs, pairs, 0);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(tid);
    NetReplay replay = new NetReplay(id, profile, config, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.qemuDefault());
    NetResult r = replay.run(new Mix(packets, pairs), PacketSink.NONE);
    long after = mx.getThreadAllocatedBytes(tid);
    assertThat(r.packets()).as("packets completed").isEqualTo(packets);
    // a frame is a byte[4096]: its 16-byte array header and the bytes
    return after - before - replay.memory().touchedFrames() * (long) (GuestMemory.FRAME_SIZE + 16);
  }

  /** A built-in profile, or {@code NAME+KEY=VALUE}: the built-in one with that figure overridden. */
  private static CostProfile profile(String spec) {
    int plus = spec.indexOf('+');
    if (plus < 0) return CostProfile.builtIn(spec);
    String[] kv = spec.substring(plus + 1).split("=");
    return CostProfile.builtIn(spec.substring(0, plus)).withOverride(kv[0], Double.parseDouble(kv[1]));
  }

  /**
   * The last column names a profile other than the platform's KVM one: qemu-tcg-x86 has the guest's
   * stalls (a draw per packet); x86-kvm with virtio_iommu_notify_cycles charges a virtio-iommu request
   * its measured spans, as qemu-tcg-x86 does (whose slow requests drop part of this 5 M packets/s mix at
   * the tap, so the KVM speeds keep every packet).
   */
  @ParameterizedTest(name = "{0}, {1}, {2} queue pairs, {3}")
  @CsvSource({"direct, QEMU, 1,", "direct, VHOST, 4,", "bounce, QEMU, 1,", "viommu-strict, QEMU, 1,", "viommu-strict, VHOST, 1,", "virtio-iommu, QEMU, 4,",
      "tce, QEMU, 1,", "viommu-strict+bounce, QEMU, 1,", "direct, QEMU, 1, qemu-tcg-x86", "bounce, QEMU, 1, qemu-tcg-x86", "virtio-iommu, QEMU, 4, x86-kvm+virtio_iommu_notify_cycles=6000"})
  void aLongerReplayAllocatesNoMore(String strategy, Backend backend, int pairs, String profile) throws IOException {
    StrategyId id = StrategyId.of(strategy);
    long shortRun = 60_000, longRun = 180_000;
    allocatedReplaying(id, backend, pairs, shortRun, profile); // warm-up: classes loaded, code compiled
    long a = allocatedReplaying(id, backend, pairs, shortRun, profile);
    long b = allocatedReplaying(id, backend, pairs, longRun, profile);
    double perPacket = (double) (b - a) / (longRun - shortRun);
    System.out.printf(java.util.Locale.ROOT, "%s, %s, %d queue pairs, %s: %,d bytes for %,d packets, %,d for %,d: %.3f bytes per extra packet%n", strategy, backend,
        pairs, profile == null ? "the platform's KVM profile" : profile, a, shortRun, b, longRun, perPacket);
    assertThat(perPacket).as("bytes allocated per packet beyond the replay's own set-up").isLessThan(0.5);
  }
}
