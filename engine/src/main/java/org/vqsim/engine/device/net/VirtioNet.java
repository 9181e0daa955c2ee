package org.vqsim.engine.device.net;

import java.io.IOException;
import java.util.List;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.device.DeviceModel;
import org.vqsim.engine.device.Virtqueue;
import org.vqsim.engine.dma.DmaDirection;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.Backend;
import org.vqsim.engine.sim.ModelException;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.sim.RunResult;
import org.vqsim.engine.sim.Server;
import org.vqsim.engine.sim.Timeline;
import org.vqsim.engine.sim.Vmm;

/**
 * virtio-net (virtio 1.2 §5.1) with Linux 6.1's driver ({@code drivers/net/virtio_net.c}, Debian
 * 6.1.192 as in the net lab) and QEMU 7.2's device over tap, or vhost-net, on the timeline.
 *
 * <p>Queue pairs: receiveq {@code 2p}, transmitq {@code 2p+1}, one pair per vCPU with several queues
 * (the control queue carries only set-up and is not modelled). Every packet carries the 12-byte
 * {@code virtio_net_hdr_v1}.
 *
 * <p><b>Receive buffers</b> (posted ahead, mapped when posted, unmapped when used, never reused — 6.1
 * has neither page_pool nor premapped mode; the lab saw every buffer mapped again):
 * <ul>
 *   <li>mergeable ({@code MRG_RXBUF}, {@code add_recvbuf_mergeable}, virtio_net.c 1419–1470): one
 *       descriptor carved from a 32 KiB page frag ({@code skb_page_frag_refill}), of
 *       {@code ALIGN(12 + clamp(EWMA of packet sizes, 1518, 4084), 64)} bytes
 *       ({@code get_mergeable_buf_len}, {@code DECLARE_EWMA(pkt_len, 0, 64)}); when what is left of the
 *       frag cannot hold another buffer it is added to this one. A packet spans as many buffers as
 *       its 12 + frame bytes need ({@code num_buffers});
 *   <li>big packets (no MRG_RXBUF, guest TSO; {@code add_recvbuf_big}, 1370–1412): 19 descriptors —
 *       the header (12), the rest of the first page (4064) and 17 pages — through an indirect table:
 *       20 mappings per buffer;
 *   <li>small (neither; {@code add_recvbuf_small}, 1344–1368): 12 + GOOD_PACKET_LEN (1518) bytes of a
 *       1920-byte page-frag piece.
 * </ul>
 * The ring is filled completely at open; NAPI refills once more than {@code min(budget, size)/2}
 * descriptors are free ({@code virtnet_receive}, 1607), until the ring is full or a mapping fails —
 * then {@code refill_work} retries (at once, then every HZ/2), counted as refill failures.
 *
 * <p><b>Transmit</b> ({@code start_xmit}, {@code xmit_skb} 1857–1888): the header is pushed in front
 * of the linear part (VERSION_1 implies any header layout), followed by the page fragments; TCP with
 * scatter-gather (CSUM) keeps its payload in 32 KiB page frags ({@code tcp_sendmsg_locked},
 * {@code sk_page_frag_refill}), so a TSO packet is the 78-byte header part plus the frags its payload
 * touches; without CSUM every frame is linear. A packet of more than one descriptor goes through an
 * indirect table, mapped per packet. Completed packets are freed at the next transmit and in the tx
 * NAPI ({@code free_old_xmit_skbs}); the queue stops when fewer than 2 + MAX_SKB_FRAGS descriptors
 * are free. A frame above the MTU without TSO is segmented in software (xmit_more on all but the last).
 * Transmit callbacks (napi_tx, 6.1's default): {@code start_xmit} frees with callbacks off and, on a
 * burst's last packet, turns them back on with {@code virtqueue_enable_cb_delayed} (an interrupt only
 * after 3/4 of what is in flight is used); so does the rx poll's {@code virtnet_poll_cleantx}; the tx
 * NAPI ({@code virtnet_poll_tx}) re-enables them for the next completion. QEMU's
 * {@code virtio_net_flush_tx} pushes and decides on an interrupt per packet.
 *
 * <p><b>NAPI</b>: an interrupt schedules the poll with callbacks disabled; a poll takes up to 64
 * packets (NAPI_POLL_WEIGHT), refills, and re-enables callbacks only when it took fewer
 * ({@code virtqueue_napi_complete}); the rx poll also frees the paired tx queue
 * ({@code virtnet_poll_cleantx}).
 *
 * <p><b>Host</b>: QEMU's main loop (under the BQL) or a vhost-net worker per queue pair;
 * {@code net_packet_cycles_*} per packet; receive pops buffers until the packet fits, writes the
 * header with {@code num_buffers}, one used flush and interrupt decision per packet; with no buffers
 * it turns guest notifications on and waits for a refill kick (packets wait in the tap queue, 500
 * deep — TUN_READQ_SIZE — beyond which they are dropped). Transmit pops every available chain, reads
 * the header, sends, pushes used, one interrupt decision per pass. The link serialises frames at
 * {@code link_gbps} and adds {@code link_latency_ns}.
 *
 * <p><b>The guest's stalls</b>: with the profile's guest jitter and its reference exposure, the guest
 * stands still after each packet's work for the packet's draw, scaled by the square root of that work's
 * time over the reference — the block calibration's rule with the packet as the request
 * ({@link #stall}; docs/NET-NOTES.md).
 */
public final class VirtioNet implements DeviceModel {
  static final int ARRIVAL = 0, XMIT = 1, DEV_TX_KICK = 2, DEV_TX_RECHECK = 3, DEV_RX = 4, DEV_RX_KICK = 5, RX_IRQ = 6, TX_IRQ = 7, NAPI_RX = 8,
      REFILL = 9, NAPI_TX = 10;

  /** struct virtio_net_hdr_mrg_rxbuf / virtio_net_hdr_v1: 12 bytes with VERSION_1 or MRG_RXBUF. */
  public static final int HDR_LEN = 12;
  /** ETH_HLEN + VLAN_HLEN + ETH_DATA_LEN. */
  static final int GOOD_PACKET_LEN = 1518;
  static final int NAPI_BUDGET = 64;
  static final int MAX_SKB_FRAGS = 17;
  static final int FRAG_BYTES = 32768;
  static final int PAGE = 4096;
  static final int BIG_DESCS = MAX_SKB_FRAGS + 2;
  static final int MAX_MAPS = BIG_DESCS + 1;
  /** The largest frame without TSO: MTU 1500 + Ethernet header. */
  static final int MAX_WIRE_FRAME = 1514;
  /** TCP payload per segment: MTU 1500 - IPv4 20 - TCP 20 - timestamps 12. */
  static final int TCP_MSS = 1448;
  /** skb_gro_receive's limit for an IPv4 skb: GRO_LEGACY_MAX_SIZE (include/linux/netdevice.h). */
  static final int GRO_MAX_SIZE = 65536;
  /** add_recvbuf_small's piece: SKB_DATA_ALIGN(12 + VIRTNET_RX_PAD 64 + 1518) + SKB_DATA_ALIGN(sizeof(skb_shared_info) 320). */
  static final int SMALL_PIECE = 1600 + 320, RX_PAD = 64;
  static final int TX_QUEUE_LEN = 1000, TAP_QUEUE_LEN = 500;
  /** refill_work's retry after a failed refill: schedule_delayed_work(&vi->refill, HZ/2). */
  static final long REFILL_RETRY_PS = 500_000_000_000L;
  private static final long RING_BASE = 0x10_0000L;
  private static final long MIN_DATA_BASE = 256L << 20;

  final ReplayConfig config;
  final NetFeatures features;
  final CostProfile profile;
  final Timeline tl;
  final CycleLedger ledger;
  final GuestMemory mem;
  final DmaStrategy dma;
  final Vmm vmm;
  final Server[] vcpus;
  final int pairs, size;
  final Virtqueue[] rxq, txq;
  final boolean mergeable, big, txSg, hostTso, guestTso, indirect;
  final String strategyId;
  private final PacketSource source;
  private final PacketSink sink;
  private final NetPacket cursor = new NetPacket();
  private final Chain chain = new Chain(MAX_MAPS), popped = new Chain(MAX_MAPS);
  private final int txSlotBase = 0, rxSlotBase, setupSlot;

  // costs
  private final long ringDesc, ringPublish, guestUsed, kickExit, irqGuest, devicePop, deviceDesc, usedPush, kickHandler, irqInject, hostPacket,
      txStack, rxStack, rxGro;
  private final double copyPerByte, psPerBit;
  private final long linkLatencyPs;
  private final boolean bql;
  /**
   * The guest's stalls (the block calibration's guest jitter for this strategy, ns at the reference
   * exposure), or null for none: a profile without {@code guest_jitter_distribution} or without
   * {@code guest_jitter_exposure_ns} (a stall measured per block request cannot be taken to a packet
   * without the exposure it was measured at).
   */
  private final org.vqsim.engine.cost.GuestJitter stalls;
  private final long seed;
  /** The stream of draws the guest's stalls take per packet: of its own, independent of any other draw of the packet. */
  static final long STALL_STREAM = 2;

  // memory
  private final long txPageBase, rxTableBase;
  private final long[] rxRegion, txRegion;
  private final long rxRegionBytes, txRegionBytes;

  // ---- per rx queue ----
  private final long[] rxFragBase, rxFragNext;
  private final int[] rxFragOff;
  private final long[] ewma;
  private final int[][] rxFree;
  private final int[] rxFreeCount;
  private final int[][] rxLen; // device-writable bytes
  private final long[][] rxMapAddr; // per buffer MAX_MAPS mappings (big) or 1
  private final int[][] rxMapLen, rxMapCount;
  private final int[][] rxHeadToBuf;
  private final long[][] rxPktIdx, rxPktStart;
  private final byte[][] rxPktProto;
  /**
   * GRO per receive queue (its NAPI's gro list): the IP length of the TCP skb it holds (0: none) and
   * that skb's mss (its first frame's payload). The queue's packets are taken as one flow.
   */
  private final int[] groHeld, groMss;
  /**
   * num_buffers of the packet whose first buffer this is, as the device wrote it into the header: the
   * receive regions are payload memory (their bytes are not kept, so that a run does not walk megabytes
   * of simulated buffers no cache holds), and the guest reads the one header field it needs from here.
   */
  private final int[][] rxNumBuffers;
  private final boolean[] napiScheduled, refillPending, rxWaiting, rxDevScheduled;
  private final long[] rxNextRefillPs;
  // host side (tap queue), per rx queue: FIFO of packets
  private final long[][] hostReady, hostIdx;
  private final int[][] hostLen;
  private final byte[][] hostProto;
  private final int[] hostHead, hostCount;
  private final long[] rxLinkFree;
  // device-side stash of popped, unused receive buffers
  private final int[][] stashHead, stashLen;
  private final long[][] stashGpa;
  private final int[] stashCount;

  // ---- per tx queue ----
  private final long[] txFragBase, txFragNext;
  private final int[] txFragOff;
  private final int[][] txFree;
  private final int[] txFreeCount;
  private final long[][] txMapAddr;
  private final int[][] txMapLen, txMapCount, txHeadToSlot, txDescs, txLen;
  private final long[][] txStart, txIdx;
  private final boolean[] txStopped, xmitScheduled;
  private final int[] txCpu;
  // qdisc FIFO per tx queue
  private final long[][] qTs, qIdx;
  private final int[][] qLen;
  private final byte[][] qProto;
  private final int[] qHead, qCount;
  private long txLinkFree;

  // the source
  private boolean sourceDone;
  private long nextIndex, lastArrivalPs = 0, pendingArrivals;
  private long aTs, aIdx;
  private int aLen, aCpu;
  private byte aDir, aProto;
  private boolean aGsoTail;
  /**
   * A queued transmit's flag (in qProto): a segment after the first of one TCP GSO skb segmented in
   * software, which did not pass through the stack above the qdisc (see the transmit pass).
   */
  private static final byte GSO_TAIL = 0x40;

  // results
  long txPackets, rxPackets, txBytes, rxBytes, rxBuffers, txDescriptors, txKicks, rxKicks, kicksSuppressed, txInterrupts, rxInterrupts, refillFailures,
      txDrops, rxDrops, qdiscStops, napiPolls, napiBudgetExhausted, rxGroMerged, firstPs = -1, lastPs;
  long[] setupEvents = new long[EventKind.values().length];
  private final int[] sinkSlots = new int[64];

  public VirtioNet(String strategyId, ReplayConfig config, NetFeatures features, CostProfile profile, Timeline tl, GuestMemory mem, DmaStrategy dma, Vmm vmm,
      Ring ring, long reservedBase, PacketSource source, PacketSink sink) {
    this.strategyId = strategyId;
    this.config = config;
    this.features = features;
    this.profile = profile;
    this.tl = tl;
    this.ledger = tl.ledger();
    this.mem = mem;
    this.dma = dma;
    this.vmm = vmm;
    this.source = source;
    this.sink = sink;
    this.pairs = config.queueCount();
    this.size = config.queueSize();
    this.mergeable = features.mergeable();
    this.big = !mergeable && features.bigPackets();
    this.txSg = features.txSg();
    this.hostTso = features.hostTso();
    this.guestTso = features.guestTso();
    boolean eventIdx = config.eventIdx() && features.has(NetFeatures.F.EVENT_IDX);
    this.indirect = config.indirect() && features.has(NetFeatures.F.INDIRECT_DESC);
    if (big && !indirect) {
      // without indirect descriptors a big buffer takes 19 ring descriptors: fine as long as the ring has room
      if (size < BIG_DESCS) throw new ModelException("a " + size + "-entry receive ring cannot hold one 19-descriptor big-packets buffer");
    }
    this.rxSlotBase = pairs * size;
    this.setupSlot = 2 * pairs * size;
    if (ledger.slots() < setupSlot + 1) throw new IllegalArgumentException("ledger has " + ledger.slots() + " slots, needs " + (setupSlot + 1));

    CostProfile p = profile;
    ringDesc = p.cycles(CostFigure.RING_DESC_CYCLES);
    ringPublish = p.cycles(CostFigure.RING_PUBLISH_CYCLES);
    guestUsed = p.cycles(CostFigure.GUEST_USED_CYCLES);
    kickExit = p.cycles(CostFigure.KICK_EXIT_CYCLES);
    irqGuest = p.cycles(CostFigure.IRQ_GUEST_CYCLES);
    devicePop = p.cycles(CostFigure.DEVICE_POP_CYCLES);
    deviceDesc = p.cycles(CostFigure.DEVICE_DESC_CYCLES);
    usedPush = p.cycles(CostFigure.USED_PUSH_CYCLES);
    boolean vhost = config.backend() == Backend.VHOST;
    kickHandler = p.cycles(vhost ? CostFigure.KICK_HANDLER_CYCLES_VHOST : CostFigure.KICK_HANDLER_CYCLES_QEMU);
    irqInject = p.cycles(CostFigure.IRQ_INJECT_CYCLES);
    hostPacket = p.cycles(vhost ? CostFigure.NET_PACKET_CYCLES_VHOST : CostFigure.NET_PACKET_CYCLES_QEMU);
    txStack = p.cycles(CostFigure.NET_TX_STACK_CYCLES);
    rxStack = p.cycles(CostFigure.NET_RX_STACK_CYCLES);
    rxGro = p.cycles(CostFigure.NET_RX_GRO_CYCLES);
    copyPerByte = p.get(CostFigure.NET_COPY_CYCLES_PER_KIB) / 1024.0;
    double gbps = p.get(CostFigure.LINK_GBPS);
    if (!(gbps > 0)) throw new IllegalArgumentException("link_gbps must be > 0");
    psPerBit = 1000.0 / gbps;
    linkLatencyPs = Math.round(p.get(CostFigure.LINK_LATENCY_NS) * 1000.0);
    bql = vmm.mainLoop();
    stalls = org.vqsim.engine.cost.GuestJitter.of(p, strategyId, true);
    seed = config.seed();

    vcpus = new Server[config.vcpus()];
    for (int c = 0; c < vcpus.length; c++) vcpus[c] = new Server(Server.Kind.VCPU, c, "vcpu-" + c);
    rxq = new Virtqueue[pairs];
    txq = new Virtqueue[pairs];
    long base = RING_BASE;
    for (int i = 0; i < pairs; i++) {
      // virtnet_set_affinity: queue pair i's interrupts go to CPU i (mod the vCPUs)
      int cpu = i % vcpus.length;
      rxq[i] = new Virtqueue(2 * i, ring, mem, size, base, eventIdx, indirect, dma, tl, vmm.threadOf(i), cpu);
      base = align(rxq[i].end, PAGE);
      txq[i] = new Virtqueue(2 * i + 1, ring, mem, size, base, eventIdx, indirect, dma, tl, vmm.threadOf(i), cpu);
      base = align(txq[i].end, PAGE);
    }
    // per tx slot an 8 KiB page: the linear part (header pushed in front) at 0x40, the indirect table at 0x1800
    txPageBase = align(base, 2L << 20);
    long txPagesEnd = txPageBase + (long) pairs * size * 8192;
    // per rx buffer 512 bytes for a big buffer's indirect table (kmalloc'd by alloc_indirect_split)
    rxTableBase = align(txPagesEnd, PAGE);
    long tablesEnd = rxTableBase + (long) pairs * size * 512;
    long dataBase = Math.max(MIN_DATA_BASE, align(tablesEnd, 2L << 20));
    // receive regions then transmit regions: payload memory, untracked (the one receive header field the
    // guest reads back, num_buffers, is kept as a number: rxNumBuffers)
    rxRegionBytes = align(big ? 2L * size * (BIG_DESCS) * PAGE : 4L * size * PAGE + 2L * FRAG_BYTES, 2L << 20);
    txRegionBytes = align(2L * size * 3 * FRAG_BYTES, 2L << 20);
    long need = pairs * (rxRegionBytes + txRegionBytes);
    if (dataBase + need > reservedBase) {
      throw new ModelException(pairs + " queue pairs of " + size + " entries need " + (need >> 20) + " MiB of packet buffers: guest memory of "
          + (config.guestMemoryBytes() >> 20) + " MiB leaves " + ((reservedBase - dataBase) >> 20) + " MiB below its upper half");
    }
    rxRegion = new long[pairs];
    txRegion = new long[pairs];
    for (int i = 0; i < pairs; i++) rxRegion[i] = dataBase + i * rxRegionBytes;
    long txBase = dataBase + pairs * rxRegionBytes;
    for (int i = 0; i < pairs; i++) txRegion[i] = txBase + i * txRegionBytes;
    mem.setUntracked(dataBase, txBase + pairs * txRegionBytes);

    rxFragBase = new long[pairs];
    rxFragNext = new long[pairs];
    rxFragOff = new int[pairs];
    ewma = new long[pairs];
    rxFree = new int[pairs][size];
    rxFreeCount = new int[pairs];
    rxLen = new int[pairs][size];
    int mapsPerBuf = big ? MAX_MAPS : 1;
    rxMapAddr = new long[pairs][size * mapsPerBuf];
    rxMapLen = new int[pairs][size * mapsPerBuf];
    rxMapCount = new int[pairs][size];
    rxHeadToBuf = new int[pairs][size];
    rxPktIdx = new long[pairs][size];
    rxPktStart = new long[pairs][size];
    rxPktProto = new byte[pairs][size];
    groHeld = new int[pairs];
    groMss = new int[pairs];
    rxNumBuffers = new int[pairs][size];
    napiScheduled = new boolean[pairs];
    refillPending = new boolean[pairs];
    rxWaiting = new boolean[pairs];
    rxDevScheduled = new boolean[pairs];
    rxNextRefillPs = new long[pairs];
    hostReady = new long[pairs][TAP_QUEUE_LEN];
    hostIdx = new long[pairs][TAP_QUEUE_LEN];
    hostLen = new int[pairs][TAP_QUEUE_LEN];
    hostProto = new byte[pairs][TAP_QUEUE_LEN];
    hostHead = new int[pairs];
    hostCount = new int[pairs];
    rxLinkFree = new long[pairs];
    stashHead = new int[pairs][size];
    stashLen = new int[pairs][size];
    stashGpa = new long[pairs][size];
    stashCount = new int[pairs];
    txFragBase = new long[pairs];
    txFragNext = new long[pairs];
    txFragOff = new int[pairs];
    txFree = new int[pairs][size];
    txFreeCount = new int[pairs];
    txMapAddr = new long[pairs][size * MAX_MAPS];
    txMapLen = new int[pairs][size * MAX_MAPS];
    txMapCount = new int[pairs][size];
    txHeadToSlot = new int[pairs][size];
    txDescs = new int[pairs][size];
    txLen = new int[pairs][size];
    txStart = new long[pairs][size];
    txIdx = new long[pairs][size];
    txStopped = new boolean[pairs];
    xmitScheduled = new boolean[vcpus.length];
    txCpu = new int[pairs];
    qTs = new long[pairs][TX_QUEUE_LEN];
    qIdx = new long[pairs][TX_QUEUE_LEN];
    qLen = new int[pairs][TX_QUEUE_LEN];
    qProto = new byte[pairs][TX_QUEUE_LEN];
    qHead = new int[pairs];
    qCount = new int[pairs];
    for (int q = 0; q < pairs; q++) {
      for (int i = 0; i < size; i++) {
        rxFree[q][i] = size - 1 - i;
        txFree[q][i] = size - 1 - i;
      }
      rxFreeCount[q] = size;
      txFreeCount[q] = size;
      rxFragBase[q] = -1;
      txFragBase[q] = -1;
      rxFragNext[q] = rxRegion[q];
      txFragNext[q] = txRegion[q];
      txCpu[q] = q % vcpus.length;
    }
  }

  static long align(long v, long a) {
    return (v + a - 1) / a * a;
  }

  // ---- start: the initial fill, then the first packet -----------------------------------------------

  @Override
  public void start() throws IOException {
    // virtnet_open: try_fill_recv on every receive queue (set-up, not part of any packet); when a
    // mapping fails (the bounce pool is full) it schedules refill_work, as in the NAPI path
    for (int q = 0; q < pairs; q++) {
      tl.begin(vcpus[rxq[q].irqCpu], 0);
      if (!fillRecv(q, setupSlot)) {
        refillFailures++;
        refillPending[q] = true;
        rxNextRefillPs[q] = 1;
        tl.schedule(0, REFILL, q, 0);
      }
      rxq[q].driver.kickPrepare(mem); // the device has not started: nothing to notify
      tl.end();
    }
    for (EventKind k : EventKind.values()) setupEvents[k.ordinal()] = ledger.events(k);
    scheduleNextArrival();
  }

  private void scheduleNextArrival() throws IOException {
    if (sourceDone) return;
    if (!source.next(cursor)) {
      sourceDone = true;
      return;
    }
    NetPacket p = cursor;
    if (p.direction != NetPacket.TX && p.direction != NetPacket.RX) throw new IllegalArgumentException("packet " + nextIndex + ": unknown direction " + p.direction);
    if (p.frameLen < 14 || p.frameLen > NetPacket.MAX_FRAME) {
      throw new IllegalArgumentException("packet " + nextIndex + ": frame of " + p.frameLen + " bytes (14.." + NetPacket.MAX_FRAME + ")");
    }
    if (p.tsNs < 0) throw new IllegalArgumentException("packet " + nextIndex + ": negative time " + p.tsNs);
    if (p.dependsOn >= nextIndex) throw new IllegalArgumentException("packet " + nextIndex + " depends on packet " + p.dependsOn + ", which is not before it");
    long at;
    if (p.dependsOn >= 0) {
      long done = completedAt(p.dependsOn);
      if (done < 0) {
        // wait for that packet (the stream stops here until it completes)
        heldOn = p.dependsOn;
        heldDelayPs = p.delayNs * 1000L;
        stash(p);
        return;
      }
      at = Math.max(done + p.delayNs * 1000L, lastArrivalPs);
    } else {
      at = Math.max(p.tsNs * 1000L, lastArrivalPs);
    }
    arrive(at, p);
  }

  private void stash(NetPacket p) {
    aIdx = nextIndex++;
    aLen = p.frameLen;
    aDir = p.direction;
    aProto = p.protocol;
    aGsoTail = p.gsoTail;
    aCpu = p.cpu;
    pendingArrivals++;
  }

  private void arrive(long at, NetPacket p) {
    lastArrivalPs = at;
    aTs = at;
    stash(p);
    tl.schedule(at, ARRIVAL, 0, 0);
  }

  private static final int DONE_RING = 1 << 16;
  private final long[] doneIdx = new long[DONE_RING], donePs = new long[DONE_RING];
  private long heldOn = -1, heldDelayPs;

  { java.util.Arrays.fill(doneIdx, -1); }

  private long completedAt(long idx) {
    int k = (int) (idx & (DONE_RING - 1));
    if (doneIdx[k] == idx) return donePs[k];
    if (idx < nextIndex - DONE_RING) throw new IllegalArgumentException("packet " + nextIndex + " depends on packet " + idx + ", more than " + DONE_RING + " back");
    return -1;
  }

  /** A packet of the source completed: a packet waiting for it may go now. */
  private void completed(long idx, long ps) {
    int k = (int) (idx & (DONE_RING - 1));
    doneIdx[k] = idx;
    donePs[k] = ps;
    if (heldOn == idx) {
      heldOn = -1;
      long at = Math.max(ps + heldDelayPs, lastArrivalPs);
      lastArrivalPs = at;
      aTs = at;
      tl.schedule(at, ARRIVAL, 0, 0);
    }
  }

  @Override
  public void handle(int type, long t, int a, int b) throws IOException {
    switch (type) {
      case ARRIVAL -> onArrival(t);
      case XMIT -> onXmit(a, t);
      case DEV_TX_KICK -> onTxKick(a, b, t);
      case DEV_TX_RECHECK -> onTxRecheck(a, t);
      case DEV_RX -> onDeviceRx(a, t, false);
      case DEV_RX_KICK -> onDeviceRx(a, t, true);
      case RX_IRQ -> onRxIrq(a, t);
      case TX_IRQ -> onTxIrq(a, t, true);
      case NAPI_TX -> onTxIrq(a, t, false);
      case NAPI_RX -> onNapi(a, t);
      case REFILL -> onRefill(a, t);
      default -> throw new IllegalStateException("unknown event " + type);
    }
  }

  private void onArrival(long t) throws IOException {
    pendingArrivals--;
    if (firstPs < 0) firstPs = t;
    int flow = aCpu < 0 ? 0 : aCpu;
    int q = flow % pairs;
    if (aDir == NetPacket.TX) {
      // software GSO when the device cannot segment: MSS-sized frames, one after another
      int hdr = aProto == NetPacket.TCP ? NetPacket.TCP_HEADERS : aProto == NetPacket.UDP ? NetPacket.UDP_HEADERS : 14;
      if (aLen > MAX_WIRE_FRAME && (!hostTso || aProto != NetPacket.TCP)) {
        int payload = aLen - hdr;
        int mss = aProto == NetPacket.TCP ? TCP_MSS : MAX_WIRE_FRAME - hdr;
        boolean first = true;
        while (payload > 0) {
          int seg = Math.min(mss, payload);
          enqueueTx(q, t, aIdx, hdr + seg, first || aProto != NetPacket.TCP ? aProto : (byte) (aProto | GSO_TAIL));
          first = false;
          payload -= seg;
        }
      } else {
        enqueueTx(q, t, aIdx, aLen, aGsoTail && aProto == NetPacket.TCP ? (byte) (aProto | GSO_TAIL) : aProto);
      }
      int c = aCpu < 0 ? txCpu[q] : aCpu % vcpus.length;
      txCpu[q] = c;
      wakeXmit(c, t);
    } else {
      int hdr = aProto == NetPacket.TCP ? NetPacket.TCP_HEADERS : aProto == NetPacket.UDP ? NetPacket.UDP_HEADERS : 14;
      if (aLen > MAX_WIRE_FRAME && !guestTso) {
        // the host segments what the guest cannot take as one GSO packet
        int payload = aLen - hdr;
        int mss = aProto == NetPacket.TCP ? TCP_MSS : MAX_WIRE_FRAME - hdr;
        while (payload > 0) {
          int seg = Math.min(mss, payload);
          enqueueRx(q, t, aIdx, hdr + seg, aProto);
          payload -= seg;
        }
      } else {
        enqueueRx(q, t, aIdx, aLen, aProto);
      }
    }
    scheduleNextArrival();
  }

  private void enqueueTx(int q, long t, long idx, int len, byte proto) {
    if (qCount[q] == TX_QUEUE_LEN) {
      txDrops++; // pfifo_fast's limit: tx_queue_len 1000
      return;
    }
    int i = (qHead[q] + qCount[q]) % TX_QUEUE_LEN;
    qTs[q][i] = t;
    qIdx[q][i] = idx;
    qLen[q][i] = len;
    qProto[q][i] = proto;
    qCount[q]++;
  }

  private void enqueueRx(int q, long t, long idx, int len, byte proto) {
    // the link: serialised behind the previous frame, then its latency
    long done = t;
    long latency = 0;
    if (!source.timesAtDevice()) {
      long wire = Math.round(len * 8 * psPerBit);
      done = Math.max(t, rxLinkFree[q]) + wire;
      rxLinkFree[q] = done;
      latency = linkLatencyPs;
    }
    if (hostCount[q] == TAP_QUEUE_LEN) {
      rxDrops++;
      return;
    }
    int i = (hostHead[q] + hostCount[q]) % TAP_QUEUE_LEN;
    hostReady[q][i] = done + latency;
    hostIdx[q][i] = idx;
    hostLen[q][i] = len;
    hostProto[q][i] = proto;
    hostCount[q]++;
    if (hostCount[q] == 1 && !rxWaiting[q]) scheduleDeviceRx(q, done + latency);
  }

  private void scheduleDeviceRx(int q, long t) {
    if (rxDevScheduled[q]) return;
    rxDevScheduled[q] = true;
    tl.schedule(t, DEV_RX, q, 0);
  }

  private void wakeXmit(int c, long t) {
    if (xmitScheduled[c]) return;
    xmitScheduled[c] = true;
    tl.schedule(t, XMIT, c, 0);
  }

  // ---- guest transmit --------------------------------------------------------------------------------

  private void onXmit(int c, long t) {
    xmitScheduled[c] = false;
    tl.begin(vcpus[c], t);
    for (int q = 0; q < pairs; q++) if (txCpu[q] == c && qCount[q] > 0 && !txStopped[q]) xmitQueue(q);
    tl.end();
  }

  /** dev_hard_start_xmit over what the qdisc holds: start_xmit per packet, xmit_more on all but the last. */
  private void xmitQueue(int q) {
    Virtqueue vq = txq[q];
    DriverQueue d = vq.driver;
    int lastSlot = -1;
    boolean added = false;
    while (qCount[q] > 0) {
      long packetPs = stalls != null ? tl.nowPs() : 0; // (the clock is read only when the guest stalls)
      int i = qHead[q];
      int len = qLen[q][i];
      byte proto = qProto[q][i];
      boolean gsoTail = (proto & GSO_TAIL) != 0;
      proto &= ~GSO_TAIL;
      int slotIdx = txFree[q][--txFreeCount[q]];
      int slot = txSlotBase + q * size + slotIdx;
      ledger.resetSlot(slot);
      // !netdev_xmit_more(): the qdisc holds nothing after this packet
      boolean kick = qCount[q] == 1;
      // the stack above the driver: protocol work and the copy from the application. A TCP GSO skb that the
      // device cannot segment passes the socket and TCP/IP once and is segmented below the qdisc (Linux 6.1
      // net/core/dev.c: __dev_queue_xmit → __dev_xmit_skb → sch_direct_xmit's
      // "skb = validate_xmit_skb_list(skb, dev, &again);" → validate_xmit_skb's
      // "if (netif_needs_gso(skb, features)) { ... segs = skb_gso_segment(skb, features);", then
      // dev_hard_start_xmit's "rc = xmit_one(skb, dev, txq, next != NULL);" per segment): the stack
      // (net_tx_stack_cycles, measured per skb: net_dev_xmit → next net_dev_queue) is charged to its
      // first segment; every segment gets its payload's copy and the driver's own work below
      int hdr = proto == NetPacket.TCP ? NetPacket.TCP_HEADERS : proto == NetPacket.UDP ? NetPacket.UDP_HEADERS : 14;
      if (hdr > len) hdr = len;
      ledger.charge(slot, Actor.VCPU, Category.DEVICE, (gsoTail ? 0 : txStack) + Math.round((len - hdr) * copyPerByte));
      tl.acquire(vq.lock, slot);
      // start_xmit (Linux 6.1 virtio_net.c, napi_tx on by default; "virtio_net: disable cb aggressively",
      // a7766ef18b33): "Free up any pending old buffers before queueing new ones" with callbacks off, and
      // on a burst's last packet back on with virtqueue_enable_cb_delayed (interrupt after 3/4 of what is
      // in flight), freeing again while that finds more already used:
      //   do { if (use_napi) virtqueue_disable_cb(sq->vq); free_old_xmit_skbs(sq, false); }
      //   while (use_napi && kick && unlikely(!virtqueue_enable_cb_delayed(sq->vq)));
      do {
        d.disableCb(mem);
        reclaimTx(q);
      } while (kick && !d.enableCbDelayed(mem));
      boolean ok = addTx(q, slotIdx, slot, len, hdr, proto);
      qHead[q] = (qHead[q] + 1) % TX_QUEUE_LEN;
      qCount[q]--;
      if (!ok) {
        // xmit_skb failed (a mapping could not be made): start_xmit drops the packet
        txDrops++;
        txFree[q][txFreeCount[q]++] = slotIdx;
        tl.release(vq.lock);
        continue;
      }
      txStart[q][slotIdx] = qTs[q][i];
      txIdx[q][slotIdx] = qIdx[q][i];
      txLen[q][slotIdx] = len;
      added = true;
      lastSlot = slot;
      boolean stop = d.numFree() < 2 + MAX_SKB_FRAGS || txFreeCount[q] == 0;
      // check_sq_full_and_disable: stopping, callbacks back on delayed; already past → the tx NAPI now
      if (stop && !d.enableCbDelayed(mem)) tl.schedule(tl.nowPs(), NAPI_TX, q, 0);
      boolean more = qCount[q] > 0 && !stop;
      if (!more) {
        kickTx(q, slot);
        added = false;
      }
      tl.release(vq.lock);
      if (stalls != null) stall(txIdx[q][slotIdx], packetPs);
      if (stop) {
        txStopped[q] = true;
        qdiscStops++;
        break;
      }
    }
    if (added) kickTx(q, lastSlot);
  }

  /**
   * The guest's stall after a packet's work (docs/NET-NOTES.md, the guest's stalls): the block
   * calibration's guest jitter — the stalls of the TCG lab's vCPU thread, measured per block request and
   * taken to a reference exposure — drawn for the packet from its seed and number, and scaled as a block
   * request's is, by sqrt(exposure / reference), the exposure being the packet's own modelled guest time
   * in this pass (from {@code fromPs}: the stack, the driver's ring work, its maps, unmaps and copies, a
   * kick). The pass stands still for it, so the next packet's work starts that much later.
   */
  private void stall(long packet, long fromPs) {
    long exposure = tl.nowPs() - fromPs;
    if (exposure <= 0) return;
    tl.stall(stalls.ps(seed, packet, STALL_STREAM, exposure));
  }

  private void kickTx(int q, int slot) {
    Virtqueue vq = txq[q];
    if (vq.driver.kickPrepare(mem)) {
      ledger.charge(slot, Actor.VCPU, Category.NOTIFY, kickExit);
      ledger.count(slot, EventKind.EXITS, 1);
      txKicks++;
      tl.schedule(tl.nowPs(), DEV_TX_KICK, q, slot);
    } else {
      kicksSuppressed++;
    }
  }

  /** xmit_skb: the header pushed in front of the linear part, the page frags after it, each mapped; an indirect table for more than one. */
  private boolean addTx(int q, int slotIdx, int slot, int len, int hdr, byte proto) {
    Chain c = chain;
    c.clear();
    long page = txPageBase + ((long) q * size + slotIdx) * 8192;
    long lin = page + 0x40;
    boolean tcpSg = txSg && proto == NetPacket.TCP && len > hdr;
    int linear = tcpSg ? hdr : len;
    int payload = len - hdr;
    // struct virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers
    boolean gso = proto == NetPacket.TCP && len > MAX_WIRE_FRAME;
    // (little-endian, as two stores: bytes 0-7 and 8-11)
    mem.writeU64(lin, (txSg ? 1L : 0L) // flags: VIRTIO_NET_HDR_F_NEEDS_CSUM
        | (gso ? 1L : 0L) << 8 // gso_type: VIRTIO_NET_HDR_GSO_TCPV4
        | (long) (hdr & 0xffff) << 16 // hdr_len
        | (long) (gso ? TCP_MSS : 0) << 32 // gso_size
        | 34L << 48); // csum_start
    mem.writeU32(lin + 8, 16); // csum_offset 16, num_buffers 0
    c.add(lin, HDR_LEN + linear, false);
    if (tcpSg) {
      int left = payload;
      while (left > 0) {
        if (txFragBase[q] < 0 || txFragOff[q] == FRAG_BYTES) {
          txFragBase[q] = txFragNext[q];
          txFragNext[q] += FRAG_BYTES;
          if (txFragNext[q] + FRAG_BYTES > txRegion[q] + txRegionBytes) txFragNext[q] = txRegion[q];
          txFragOff[q] = 0;
        }
        int take = Math.min(left, FRAG_BYTES - txFragOff[q]);
        if (c.count == 1 + MAX_SKB_FRAGS) throw new ModelException("a " + len + "-byte packet needs more than " + MAX_SKB_FRAGS + " page frags");
        c.add(txFragBase[q] + txFragOff[q], take, false);
        txFragOff[q] += take;
        left -= take;
      }
    }
    int base = slotIdx * MAX_MAPS;
    long[] ma = txMapAddr[q];
    int[] ml = txMapLen[q];
    int n = 0;
    boolean useIndirect = indirect && c.count > 1;
    if (useIndirect) n = 1; // the table's mapping goes first: detach_buf_split unmaps it first
    for (int k = 0; k < c.count; k++) {
      long a = dma.map(slot, c.addr[k], c.len[k], DmaDirection.TO_DEVICE);
      if (a == DmaStrategy.MAPPING_ERROR) {
        unmapTx(q, slotIdx, slot, useIndirect ? 1 : 0, n);
        return false;
      }
      ma[base + n] = a;
      ml[base + n] = c.len[k];
      n++;
      c.addr[k] = a;
      ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
    }
    DriverQueue d = txq[q].driver;
    int head;
    if (useIndirect) {
      long table = page + 0x1800;
      int tableLen = 16 * c.count;
      d.writeIndirect(mem, c, table);
      long tdma = dma.map(slot, table, tableLen, DmaDirection.TO_DEVICE);
      if (tdma == DmaStrategy.MAPPING_ERROR) {
        unmapTx(q, slotIdx, slot, 1, n);
        return false;
      }
      ma[base] = tdma;
      ml[base] = tableLen;
      ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
      head = d.addIndirectTable(mem, c.count, tdma, slotIdx);
    } else {
      head = d.addDirect(mem, c, slotIdx);
    }
    if (head == DriverQueue.NO_SPACE) throw new IllegalStateException("transmit ring space was checked before mapping");
    txMapCount[q][slotIdx] = n;
    txDescs[q][slotIdx] = c.count;
    txHeadToSlot[q][head] = slotIdx;
    ledger.charge(slot, Actor.VCPU, Category.RING, ringPublish);
    return true;
  }

  private void unmapTx(int q, int slotIdx, int slot, int from, int to) {
    int base = slotIdx * MAX_MAPS;
    for (int k = from; k < to; k++) dma.unmap(slot, txMapAddr[q][base + k], txMapLen[q][base + k], DmaDirection.TO_DEVICE);
  }

  /** free_old_xmit_skbs: every used transmit chain unmapped (table first) and freed. */
  private int reclaimTx(int q) {
    DriverQueue d = txq[q].driver;
    int tok, n = 0;
    while ((tok = d.getBuf(mem)) != DriverQueue.NONE) {
      int slot = txSlotBase + q * size + tok;
      ledger.charge(slot, Actor.VCPU, Category.RING, guestUsed);
      unmapTx(q, tok, slot, 0, txMapCount[q][tok]);
      txMapCount[q][tok] = 0;
      txPackets++;
      txBytes += txLen[q][tok];
      txDescriptors += txDescs[q][tok];
      long now = tl.nowPs();
      lastPs = Math.max(lastPs, now);
      sinkSlots[0] = slot;
      sink.packet(txIdx[q][tok], NetPacket.TX, txLen[q][tok], txDescs[q][tok], q, txStart[q][tok] / 1000, now / 1000, ledger, sinkSlots, 1);
      txFree[q][txFreeCount[q]++] = tok;
      n++;
    }
    return n;
  }

  // ---- host transmit -------------------------------------------------------------------------------

  private void onTxKick(int q, int slot, long t) {
    Virtqueue vq = txq[q];
    if (vq.deviceRunning) {
      vq.kickPending = true;
      vq.deferredKickSlot = slot;
      return;
    }
    txPass(q, t, slot);
  }

  private void onTxRecheck(int q, long t) {
    Virtqueue vq = txq[q];
    vq.deviceRunning = false;
    vq.device.setNotification(mem, true);
    if (vq.kickPending) {
      vq.kickPending = false;
      txPass(q, t, vq.deferredKickSlot);
    } else if (vq.device.hasAvailable(mem)) {
      txPass(q, t, -1);
    }
  }

  /** virtio_net_handle_tx_bh + virtio_net_flush_tx: notifications off, every chain sent and pushed, one interrupt decision. */
  private void txPass(int q, long t, int kickedBy) {
    Virtqueue vq = txq[q];
    tl.begin(vq.vmm, t);
    vq.deviceRunning = true;
    int first = kickedBy >= 0 ? kickedBy : setupSlot;
    if (bql) tl.acquire(vmm.bql(), first);
    if (kickedBy >= 0) ledger.charge(kickedBy, Actor.VMM, Category.NOTIFY, kickHandler);
    vq.device.setNotification(mem, false);
    int last = -1;
    boolean notify = false;
    Chain pc = popped;
    while (vq.device.pop(mem, pc)) {
      int slotIdx = txHeadToSlot[q][pc.head];
      int slot = txSlotBase + q * size + slotIdx;
      last = slot;
      ringAccesses(vq, slot, vq.popAccesses);
      ledger.charge(slot, Actor.VMM, Category.RING, devicePop);
      if (pc.count == 0) {
        long tableGpa = dma.translate(slot, pc.indirectAddr, pc.indirectLen, false);
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        vq.device.readIndirect(mem, tableGpa, pc.indirectLen, pc);
      }
      long bytes = 0;
      for (int k = 0; k < pc.count; k++) {
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        long gpa = dma.translate(slot, pc.addr[k], pc.len[k], false);
        if (pc.deviceWrites[k]) throw new IllegalStateException("virtio-net transmit chain with a device-writable buffer (virtio 1.2 §5.1.6.2)");
        if (k == 0) {
          if (pc.len[k] < HDR_LEN) throw new IllegalStateException("virtio-net transmit chain without a 12-byte header (virtio 1.2 §5.1.6.2)");
          int gsoType = mem.readU8(gpa + 1);
          if (gsoType != 0 && !hostTso) throw new IllegalStateException("a GSO packet on a device that did not offer HOST_TSO");
        }
        bytes += pc.len[k];
      }
      int frame = (int) (bytes - HDR_LEN);
      ledger.charge(slot, Actor.VMM, Category.DEVICE, hostPacket);
      long wire = Math.round(frame * 8 * psPerBit);
      txLinkFree = Math.max(tl.nowPs(), txLinkFree) + wire;
      completed(txIdx[q][slotIdx], txLinkFree + linkLatencyPs);
      vq.device.fill(mem, pc.head, 0);
      vq.device.flush(mem);
      ledger.charge(slot, Actor.VMM, Category.RING, usedPush);
      ringAccesses(vq, slot, vq.completeAccesses);
      // QEMU 7.2 virtio_net_flush_tx: virtqueue_push then virtio_notify for every packet (with EVENT_IDX
      // at most one fires until the guest moves used_event; without it every packet interrupts)
      if (vq.device.shouldNotify(mem)) {
        ledger.charge(slot, Actor.VMM, Category.INTERRUPT, irqInject);
        txInterrupts++;
        notify = true;
      }
    }
    if (bql) tl.release(vmm.bql());
    long end = tl.end();
    if (notify) tl.schedule(end, TX_IRQ, q, 0);
    tl.schedule(end, DEV_TX_RECHECK, q, 0);
  }

  private void ringAccesses(Virtqueue vq, int slot, int n) {
    for (int i = 0; i < n; i++) dma.translate(slot, vq.ringDma, 2, false);
  }

  /** skb_xmit_done → the tx NAPI (virtnet_poll_tx): free what was sent, wake a stopped queue; {@code irq} false: scheduled by start_xmit. */
  private void onTxIrq(int q, long t, boolean irq) {
    Virtqueue vq = txq[q];
    tl.begin(vcpus[vq.irqCpu], t);
    if (irq) {
      ledger.charge(setupSlot, Actor.VCPU, Category.INTERRUPT, irqGuest);
      ledger.count(setupSlot, EventKind.INTERRUPTS, 1);
    }
    vq.driver.disableCb(mem);
    tl.acquire(vq.lock, setupSlot);
    do {
      reclaimTx(q);
    } while (!vq.driver.enableCb(mem));
    tl.release(vq.lock);
    napiPolls++;
    long end = tl.end();
    if (txStopped[q] && vq.driver.numFree() >= 2 + MAX_SKB_FRAGS && txFreeCount[q] > 0) {
      txStopped[q] = false;
      if (qCount[q] > 0) wakeXmit(txCpu[q], end);
    }
  }

  // ---- host receive ---------------------------------------------------------------------------------

  /** The tap has packets (or a refill kick came): deliver while buffers last. */
  private void onDeviceRx(int q, long t, boolean kicked) {
    Virtqueue vq = rxq[q];
    if (!kicked) rxDevScheduled[q] = false;
    if (vq.deviceRunning) return;
    if (kicked) rxWaiting[q] = false;
    if (hostCount[q] == 0 && !kicked) return;
    tl.begin(vq.vmm, t);
    vq.deviceRunning = true;
    int charge = kicked ? rxSlotOfNextBuffer(q) : setupSlot;
    if (bql) tl.acquire(vmm.bql(), charge);
    if (kicked) ledger.charge(charge, Actor.VMM, Category.NOTIFY, kickHandler);
    boolean irq = false;
    int irqSlot = -1;
    while (hostCount[q] > 0) {
      int i = hostHead[q];
      if (hostReady[q][i] > tl.nowPs()) break;
      int len = hostLen[q][i];
      int need = HDR_LEN + len;
      if (!haveBuffers(q, need)) {
        if (!mergeable && stashCount[q] > 0 && stashLen[q][0] < need) {
          // a frame larger than a whole non-mergeable buffer: QEMU drops it
          dropHead(q);
          rxDrops++;
          continue;
        }
        // virtio_net_has_buffers: no room — notifications on, wait for the guest's refill kick
        vq.device.setNotification(mem, true);
        if (!haveBuffers(q, need)) {
          rxWaiting[q] = true;
          break;
        }
      }
      vq.device.setNotification(mem, false);
      int slot = deliver(q, len, hostIdx[q][i], hostReady[q][i], hostProto[q][i]);
      irqSlot = slot;
      dropHead(q);
      if (vq.device.shouldNotify(mem)) {
        ledger.charge(slot, Actor.VMM, Category.INTERRUPT, irqInject);
        rxInterrupts++;
        irq = true;
      }
    }
    if (bql) tl.release(vmm.bql());
    long end = tl.end();
    vq.deviceRunning = false;
    if (irq) tl.schedule(end, RX_IRQ, q, irqSlot);
    if (hostCount[q] > 0 && !rxWaiting[q]) scheduleDeviceRx(q, Math.max(end, hostReady[q][hostHead[q]]));
  }

  private int rxSlotOfNextBuffer(int q) {
    return stashCount[q] > 0 ? rxSlotBase + q * size + rxHeadToBuf[q][stashHead[q][0]] : setupSlot;
  }

  private void dropHead(int q) {
    hostHead[q] = (hostHead[q] + 1) % TAP_QUEUE_LEN;
    hostCount[q]--;
  }

  /** Pops buffers into the stash until they hold {@code need} bytes (mergeable) or one chain is there; whether they do. */
  private boolean haveBuffers(int q, int need) {
    Virtqueue vq = rxq[q];
    while (true) {
      if (mergeable) {
        long have = 0;
        for (int k = 0; k < stashCount[q]; k++) have += stashLen[q][k];
        if (have >= need) return true;
      } else if (stashCount[q] > 0) {
        return stashLen[q][0] >= need;
      }
      if (!vq.device.pop(mem, popped)) return false;
      int buf = rxHeadToBuf[q][popped.head];
      int slot = rxSlotBase + q * size + buf;
      ringAccesses(vq, slot, vq.popAccesses);
      ledger.charge(slot, Actor.VMM, Category.RING, devicePop);
      if (popped.count == 0) {
        long tableGpa = dma.translate(slot, popped.indirectAddr, popped.indirectLen, false);
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        vq.device.readIndirect(mem, tableGpa, popped.indirectLen, popped);
      }
      long total = 0;
      long hdrGpa = -1;
      for (int k = 0; k < popped.count; k++) {
        if (!popped.deviceWrites[k]) throw new IllegalStateException("virtio-net receive buffer that is not device-writable (virtio 1.2 §5.1.6.3)");
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        long gpa = dma.translate(slot, popped.addr[k], popped.len[k], true);
        if (k == 0) hdrGpa = gpa;
        total += popped.len[k];
      }
      int s = stashCount[q]++;
      stashHead[q][s] = popped.head;
      stashLen[q][s] = (int) Math.min(Integer.MAX_VALUE, total);
      stashGpa[q][s] = hdrGpa;
    }
  }

  /** virtio_net_receive_rcu: the header and data into as many buffers as the packet needs, one flush. */
  private int deliver(int q, int len, long idx, long readyPs, byte proto) {
    Virtqueue vq = rxq[q];
    int need = HDR_LEN + len;
    int used = 0;
    int left = need;
    int firstBuf = rxHeadToBuf[q][stashHead[q][0]];
    int firstSlot = rxSlotBase + q * size + firstBuf;
    rxPktIdx[q][firstBuf] = idx;
    rxPktStart[q][firstBuf] = readyPs;
    rxPktProto[q][firstBuf] = proto;
    ledger.charge(firstSlot, Actor.VMM, Category.DEVICE, hostPacket);
    while (left > 0) {
      int w = Math.min(left, stashLen[q][used]);
      int slot = rxSlotBase + q * size + rxHeadToBuf[q][stashHead[q][used]];
      if (used == 0 && !mem.isPayload(stashGpa[q][0])) {
        // (a header in payload memory keeps no bytes: its writes would be dropped)
        long h = stashGpa[q][0];
        mem.writeU8(h, 0);
        mem.writeU8(h + 1, len > MAX_WIRE_FRAME ? 1 : 0);
        // num_buffers (h + 10) is written below once known
      }
      vq.device.fill(mem, stashHead[q][used], w);
      ledger.charge(slot, Actor.VMM, Category.RING, usedPush);
      left -= w;
      used++;
    }
    if (!mem.isPayload(stashGpa[q][0])) mem.writeU16(stashGpa[q][0] + 10, used);
    rxNumBuffers[q][firstBuf] = used;
    vq.device.flush(mem);
    ringAccesses(vq, firstSlot, vq.completeAccesses);
    // the rest of the stash moves up
    int rest = stashCount[q] - used;
    if (rest > 0) {
      System.arraycopy(stashHead[q], used, stashHead[q], 0, rest);
      System.arraycopy(stashLen[q], used, stashLen[q], 0, rest);
      System.arraycopy(stashGpa[q], used, stashGpa[q], 0, rest);
    }
    stashCount[q] = rest;
    return firstSlot;
  }

  // ---- guest receive: interrupt, NAPI, refill ------------------------------------------------------------

  /** skb_recv_done → virtqueue_napi_schedule: callbacks off, the poll runs on the interrupt's way out. */
  private void onRxIrq(int q, long t) {
    Virtqueue vq = rxq[q];
    int c = vq.irqCpu;
    tl.begin(vcpus[c], t);
    int slot = rxSlotOfUsed(q);
    ledger.charge(slot, Actor.VCPU, Category.INTERRUPT, irqGuest);
    ledger.count(slot, EventKind.INTERRUPTS, 1);
    if (napiScheduled[q]) {
      tl.end();
      return;
    }
    napiScheduled[q] = true;
    vq.driver.disableCb(mem);
    poll(q);
  }

  private int rxSlotOfUsed(int q) {
    return setupSlot;
  }

  private void onNapi(int q, long t) {
    tl.begin(vcpus[rxq[q].irqCpu], t);
    poll(q);
  }

  /** virtnet_poll: free the paired transmit queue, take up to a budget of packets, refill, complete or go round again. Ends the pass. */
  private void poll(int q) {
    Virtqueue vq = rxq[q];
    napiPolls++;
    // virtnet_poll_cleantx (Linux 6.1): callbacks off, free, back on delayed, again while more were used;
    // then wake the queue if it has room
    tl.acquire(txq[q].lock, setupSlot);
    DriverQueue td = txq[q].driver;
    do {
      td.disableCb(mem);
      reclaimTx(q);
    } while (!td.enableCbDelayed(mem));
    tl.release(txq[q].lock);
    if (txStopped[q] && td.numFree() >= 2 + MAX_SKB_FRAGS && txFreeCount[q] > 0) {
      txStopped[q] = false;
      if (qCount[q] > 0) wakeXmit(txCpu[q], tl.nowPs());
    }
    int received = 0;
    DriverQueue d = vq.driver;
    while (received < NAPI_BUDGET) {
      long packetPs = stalls != null ? tl.nowPs() : 0; // (the clock is read only when the guest stalls)
      int buf = d.getBuf(mem);
      if (buf == DriverQueue.NONE) break;
      int usedLen = d.lastUsedLen();
      int slot = rxSlotBase + q * size + buf;
      int slots = 0;
      sinkSlots[slots++] = slot;
      ledger.charge(slot, Actor.VCPU, Category.RING, guestUsed);
      unmapRx(q, buf, slot);
      int total = usedLen;
      int buffers = 1;
      if (mergeable) {
        int num = rxNumBuffers[q][buf];
        if (num < 1) throw new IllegalStateException("receive buffer with num_buffers " + num);
        freeRx(q, buf);
        for (int k = 1; k < num; k++) {
          int b2 = d.getBuf(mem);
          if (b2 == DriverQueue.NONE) throw new IllegalStateException("packet of " + num + " buffers: buffer " + (k + 1) + " missing (receive_mergeable)");
          int s2 = rxSlotBase + q * size + b2;
          if (slots < sinkSlots.length) sinkSlots[slots++] = s2;
          ledger.charge(slot, Actor.VCPU, Category.RING, guestUsed);
          unmapRx(q, b2, slot);
          total += d.lastUsedLen();
          freeRx(q, b2);
          buffers++;
        }
      } else {
        freeRx(q, buf);
      }
      int frame = total - HDR_LEN;
      if (mergeable) {
        // ewma_pkt_len_add(&rq->mrg_avg_pkt_len, head_skb->len)
        ewma[q] = ewma[q] == 0 ? frame : ((ewma[q] << 6) - ewma[q] + frame) >> 6;
      }
      // napi_gro_receive: a frame merged into the skb GRO holds costs the driver and GRO only; the stack
      // (netif_receive_skb, IP, TCP, socket) runs once per skb GRO hands up, charged with its first frame
      long stack = groMerges(q, frame, rxPktProto[q][buf]) ? rxGro : rxStack;
      ledger.charge(slot, Actor.VCPU, Category.DEVICE, stack + Math.round(Math.max(0, frame - NetPacket.TCP_HEADERS) * copyPerByte));
      if (stalls != null) stall(rxPktIdx[q][buf], packetPs);
      rxPackets++;
      rxBytes += frame;
      rxBuffers += buffers;
      received++;
      long now = tl.nowPs();
      lastPs = Math.max(lastPs, now);
      sink.packet(rxPktIdx[q][buf], NetPacket.RX, frame, buffers, q, rxPktStart[q][buf] / 1000, now / 1000, ledger, sinkSlots, slots);
      completed(rxPktIdx[q][buf], now);
    }
    // the poll's end flushes what GRO holds: napi_complete_done → napi_gro_flush(n, false); a poll that used
    // its whole budget: __napi_poll's napi_gro_flush(n, HZ >= 1000), every skb at Debian's CONFIG_HZ=250 (the
    // lab guest's 4 ms tick: docs/NET-NOTES.md)
    groHeld[q] = 0;
    // virtnet_receive: refill once more than half of min(budget, ring) is free
    if (d.numFree() > Math.min(NAPI_BUDGET, size) / 2) refill(q);
    long end;
    if (received < NAPI_BUDGET) {
      // virtqueue_napi_complete: callbacks back on; more arrived meanwhile → poll again
      if (d.enableCb(mem)) {
        napiScheduled[q] = false;
        end = tl.end();
      } else {
        d.disableCb(mem);
        end = tl.end();
        tl.schedule(end, NAPI_RX, q, 0);
      }
    } else {
      napiBudgetExhausted++;
      end = tl.end();
      tl.schedule(end, NAPI_RX, q, 0);
    }
  }

  /**
   * Whether GRO merges a received frame into the skb it holds for queue {@code q} (Linux 6.1
   * {@code net/core/gro.c} and {@code net/ipv4/tcp_offload.c}, read in the torvalds/linux tree at commits
   * 0b1605e45c36 and 023af5a72ab1, later than 6.1; the statements quoted are the ones 6.1 has too, and
   * the lab's runs agree with them: docs/NET-NOTES.md):
   * <ul>
   *   <li>only TCP: UDP frames go up one by one ({@code udp_gro_receive} merges only for a socket with
   *       UDP_GRO, or with NETIF_F_GRO_FRAGLIST / GRO_UDP_FWD, all off by default);
   *   <li>a GSO packet from the device (GUEST_TSO) is never merged: {@code virtio_net_hdr_to_skb} marks it
   *       {@code SKB_GSO_DODGY} and {@code dev_gro_receive} sets {@code NAPI_GRO_CB(skb)->flush = 1} for it;
   *       the lab's offloaded receive runs hand every packet up alone (one {@code netif_receive_skb} per
   *       {@code napi_gro_receive_entry});
   *   <li>a frame without payload (an ACK) is not held and flushes the held skb ({@code tcp_gro_receive}:
   *       {@code flush |= (len - 1) >= mss;} and {@code flush = len < mss;});
   *   <li>without GUEST_CSUM each frame's checksum is verified in software first ({@code tcp4_gro_receive}:
   *       {@code skb_gro_checksum_validate(skb, IPPROTO_TCP, inet_gro_compute_pseudo)}): it is in the measured
   *       {@code net_rx_gro_cycles};
   *   <li>a frame merges when one is held, its payload is at most the held skb's mss ({@code flush |= (len - 1) >= mss;})
   *       and the merged skb stays below 64 KiB ({@code skb_gro_receive}: {@code if (unlikely(p->len + len >= gro_max_size ...)) return -E2BIG;},
   *       GRO_LEGACY_MAX_SIZE 65536 for IPv4); a merged frame shorter than the mss ends the skb
   *       ({@code flush = len < mss;}); a frame that does not merge flushes the held skb and is held
   *       itself ({@code dev_gro_receive}: {@code GRO_HELD}, {@code gso_size = skb_gro_len(skb)}).
   * </ul>
   * Flushes for header differences (PSH, timestamps, ACK number, {@code tcp_gro_receive}'s
   * {@code flush |= ...} on the TCP header words) are not modelled: packets carry no TCP header.
   */
  private boolean groMerges(int q, int frame, byte proto) {
    int payload = frame - NetPacket.TCP_HEADERS;
    if (proto != NetPacket.TCP || frame > MAX_WIRE_FRAME || payload <= 0) {
      groHeld[q] = 0;
      return false;
    }
    int held = groHeld[q];
    if (held > 0 && payload <= groMss[q] && held + payload < GRO_MAX_SIZE) {
      groHeld[q] = payload < groMss[q] ? 0 : held + payload;
      rxGroMerged++;
      return true;
    }
    groHeld[q] = NetPacket.TCP_HEADERS - 14 + payload;
    groMss[q] = payload;
    return false;
  }

  private void refill(int q) {
    int slot = rxSlotBase + q * size + (rxFreeCount[q] > 0 ? rxFree[q][rxFreeCount[q] - 1] : 0);
    boolean ok = fillRecv(q, -1);
    if (!ok) {
      refillFailures++;
      if (!refillPending[q]) {
        refillPending[q] = true;
        // schedule_delayed_work(&vi->refill, 0), then refill_work's HZ/2 retries
        long at = tl.nowPs() + (rxNextRefillPs[q] == 0 ? 0 : REFILL_RETRY_PS);
        rxNextRefillPs[q] = 1;
        tl.schedule(at, REFILL, q, 0);
      }
    } else {
      rxNextRefillPs[q] = 0;
    }
    kickRx(q, slot);
  }

  private void kickRx(int q, int slot) {
    if (rxq[q].driver.kickPrepare(mem)) {
      ledger.charge(slot, Actor.VCPU, Category.NOTIFY, kickExit);
      ledger.count(slot, EventKind.EXITS, 1);
      rxKicks++;
      tl.schedule(tl.nowPs(), DEV_RX_KICK, q, 0);
    } else {
      kicksSuppressed++;
    }
  }

  private void onRefill(int q, long t) {
    refillPending[q] = false;
    // Linux retries for as long as the interface is up; the replay stops retrying once nothing is left to receive
    if (sourceDone && pendingArrivals == 0 && hostCount[q] == 0) return;
    tl.begin(vcpus[rxq[q].irqCpu], t);
    refill(q);
    tl.end();
  }

  private void freeRx(int q, int buf) {
    rxFree[q][rxFreeCount[q]++] = buf;
  }

  private void unmapRx(int q, int buf, int slot) {
    int n = rxMapCount[q][buf];
    int base = big ? buf * MAX_MAPS : buf;
    for (int k = 0; k < n; k++) dma.unmap(slot, rxMapAddr[q][base + k], rxMapLen[q][base + k], k == 0 && big ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE);
    rxMapCount[q][buf] = 0;
  }

  /** try_fill_recv: add buffers until the ring is full; false when a mapping failed (the caller schedules refill_work). */
  private boolean fillRecv(int q, int chargeSlot) {
    DriverQueue d = rxq[q].driver;
    while (d.numFree() > 0 && rxFreeCount[q] > 0) {
      if (big && d.numFree() < (indirect ? 1 : BIG_DESCS)) break;
      int buf = rxFree[q][--rxFreeCount[q]];
      int slot = chargeSlot >= 0 ? chargeSlot : rxSlotBase + q * size + buf;
      if (chargeSlot < 0) ledger.resetSlot(slot);
      if (!addRx(q, buf, slot)) {
        rxFree[q][rxFreeCount[q]++] = buf;
        return false;
      }
    }
    return true;
  }

  private long carve(int q, int bytes) {
    if (rxFragBase[q] < 0 || rxFragOff[q] + bytes > FRAG_BYTES) {
      rxFragBase[q] = rxFragNext[q];
      rxFragNext[q] += FRAG_BYTES;
      if (rxFragNext[q] + FRAG_BYTES > rxRegion[q] + rxRegionBytes) rxFragNext[q] = rxRegion[q];
      rxFragOff[q] = 0;
    }
    long a = rxFragBase[q] + rxFragOff[q];
    rxFragOff[q] += bytes;
    return a;
  }

  private boolean addRx(int q, int buf, int slot) {
    Chain c = chain;
    c.clear();
    if (mergeable) {
      long avg = Math.max(GOOD_PACKET_LEN, Math.min(ewma[q], PAGE - HDR_LEN));
      int len = (int) align(HDR_LEN + avg, 64);
      long a = carve(q, len);
      int hole = FRAG_BYTES - rxFragOff[q];
      if (hole < len) {
        len += hole;
        rxFragOff[q] += hole;
      }
      c.add(a, len, true);
    } else if (big) {
      long first = nextPages(q, MAX_SKB_FRAGS + 1);
      c.add(first, HDR_LEN, true);
      c.add(first + 32, PAGE - 32, true); // sizeof(struct padded_vnet_hdr) = 32
      for (int k = 1; k <= MAX_SKB_FRAGS; k++) c.add(first + (long) k * PAGE, PAGE, true);
    } else {
      long a = carve(q, SMALL_PIECE);
      c.add(a + RX_PAD, HDR_LEN + GOOD_PACKET_LEN, true);
    }
    rxLen[q][buf] = (int) c.totalLength();
    int base = big ? buf * MAX_MAPS : buf;
    long[] ma = rxMapAddr[q];
    int[] ml = rxMapLen[q];
    boolean useIndirect = indirect && c.count > 1;
    int n = useIndirect ? 1 : 0;
    for (int k = 0; k < c.count; k++) {
      long a = dma.map(slot, c.addr[k], c.len[k], DmaDirection.FROM_DEVICE);
      if (a == DmaStrategy.MAPPING_ERROR) {
        for (int j = useIndirect ? 1 : 0; j < n; j++) dma.unmap(slot, ma[base + j], ml[base + j], DmaDirection.FROM_DEVICE);
        return false;
      }
      ma[base + n] = a;
      ml[base + n] = c.len[k];
      n++;
      c.addr[k] = a;
      ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
    }
    DriverQueue d = rxq[q].driver;
    int head;
    if (useIndirect) {
      long table = rxTableBase + ((long) q * size + buf) * 512;
      int tableLen = 16 * c.count;
      d.writeIndirect(mem, c, table);
      long tdma = dma.map(slot, table, tableLen, DmaDirection.TO_DEVICE);
      if (tdma == DmaStrategy.MAPPING_ERROR) {
        for (int j = 1; j < n; j++) dma.unmap(slot, ma[base + j], ml[base + j], DmaDirection.FROM_DEVICE);
        return false;
      }
      ma[base] = tdma;
      ml[base] = tableLen;
      head = d.addIndirectTable(mem, c.count, tdma, buf);
    } else {
      head = d.addDirect(mem, c, buf);
    }
    if (head == DriverQueue.NO_SPACE) throw new IllegalStateException("receive ring space was checked before mapping");
    rxMapCount[q][buf] = n;
    rxHeadToBuf[q][head] = buf;
    ledger.charge(slot, Actor.VCPU, Category.RING, ringPublish);
    return true;
  }

  /** {@code n} pages for a big-packets buffer, from the queue's region in turn. */
  private long nextPages(int q, int n) {
    long bytes = (long) n * PAGE;
    if (rxFragNext[q] + bytes > rxRegion[q] + rxRegionBytes) rxFragNext[q] = rxRegion[q];
    long a = rxFragNext[q];
    rxFragNext[q] += bytes;
    return a;
  }

  // ---- results -----------------------------------------------------------------------------------

  @Override
  public RunResult finish() {
    if (pendingArrivals != 0) throw new IllegalStateException("replay ended with " + pendingArrivals + " packets not arrived");
    long start = firstPs < 0 ? 0 : firstPs;
    long simNs = Math.max(0, lastPs - start) / 1000;
    long[] vcpuBusy = new long[vcpus.length];
    for (int c = 0; c < vcpus.length; c++) vcpuBusy[c] = vcpus[c].busyPs() / 1000;
    Server[] threads = vmm.threads();
    long[] vmmBusy = new long[threads.length];
    for (int i = 0; i < threads.length; i++) vmmBusy[i] = threads[i].busyPs() / 1000;
    List<RunResult.LockRow> locks = RunResult.lockRows(tl.locks());
    return new RunResult(txPackets + rxPackets, txBytes + rxBytes, simNs, ledger, txKicks + rxKicks, kicksSuppressed, txInterrupts + rxInterrupts, qdiscStops,
        refillFailures + txDrops, size, vcpuBusy, vmmBusy, vcpus.length, 2 * pairs, locks);
  }

  /** What the run did, network figures, set-up (the initial fill) excluded from the event counts. */
  public NetResult netResult(RunResult base) {
    long[] ev = new long[EventKind.values().length];
    for (EventKind k : EventKind.values()) ev[k.ordinal()] = ledger.events(k) - setupEvents[k.ordinal()];
    return new NetResult(base, features.toString(), features.rxBuffers(), txPackets, rxPackets, txBytes, rxBytes, rxBuffers, txDescriptors, txKicks,
        rxKicks, txInterrupts, rxInterrupts, refillFailures, txDrops, rxDrops, qdiscStops, napiPolls, napiBudgetExhausted, rxGroMerged, ev);
  }

  /** Ledger slots a net replay needs: one per transmit and receive ring entry, and one for set-up. */
  public static int ledgerSlots(ReplayConfig config) {
    return 2 * config.queueCount() * config.queueSize() + 1;
  }
}
