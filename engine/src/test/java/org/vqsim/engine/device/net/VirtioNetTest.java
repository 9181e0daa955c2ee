package org.vqsim.engine.device.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.NetReplay;
import org.vqsim.engine.sim.ReplayConfig;

/** Linux 6.1 virtio_net buffer rules as the net lab measured them (samples/qemu-lab-net/README.md §5a, §6). */
@org.junit.jupiter.api.Timeout(60)
class VirtioNetTest {
  static final String NO_GUEST_GSO = "-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO";

  /** {@code n} packets of {@code len} bytes in one direction, {@code gapNs} apart. */
  static PacketSource stream(byte dir, int n, int len, long gapNs) {
    return new PacketSource() {
      int i;

      @Override
      public boolean next(NetPacket p) {
        if (i >= n) return false;
        p.set(i * gapNs, dir, NetPacket.TCP, len);
        i++;
        return true;
      }
    };
  }

  static NetResult run(String strategy, String features, PacketSource src, DmaOptions dma) throws Exception {
    CostProfile p = CostProfile.load("x86-kvm");
    StrategyId id = StrategyId.of(strategy);
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0);
    return new NetReplay(id, p, c, dma, Ring.SPLIT, NetFeatures.parse(features)).run(src, PacketSink.NONE);
  }

  /**
   * Software GSO (no HOST_TSO): a TCP super-packet passes the socket and TCP/IP once and is segmented
   * below the qdisc (Linux's validate_xmit_skb → skb_gso_segment), so the transmit stack is charged
   * once per super-packet, the payload's copy per segment — whether the model segments a 64 KiB packet
   * itself or a capture hands it the segments marked {@link NetPacket#gsoTail}; unmarked MTU frames are
   * each a packet of their own and pay the stack each.
   */
  @Test
  void softwareGsoChargesTheTransmitStackOncePerSuperPacket() throws Exception {
    String noHostTso = "-HOST_TSO4,-HOST_TSO6,-HOST_ECN,-HOST_UFO";
    CostProfile p = CostProfile.load("x86-kvm");
    long stack = p.cycles(org.vqsim.engine.cost.CostFigure.NET_TX_STACK_CYCLES);
    double perByte = p.get(org.vqsim.engine.cost.CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    int skbs = 10, segs = 45, mss = 1448;
    long copy = skbs * segs * Math.round(mss * perByte);
    NetResult whole = run("direct", noHostTso, stream(NetPacket.TX, skbs, NetPacket.TCP_HEADERS + segs * mss, 1_000_000), DmaOptions.defaults());
    assertEquals(skbs * segs, whole.txPackets());
    long device = whole.run().ledger().total(org.vqsim.engine.cost.Actor.VCPU, org.vqsim.engine.cost.Category.DEVICE);
    assertEquals(skbs * stack + copy, device, "the stack once per super-packet, the copy per segment");
    // the same segments as a capture gives them: one time per super-packet, all but the first marked
    PacketSource captured = new PacketSource() {
      int i;

      @Override
      public boolean next(NetPacket pk) {
        if (i >= skbs * segs) return false;
        pk.set((i / segs) * 1_000_000L, NetPacket.TX, NetPacket.TCP, NetPacket.TCP_HEADERS + mss);
        pk.gsoTail = i % segs != 0;
        i++;
        return true;
      }
    };
    NetResult cap = run("direct", noHostTso, captured, DmaOptions.defaults());
    assertEquals(device, cap.run().ledger().total(org.vqsim.engine.cost.Actor.VCPU, org.vqsim.engine.cost.Category.DEVICE));
    // MTU frames that are packets of their own
    NetResult frames = run("direct", noHostTso, stream(NetPacket.TX, skbs * segs, NetPacket.TCP_HEADERS + mss, 20_000), DmaOptions.defaults());
    assertEquals(skbs * segs * stack + copy, frames.run().ledger().total(org.vqsim.engine.cost.Actor.VCPU, org.vqsim.engine.cost.Category.DEVICE));
  }

  static final String NOOFFLOAD = "-CSUM,-GUEST_CSUM,-HOST_TSO4,-HOST_TSO6,-HOST_ECN,-HOST_UFO,-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO";

  /** Received frames of the given lengths and protocol, all at {@code t = 0}. */
  static PacketSource burst(byte proto, int... lens) {
    return new PacketSource() {
      int i;

      @Override
      public boolean next(NetPacket p) {
        if (i >= lens.length) return false;
        p.set(0, NetPacket.RX, proto, lens[i++]);
        return true;
      }
    };
  }

  static int[] repeat(int n, int len) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, len);
    return a;
  }

  /**
   * GRO (Linux 6.x net/core/gro.c, net/ipv4/tcp_offload.c; VirtioNet#groMerges): within one NAPI poll a
   * TCP frame merges into the held skb while its payload is at most the skb's mss and the skb stays
   * below 64 KiB; a shorter one ends the skb; what the poll holds is flushed at its end. A merged frame
   * costs net_rx_gro_cycles, every skb handed up net_rx_stack_cycles (with its first frame). The guest's
   * interrupt is made slow here so that a burst is wholly delivered before the first poll.
   */
  @Test
  void groMergesTheFramesOfAPollIntoSkbsBelow64KiB() throws Exception {
    CostProfile base = CostProfile.load("qemu-tcg-x86");
    double[] v = new double[org.vqsim.engine.cost.CostFigure.COUNT];
    String[] src = new String[v.length];
    v[org.vqsim.engine.cost.CostFigure.IRQ_GUEST_CYCLES.ordinal()] = 50_000_000;
    src[org.vqsim.engine.cost.CostFigure.IRQ_GUEST_CYCLES.ordinal()] = "test: a slow interrupt, so that a burst is delivered before the poll";
    CostProfile p = base.derive("slow-irq", "test", v, src, null, null);
    long stack = p.cycles(org.vqsim.engine.cost.CostFigure.NET_RX_STACK_CYCLES), gro = p.cycles(org.vqsim.engine.cost.CostFigure.NET_RX_GRO_CYCLES);
    assertTrue(gro != stack, "the profile has its own GRO figure");
    double perByte = p.get(org.vqsim.engine.cost.CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    StrategyId id = StrategyId.of("direct");
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0);
    int mtu = NetPacket.TCP_HEADERS + 1448;
    // full, full, short (ends the skb), full, full: two skbs, three frames merged
    NetResult r = new NetReplay(id, p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(NOOFFLOAD))
        .run(burst(NetPacket.TCP, mtu, mtu, NetPacket.TCP_HEADERS + 1000, mtu, mtu), PacketSink.NONE);
    assertEquals(5, r.rxPackets());
    assertEquals(3, r.rxGroMerged());
    assertEquals(2, r.rxSkbs());
    long copy = Math.round(1448 * perByte) * 4 + Math.round(1000 * perByte);
    assertEquals(2 * stack + 3 * gro + copy, r.run().ledger().total(org.vqsim.engine.cost.Actor.VCPU, org.vqsim.engine.cost.Category.DEVICE));
    // 450 MTU frames: polls of at most 64, skbs of at most 45 frames (45 x 1448 + 52 < 65536 <= 46 x 1448 + 52)
    NetResult m = new NetReplay(id, p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(NOOFFLOAD)).run(burst(NetPacket.TCP, repeat(450, mtu)), PacketSink.NONE);
    assertEquals(450, m.rxPackets());
    assertTrue(m.rxSkbs() >= 10 && m.rxSkbs() < 450 / 4, "skbs " + m.rxSkbs());
    assertEquals(m.rxSkbs() * stack + m.rxGroMerged() * gro + 450 * Math.round(1448 * perByte),
        m.run().ledger().total(org.vqsim.engine.cost.Actor.VCPU, org.vqsim.engine.cost.Category.DEVICE));
    // UDP is not merged (no UDP_GRO socket), nor are the device's GSO packets (GUEST_TSO: SKB_GSO_DODGY), nor ACKs
    assertEquals(0, new NetReplay(id, p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(NOOFFLOAD))
        .run(burst(NetPacket.UDP, repeat(20, NetPacket.UDP_HEADERS + 1472)), PacketSink.NONE).rxGroMerged());
    assertEquals(0, new NetReplay(id, p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(null))
        .run(burst(NetPacket.TCP, repeat(20, 65226)), PacketSink.NONE).rxGroMerged());
    assertEquals(0, new NetReplay(id, p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(NOOFFLOAD))
        .run(burst(NetPacket.TCP, repeat(20, NetPacket.TCP_HEADERS)), PacketSink.NONE).rxGroMerged());
    // frames far apart: one per poll, nothing to merge
    assertEquals(0, run("direct", NOOFFLOAD, stream(NetPacket.RX, 20, mtu, 100_000_000), DmaOptions.defaults()).rxGroMerged());
  }

  /** The done times (ns) of a replay's received packets, in the order the guest handed them up. */
  static long[] rxDone(CostProfile p, long seed, PacketSource src) throws Exception {
    List<Long> done = new ArrayList<>();
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0).withSeed(seed);
    new NetReplay(StrategyId.of("direct"), p, c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(NOOFFLOAD))
        .run(src, (index, direction, frameLen, buffers, queue, startNs, doneNs, ledger, slots, slotCount) -> {
          if (direction == NetPacket.RX) done.add(doneNs);
        });
    return done.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * The guest's stalls (docs/NET-NOTES.md): with a guest jitter and its reference exposure, each packet's
   * guest work is followed by a stall of the draw × sqrt(the packet's modelled guest time / the
   * reference), which adds time and no cycles; the same for a seed. Without the reference exposure (or
   * without a jitter) nothing is added.
   */
  @Test
  void theGuestsStallFollowsEachPacketScaledByItsOwnGuestTime() throws Exception {
    double[] v = new double[org.vqsim.engine.cost.CostFigure.COUNT];
    String[] src = new String[v.length];
    v[org.vqsim.engine.cost.CostFigure.IRQ_GUEST_CYCLES.ordinal()] = 50_000_000;
    src[org.vqsim.engine.cost.CostFigure.IRQ_GUEST_CYCLES.ordinal()] = "test: a slow interrupt, so that a burst is delivered before the poll";
    CostProfile base = CostProfile.load("x86-kvm").derive("slow-irq", "test", v, src, null, null);
    int mtu = NetPacket.TCP_HEADERS + 1448, n = 40;
    // a flat 100 µs draw given for a 200 µs exposure
    CostProfile flat = base.derive("j", "test", new double[v.length], new String[v.length], null, null,
        org.vqsim.engine.cost.ServiceDistribution.parse("empirical 0:100000 1:100000"), "test", null, null);
    long[] a = rxDone(base, 1, burst(NetPacket.TCP, repeat(n, mtu)));
    assertEquals(n, a.length);
    // without the reference exposure a block request's stall cannot be taken to a packet: nothing is added
    assertTrue(java.util.Arrays.equals(a, rxDone(flat, 1, burst(NetPacket.TCP, repeat(n, mtu)))));
    CostProfile scaled = flat.withJitterExposure(200_000, "test");
    long[] s = rxDone(scaled, 1, burst(NetPacket.TCP, repeat(n, mtu)));
    for (int i = 1; i < n; i++) {
      long work = a[i] - a[i - 1], gap = s[i] - s[i - 1];
      assertTrue(work > 0 && work < 200_000, "work " + work);
      // the packet's work, then its stall: 100 µs × sqrt(work / 200 µs); the times are whole ns, so the work
      // is known to ±1 ns, which moves the square root by its slope
      double slope = 50_000 / Math.sqrt(work * 200_000.0);
      assertEquals(work + 100_000 * Math.sqrt(work / 200_000.0), gap, 2 * (1 + slope), "packet " + i);
    }
    // a stall is time, not work: the cycles are the same
    NetResult c0 = new NetReplay(StrategyId.of("direct"), base, ReplayConfig.defaults().withTopology(1, 1, 0), DmaOptions.defaults(), Ring.SPLIT,
        NetFeatures.parse(NOOFFLOAD)).run(burst(NetPacket.TCP, repeat(n, mtu)), PacketSink.NONE);
    NetResult c1 = new NetReplay(StrategyId.of("direct"), scaled, ReplayConfig.defaults().withTopology(1, 1, 0), DmaOptions.defaults(), Ring.SPLIT,
        NetFeatures.parse(NOOFFLOAD)).run(burst(NetPacket.TCP, repeat(n, mtu)), PacketSink.NONE);
    assertEquals(c0.run().ledger().grandTotal(), c1.run().ledger().grandTotal());
    // a spread distribution: the same for a seed, another for another seed
    CostProfile spread = base.derive("j", "test", new double[v.length], new String[v.length], null, null,
        org.vqsim.engine.cost.ServiceDistribution.parse("empirical 0:0 0.5:0 1:200000"), "test", null, null).withJitterExposure(200_000, "test");
    long[] x = rxDone(spread, 1, burst(NetPacket.TCP, repeat(n, mtu)));
    assertTrue(java.util.Arrays.equals(x, rxDone(spread, 1, burst(NetPacket.TCP, repeat(n, mtu)))));
    assertTrue(!java.util.Arrays.equals(x, rxDone(spread, 2, burst(NetPacket.TCP, repeat(n, mtu)))));
  }

  /** A profile without net_rx_gro_cycles charges a merged frame net_rx_stack_cycles, as before GRO was modelled. */
  @Test
  void withoutAGroFigureAMergedFrameCostsThePacketStack() throws Exception {
    CostProfile p = CostProfile.load("x86-kvm");
    assertTrue(!p.isGiven(org.vqsim.engine.cost.CostFigure.NET_RX_GRO_CYCLES));
    assertEquals(p.cycles(org.vqsim.engine.cost.CostFigure.NET_RX_STACK_CYCLES), p.cycles(org.vqsim.engine.cost.CostFigure.NET_RX_GRO_CYCLES));
  }

  @Test
  void virtioIommuSendsAMapPerIommuPgsizeChunkOfATransmitFrag() throws Exception {
    // TSO transmit: the payload lies in 32 KiB page frags taken at offsets; a partial frag whose address
    // and IOVA share an alignment above 4 KiB goes as 2-3 MAPs (Linux 6.1 __iommu_map / iommu_pgsize), as in
    // the net lab's tcp-tx.virtio-iommu-strict (1,946 MAP requests for 1,782 maps); its unmap as 1-3 UNMAPs
    ReplayConfig c = ReplayConfig.defaults().withTopology(1, 1, 0);
    NetReplay tx = new NetReplay(StrategyId.of("virtio-iommu"), CostProfile.load("x86-kvm"), c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(null));
    NetResult t = tx.run(stream(NetPacket.TX, 200, 65226, 200_000), PacketSink.NONE);
    long maps = t.events(EventKind.MAPS), mapRequests = tx.virtioIommuMapRequests();
    assertTrue(mapRequests > maps && mapRequests < 2 * maps, mapRequests + " MAP requests for " + maps + " maps");
    assertTrue(t.events(EventKind.INVALIDATIONS) > t.events(EventKind.UNMAPS), "UNMAP requests " + t.events(EventKind.INVALIDATIONS) + ", unmaps " + t.events(EventKind.UNMAPS));
    // mergeable receive buffers (one or two pages here) are one MAP each, as in the lab's tcp-rx (5,062 MAPs = maps)
    NetReplay rx = new NetReplay(StrategyId.of("virtio-iommu"), CostProfile.load("x86-kvm"), c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(null));
    NetResult r = rx.run(stream(NetPacket.RX, 200, 65226, 200_000), PacketSink.NONE);
    assertEquals(r.events(EventKind.MAPS), rx.virtioIommuMapRequests());
    assertEquals(r.events(EventKind.UNMAPS), r.events(EventKind.INVALIDATIONS));
    // another strategy sends none
    NetReplay direct = new NetReplay(StrategyId.of("direct"), CostProfile.load("x86-kvm"), c, DmaOptions.defaults(), Ring.SPLIT, NetFeatures.parse(null));
    direct.run(stream(NetPacket.TX, 20, 65226, 200_000), PacketSink.NONE);
    assertEquals(0, direct.virtioIommuMapRequests());
  }

  @Test
  void mergeableReceiveOfAGsoPacketSpansPageSizedBuffersOneMapEach() throws Exception {
    // 64 KiB GSO packets: the EWMA grows the buffers to 4096 bytes, 16-17 buffers per packet, one map and one unmap per buffer
    NetResult r = run("viommu-strict", null, stream(NetPacket.RX, 200, 65226, 200_000), DmaOptions.defaults());
    assertEquals(200, r.rxPackets());
    double buffers = (double) r.rxBuffers() / r.rxPackets();
    assertTrue(buffers > 15.9 && buffers < 17.5, "buffers per packet " + buffers);
    assertEquals(r.events(EventKind.UNMAPS), r.rxBuffers());
    // every buffer used is reposted (refill batches leave at most 32 behind)
    assertTrue(Math.abs(r.events(EventKind.MAPS) - r.rxBuffers()) <= 32, r.events(EventKind.MAPS) + " maps for " + r.rxBuffers() + " buffers");
    // caching mode: one invalidation per map and per unmap
    assertEquals(r.events(EventKind.MAPS) + r.events(EventKind.UNMAPS), r.events(EventKind.INVALIDATIONS));
  }

  @Test
  void bigPacketsBuffersTake20MapsAndBounce74012Bytes() throws Exception {
    // mrg_rxbuf=off with guest TSO: 19 descriptors + the 304-byte indirect table, 74012 bytes bounced per buffer
    NetResult r = run("bounce", "-MRG_RXBUF", stream(NetPacket.RX, 100, 1514, 100_000), DmaOptions.defaults());
    assertEquals("big", r.rxBufferKind());
    assertEquals(100, r.rxPackets());
    assertEquals(100, r.rxBuffers());
    long bounces = r.events(EventKind.BOUNCES);
    assertEquals(0, bounces % 20, "20 bounced mappings per big buffer, got " + bounces);
    assertEquals(74012L * (bounces / 20), r.events(EventKind.BOUNCE_BYTES));
  }

  @Test
  void smallBuffersWithoutOffloadsAre1530Bytes() throws Exception {
    NetResult r = run("bounce", "-MRG_RXBUF," + NO_GUEST_GSO, stream(NetPacket.RX, 100, 1514, 100_000), DmaOptions.defaults());
    assertEquals("small", r.rxBufferKind());
    assertEquals(1530L * r.events(EventKind.BOUNCES), r.events(EventKind.BOUNCE_BYTES));
  }

  @Test
  void aTsoTransmitIsHeaderPlusPageFragsThroughAMappedIndirectTable() throws Exception {
    // 78-byte header part, the 65160-byte payload over 32 KiB page frags (2-3), the table: 4-5 maps per packet
    NetResult r = run("viommu-strict", null, stream(NetPacket.TX, 100, 65226, 200_000), DmaOptions.defaults());
    assertEquals(100, r.txPackets());
    double maps = (double) r.events(EventKind.MAPS) / r.txPackets();
    assertTrue(maps >= 4.0 && maps <= 5.0, "maps per TSO packet " + maps);
    // without CSUM there is no scatter-gather: one linear mapping per (software-segmented) frame
    NetResult n = run("viommu-strict", "-CSUM", stream(NetPacket.TX, 10, 65226, 2_000_000), DmaOptions.defaults());
    assertEquals(10 * 45, n.txPackets(), "65160 bytes of payload in 1448-byte segments");
    assertEquals(1.0, (double) n.events(EventKind.MAPS) / n.txPackets(), 1e-9);
  }

  @Test
  void aBouncePoolTooSmallForThePostedBuffersFailsTheRefillAndRetries() throws Exception {
    // 256 big buffers hold 18.9 MB of bounce slots (lab README §6.3): a 16 MiB pool cannot take them all
    DmaOptions small = new DmaOptions(16L << 20, 0, 0, false, DmaOptions.defaults().guestKernel(), false, 0);
    NetResult r = run("bounce", "-MRG_RXBUF", stream(NetPacket.RX, 50, 1514, 1_000_000), small);
    assertTrue(r.refillFailures() > 0, "refill failures " + r.refillFailures());
    assertEquals(50, r.rxPackets());
  }

  @Test
  void featureListsAreCheckedAndDependantsFollow() {
    NetFeatures f = NetFeatures.parse("-CSUM,-guest_csum");
    assertTrue(!f.hostTso() && !f.guestTso() && f.mergeable());
    assertEquals("mergeable", NetFeatures.parse("virtio_net_f_mrg_rxbuf").rxBuffers());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetFeatures.parse("-MRG_RXBUFF"));
    assertTrue(e.getMessage().contains("MRG_RXBUFF"), e.getMessage());
  }

  @Test
  void sameInputSameResult() throws Exception {
    List<Long> a = new ArrayList<>(), b = new ArrayList<>();
    for (List<Long> into : List.of(a, b)) {
      NetResult r = run("virtio-iommu", null, stream(NetPacket.RX, 300, 9000, 20_000), DmaOptions.defaults());
      into.add(r.run().simTimeNs());
      into.add(r.run().ledger().grandTotal());
      into.add(r.rxInterrupts());
    }
    assertEquals(a, b);
  }
}
