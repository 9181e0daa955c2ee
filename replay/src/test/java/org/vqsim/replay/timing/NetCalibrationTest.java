package org.vqsim.replay.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.vqsim.capture.net.NetGuestTrace;
import org.vqsim.capture.net.NetQemuLog;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;

/** The network figures measured from timestamps: synthetic captures with known intervals. */
class NetCalibrationTest {
  /** A guest trace: 12 back-to-back transmits {@code txUs} apart (xmit → next queue), then 12 receives of one poll {@code rxUs} apart. */
  static NetGuestTrace guest(int txUs, int rxUs) throws Exception {
    StringBuilder b = new StringBuilder("# tracer: nop\n");
    long t = 1_000_000;
    for (int i = 0; i < 12; i++) {
      b.append(line(t, "net_dev_queue: dev=eth0 skbaddr=ffff len=130"));
      b.append(line(t + 5, "net_dev_xmit: dev=eth0 skbaddr=ffff len=130 rc=0"));
      t += 5 + txUs;
    }
    b.append(line(t, "irq_handler_entry: irq=25 name=virtio0-input.0"));
    for (int i = 0; i < 12; i++) {
      t += rxUs;
      b.append(line(t, "napi_gro_receive_entry: dev=eth0 napi_id=0x2001 len=1448 data_len=0"));
    }
    b.append(line(t + 1, "napi_poll: napi poll on napi struct ffff for device eth0 work 12 budget 64"));
    return NetGuestTrace.read(new BufferedReader(new StringReader(b.toString())), "g.txt");
  }

  static String line(long us, String ev) {
    return String.format(Locale.ROOT, "  netwl-1 [000] b..1.  %d.%06d: %s%n", us / 1_000_000, us % 1_000_000, ev);
  }

  /** A QEMU log: 12 transmit passes of one 2-descriptor chain, {@code us} from pop to flush. */
  static NetQemuLog qemu(int us) throws Exception {
    StringBuilder b = new StringBuilder();
    long t = 100_000_000;
    for (int i = 0; i < 12; i++) {
      b.append(String.format(Locale.ROOT, "1@%d.%06d:virtqueue_pop vq 0x1 elem 0x2 in_num 0 out_num 2%n", t / 1_000_000, t % 1_000_000));
      b.append(String.format(Locale.ROOT, "1@%d.%06d:virtqueue_flush vq 0x1 count 1%n", (t + us) / 1_000_000, (t + us) % 1_000_000));
      t += 100;
    }
    return NetQemuLog.read(new BufferedReader(new StringReader(b.toString())), "q.log", 0.5);
  }

  @Test
  void figuresAreTheMeanOfTheRunsMediansLessWhatTheProfileAlreadyModels() throws Exception {
    CostProfile p = CostProfile.load("x86-kvm");
    double ghz = p.get(CostFigure.CPU_GHZ);
    List<NetCalibration.Run> runs = List.of(new NetCalibration.Run("a", "direct", guest(10, 20), qemu(20)),
        new NetCalibration.Run("b", "virtio-iommu-bypass", guest(14, 30), qemu(30)),
        // translation work on the guest's side: not used for the figures
        new NetCalibration.Run("c", "viommu-strict", guest(100, 100), qemu(100)));
    NetCalibration.Result r = NetCalibration.measure(runs, p, "t", "test");
    double copy = p.get(CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    double tx = (10_000 + 14_000) / 2.0 * ghz - copy * (130 - 66);
    double rx = (20_000 + 30_000) / 2.0 * ghz - p.get(CostFigure.GUEST_USED_CYCLES) - copy * (1448 + 14 - 66);
    double ring = p.get(CostFigure.DEVICE_POP_CYCLES) + 2 * p.get(CostFigure.DEVICE_DESC_CYCLES) + p.get(CostFigure.USED_PUSH_CYCLES);
    double host = (20_000 + 30_000) / 2.0 * ghz - ring;
    assertEquals(Math.round(tx), r.profile().get(CostFigure.NET_TX_STACK_CYCLES), 0.0);
    assertEquals(Math.round(rx), r.profile().get(CostFigure.NET_RX_STACK_CYCLES), 0.0);
    assertEquals(Math.round(Math.max(0, host)), r.profile().get(CostFigure.NET_PACKET_CYCLES_QEMU), 0.0);
    String src = r.profile().source(CostFigure.NET_TX_STACK_CYCLES);
    assertTrue(src.startsWith("calibrated from 2 runs (a, b), ±"), src);
    assertTrue(src.contains("(22 in all)"), src);
    // figures the runs do not speak to keep the profile's value and source
    assertEquals(p.get(CostFigure.NET_COPY_CYCLES_PER_KIB), r.profile().get(CostFigure.NET_COPY_CYCLES_PER_KIB), 0.0);
    assertEquals(p.source(CostFigure.NET_PACKET_CYCLES_VHOST), r.profile().source(CostFigure.NET_PACKET_CYCLES_VHOST));
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("notes only") && n.contains("c")), r.notes().toString());
  }

  /**
   * net_rx_gro_cycles: the GRO intervals (MTU frames of one poll, no skb handed up between) less
   * guest_used, the payload's copy and, under bounce, the unmap of a 1530-byte small receive buffer;
   * a bounce run measures it but not the stack figures (its guest has DMA work per packet).
   */
  @Test
  void theGroFigureComesFromMtuFramesLessTheBounceUnmapUnderBounce() throws Exception {
    CostProfile p = CostProfile.load("x86-kvm");
    double ghz = p.get(CostFigure.CPU_GHZ);
    double copy = p.get(CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    long unmap = Math.round(p.get(CostFigure.BOUNCE_COPY_CYCLES_PER_KIB) * 1530 / 1024.0) + p.cycles(CostFigure.BOUNCE_RELEASE_CYCLES);
    NetCalibration.Result r = NetCalibration.measure(List.of(new NetCalibration.Run("d", "bounce", guest(10, 40), qemu(20))), p, "t", "test");
    double gro = 40_000 * ghz - p.get(CostFigure.GUEST_USED_CYCLES) - unmap - copy * (1448 + 14 - 66);
    assertEquals(Math.round(gro), r.profile().get(CostFigure.NET_RX_GRO_CYCLES), 0.0);
    String src = r.profile().source(CostFigure.NET_RX_GRO_CYCLES);
    assertTrue(src.startsWith("calibrated from 1 run (d), one run, so no interval over runs;"), src);
    assertTrue(src.contains("(11 in all)"), src);
    assertEquals(p.get(CostFigure.NET_RX_STACK_CYCLES), r.profile().get(CostFigure.NET_RX_STACK_CYCLES), 0.0);
    // without such runs the figure stays as the profile has it: x86-kvm gives none, so it reads as net_rx_stack_cycles
    CostProfile none = NetCalibration.measure(List.of(new NetCalibration.Run("e", "viommu-strict", guest(10, 40), qemu(20))), p, "t", "test").profile();
    assertTrue(!none.isGiven(CostFigure.NET_RX_GRO_CYCLES));
    assertEquals(none.get(CostFigure.NET_RX_STACK_CYCLES), none.get(CostFigure.NET_RX_GRO_CYCLES), 0.0);
  }

  @Test
  void theTransmitTimeIsWhenThePacketEnteredTheQdisc() throws Exception {
    // one GSO skb queued, three segments sent: they arrive together (xmit_more), at the queueing time
    String t = "# tracer: nop\n" + line(2_000_000, "net_dev_queue: dev=eth0 skbaddr=ffff len=4410") + line(2_000_900, "net_dev_xmit: dev=eth0 skbaddr=aaaa len=1514 rc=0")
        + line(2_000_950, "net_dev_xmit: dev=eth0 skbaddr=bbbb len=1514 rc=0") + line(2_001_300, "net_dev_xmit: dev=eth0 skbaddr=cccc len=1514 rc=0");
    NetGuestTrace g = NetGuestTrace.read(new BufferedReader(new StringReader(t)), "g.txt");
    org.vqsim.engine.device.net.NetPacket pk = new org.vqsim.engine.device.net.NetPacket();
    var src = g.packets(0);
    long[] ts = new long[4];
    int n = 0;
    while (src.next(pk)) ts[n++] = pk.tsNs;
    assertEquals(3, n);
    assertEquals(ts[0], ts[1]);
    assertEquals(ts[0], ts[2]);
  }
}
