package org.vqsim.capture.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.vqsim.capture.TraceException;
import org.vqsim.capture.Traces;
import org.vqsim.capture.observed.LabTracePaths;
import org.vqsim.engine.device.net.NetPacket;

/** The network readers on real files and on bad input: one clear message naming the file, line or frame. */
class NetReadersTest {
  static final String GUEST_MAC = "52:54:00:12:70:02";

  @Test
  void labPcapSplitsByTheGuestsMac() throws Exception {
    try (PcapReader r = new PcapReader(Traces.openStream(LabTracePaths.lab("qemu-lab-net", "tcp-rr.viommu-strict.pcap.gz")), "rr.pcap", GUEST_MAC, null)) {
      NetPacket p = new NetPacket();
      long tx = 0, rx = 0, tcp = 0, last = 0;
      while (r.next(p)) {
        if (p.direction == NetPacket.TX) tx++;
        else rx++;
        if (p.protocol == NetPacket.TCP) tcp++;
        assertTrue(p.tsNs >= last);
        last = p.tsNs;
      }
      // the whole run: the workload's 2005 + 2003 packets plus the set-up pings and the connection's start and end
      assertTrue(tx >= 2005 && tx < 2100, "tx " + tx);
      assertTrue(rx >= 2003 && rx < 2100, "rx " + rx);
      assertTrue(tcp >= 4008, "tcp " + tcp);
    }
    // the same by IP address
    try (PcapReader r = new PcapReader(Traces.openStream(LabTracePaths.lab("qemu-lab-net", "tcp-rx.direct.pcap.gz")), "rx.pcap", null, "192.168.70.2")) {
      NetPacket p = new NetPacket();
      long big = 0;
      while (r.next(p)) if (p.direction == NetPacket.RX && p.frameLen > 1514) big++;
      assertTrue(big > 200, "GSO super-frames the host handed the guest: " + big);
    }
  }

  static byte[] pcapng(boolean little, int tsresol, long ts, byte[] frame) {
    ByteOrder o = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer shb = ByteBuffer.allocate(28).order(o);
    shb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
    out.writeBytes(shb.array());
    ByteBuffer idb = ByteBuffer.allocate(32).order(o);
    idb.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(0).putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3])
        .putInt(0).putInt(32);
    out.writeBytes(idb.array());
    int pad = (frame.length + 3) & ~3;
    int total = 32 + pad;
    ByteBuffer epb = ByteBuffer.allocate(total).order(o);
    epb.putInt(6).putInt(total).putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(frame.length).putInt(frame.length).put(frame);
    epb.position(total - 4);
    epb.putInt(total);
    out.writeBytes(epb.array());
    return out.toByteArray();
  }

  static byte[] frame(String src, String dst) {
    byte[] f = new byte[60];
    System.arraycopy(PcapReader.parseMac(dst), 0, f, 0, 6);
    System.arraycopy(PcapReader.parseMac(src), 0, f, 6, 6);
    f[12] = 0x08;
    f[23] = 17;
    return f;
  }

  @Test
  void pcapngInBothByteOrdersWithNanosecondResolution() throws Exception {
    for (boolean little : new boolean[] {true, false}) {
      byte[] d = pcapng(little, 9, 5_000_000_123L, frame(GUEST_MAC, "02:00:00:00:70:01"));
      try (PcapReader r = new PcapReader(new ByteArrayInputStream(d), "x.pcapng", GUEST_MAC, null)) {
        NetPacket p = new NetPacket();
        assertTrue(r.next(p));
        assertEquals(NetPacket.TX, p.direction);
        assertEquals(NetPacket.UDP, p.protocol);
        assertEquals(60, p.frameLen);
        assertTrue(!r.next(p));
      }
    }
  }

  static String error(byte[] d) {
    TraceException e = assertThrows(TraceException.class, () -> {
      try (PcapReader r = new PcapReader(new ByteArrayInputStream(d), "bad.pcap", GUEST_MAC, null)) {
        NetPacket p = new NetPacket();
        while (r.next(p)) { /* read on */ }
      }
    });
    assertTrue(e.getMessage().startsWith("bad.pcap: "), e.getMessage());
    return e.getMessage();
  }

  /**
   * GRO intervals: consecutive napi_gro_receive_entry of MTU frames with payload and no skb handed up
   * (netif_receive_skb) or other network event between; the skbs handed up are counted.
   */
  @Test
  void groIntervalsAreBetweenMtuFramesWithNoSkbHandedUpBetween() throws Exception {
    String g1 = " napi_gro_receive_entry: dev=eth0 napi_id=0x2001 queue_mapping=1 skbaddr=ffff8d8c818bcf00 vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=0 hash=0x00000000 l4_hash=0 len=1500 data_len=0 truesize=2304 mac_header_valid=1 mac_header=-14 nr_frags=0 gso_size=0 gso_type=0x0";
    String text = String.join("\n",
        "  <idle>-0 [000] d.h1.  7.280100: irq_handler_entry: irq=25 name=virtio0-input.0",
        "  <idle>-0 [000] .Ns1.  7.280361:" + g1,
        "  <idle>-0 [000] .Ns1.  7.280389: swiotlb_tbl_unmap_single <-vring_unmap_one_split",
        "  <idle>-0 [000] .Ns1.  7.280419:" + g1,
        "  <idle>-0 [000] .Ns1.  7.280440:" + g1,
        "  <idle>-0 [000] .Ns1.  7.280450: netif_receive_skb: dev=eth0 skbaddr=ffff8d8c818bcf00 len=4396",
        "  <idle>-0 [000] .Ns1.  7.280470:" + g1,
        "  <idle>-0 [000] .Ns1.  7.280480:" + g1.replace("len=1500", "len=52"),
        "  <idle>-0 [000] .Ns1.  7.280490:" + g1,
        "  <idle>-0 [000] .Ns1.  7.280500: netif_receive_skb: dev=eth0 skbaddr=ffff8d8c818bcf00 len=1500",
        "  <idle>-0 [000] .Ns1.  7.280600: napi_poll: napi poll on napi struct ffff8d8c81064808 for device eth0 work 7 budget 64", "");
    NetGuestTrace g = NetGuestTrace.read(new BufferedReader(new StringReader(text)), "gro.txt");
    assertEquals(6, g.rxPackets);
    assertEquals(2, g.rxSkbs);
    long[][] gro = g.groIntervals();
    // 58 us and 21 us; not across the netif_receive_skb, nor to or from the 66-byte ACK
    assertEquals(2, gro.length);
    assertEquals(58_000, gro[0][0]);
    assertEquals(21_000, gro[1][0]);
    assertEquals(1514, gro[0][1]);
    assertEquals(5, g.rxStackIntervals().length, "every consecutive pair of the poll");
    // the lab's receive run without offloads: GRO merged about 22 frames per skb
    NetGuestTrace lab = NetGuestTrace.read(LabTracePaths.lab("qemu-lab-net", "tcp-rx.bounce.nooffload.guest-ftrace.txt.gz"));
    assertEquals(518, lab.rxSkbs);
    assertTrue(lab.groIntervals().length > 10_000, lab.groIntervals().length + " GRO intervals");
    assertEquals(0, NetGuestTrace.read(LabTracePaths.lab("qemu-lab-net", "tcp-rx.direct.guest-ftrace.txt.gz")).groIntervals().length, "GSO packets are not merged");
  }

  /**
   * Software GSO in a capture: a super-packet queued once (net_dev_queue len=4410) reaches the driver
   * as three segments at the queue's time, all but the first marked gsoTail; a small packet queued on
   * its own is not; on the lab's no-offload transmit run every queued super-packet has exactly one
   * unmarked segment.
   */
  @Test
  void segmentsOfASoftwareGsoSkbAfterTheFirstAreMarked() throws Exception {
    String text = String.join("\n",
        "   netwl-159 [000] b....  6.540148: net_dev_queue: dev=eth0 skbaddr=ffff8a7a413c5c00 len=66",
        "   netwl-159 [000] b..1.  6.540650: net_dev_xmit: dev=eth0 skbaddr=ffff8a7a413c5c00 len=66 rc=0",
        "   netwl-159 [000] b....  6.543087: net_dev_queue: dev=eth0 skbaddr=ffff8a7a679ceae8 len=4410",
        "   netwl-159 [000] b..1.  6.544929: net_dev_xmit: dev=eth0 skbaddr=ffff8a7a413c5e00 len=1514 rc=0",
        "   netwl-159 [000] b..1.  6.544939: net_dev_xmit: dev=eth0 skbaddr=ffff8a7a413c5400 len=1514 rc=0",
        "   netwl-159 [000] b..1.  6.545291: net_dev_xmit: dev=eth0 skbaddr=ffff8a7a413c5000 len=1514 rc=0",
        "   netwl-159 [000] b....  6.550000: net_dev_queue: dev=eth0 skbaddr=ffff8a7a413c5c00 len=66",
        "   netwl-159 [000] b..1.  6.550100: net_dev_xmit: dev=eth0 skbaddr=ffff8a7a413c5c00 len=66 rc=0", "");
    NetGuestTrace g = NetGuestTrace.read(new BufferedReader(new StringReader(text)), "gso.txt");
    StringBuilder seen = new StringBuilder();
    NetPacket p = new NetPacket();
    try (var src = g.packets(-1)) {
      while (src.next(p)) seen.append(p.frameLen).append(p.gsoTail ? "+ " : " ").append(p.tsNs).append(';');
    }
    assertEquals("66 0;1514 2939000;1514+ 2939000;1514+ 2939000;66 9852000;", seen.toString());

    NetGuestTrace lab = NetGuestTrace.read(LabTracePaths.lab("qemu-lab-net", "tcp-tx.bounce.nooffload.guest-ftrace.txt.gz"));
    long tails = 0, heads = 0;
    try (var src = lab.packets(-1)) {
      while (src.next(p)) {
        if (p.direction != NetPacket.TX) continue;
        if (p.gsoTail) tails++;
        else heads++;
      }
    }
    // 12144 packets in the window; most transmits are segments after the first of a 16-45 segment super-packet
    assertTrue(tails > 8 * heads / 2 && heads > 400, tails + " marked, " + heads + " unmarked transmits");
  }

  @Test
  void badPcapsSayWhatIsWrong() throws Exception {
    assertTrue(error(new byte[0]).contains("empty file"));
    assertTrue(error(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).contains("not a pcap or pcapng file"));
    byte[] good = Traces.openStream(LabTracePaths.lab("qemu-lab-net", "tcp-rx.direct.pcap.gz")).readAllBytes();
    assertTrue(error(java.util.Arrays.copyOf(good, 20)).contains("truncated pcap file header"));
    assertTrue(error(java.util.Arrays.copyOf(good, 24 + 16 + 10)).contains("frame 1 (byte 50): truncated frame"));
    byte[] lt = good.clone();
    lt[20] = 105; // IEEE 802.11
    assertTrue(error(lt).contains("link type 105"));
    byte[] huge = java.util.Arrays.copyOf(good, 64);
    huge[24 + 8] = (byte) 0xff;
    huge[24 + 9] = (byte) 0xff;
    huge[24 + 10] = (byte) 0xff;
    assertTrue(error(huge).contains("captured length"));
    byte[] ng = pcapng(true, 6, 1, frame(GUEST_MAC, GUEST_MAC));
    ng[ng.length - 1] = 9; // trailing length differs
    assertTrue(error(ng).contains("trailing length"));
    assertThrows(IllegalArgumentException.class, () -> new PcapReader(new ByteArrayInputStream(good), "x", null, null));
    assertThrows(IllegalArgumentException.class, () -> PcapReader.parseIp("300.1.1.1"));
  }

  static String ftraceError(String text) {
    TraceException e = assertThrows(TraceException.class, () -> NetGuestTrace.read(new BufferedReader(new StringReader(text)), "bad.txt"));
    return e.getMessage();
  }

  @Test
  void badNetworkFtraceSaysWhichLine() {
    String ok = "# tracer: nop\n  netwl-1 [000] b..1.  8.064063: net_dev_xmit: dev=eth0 skbaddr=ffff len=130 rc=0\n";
    assertTrue(ftraceError(ok + "garbage line\n").startsWith("bad.txt:3: not an ftrace line"), ftraceError(ok + "garbage line\n"));
    assertTrue(ftraceError(ok + "  x-1 [000] ..... 8.x6: net_dev_xmit: len=1 rc=0\n").startsWith("bad.txt:3: bad timestamp"));
    assertTrue(ftraceError(ok + "  x-1 [000] ..... 9.1: net_dev_xmit: dev=eth0 len=abc rc=0\n").startsWith("bad.txt:3: bad len= value"));
    assertTrue(ftraceError(ok + "  x-1 [000] ..... 9.1: napi_gro_receive_entry: dev=eth0 len=99999999\n").contains("packet length"));
    assertTrue(ftraceError("# tracer: nop\n  x-1 [000] ..... 9.1: napi_poll: napi poll work 0 budget 64\n").contains("no virtio-net packets"));
  }

  @Test
  void badQemuLogSaysWhichLine() {
    TraceException e = assertThrows(TraceException.class,
        () -> NetQemuLog.read(new BufferedReader(new StringReader("1@1.0:virtqueue_pop vq 0x1 elem 0x2 in_num 1 out_num 0\nnot a line\n")), "q.log", 0.5));
    assertTrue(e.getMessage().startsWith("q.log:2: not a QEMU log-backend trace line"), e.getMessage());
    TraceException f = assertThrows(TraceException.class,
        () -> NetQemuLog.read(new BufferedReader(new StringReader("1@1.0:virtqueue_pop vq 0x1 elem 0x2 in_num x out_num 0\n")), "q.log", 0.5));
    assertTrue(f.getMessage().startsWith("q.log:1: bad in_num value"), f.getMessage());
  }
}
