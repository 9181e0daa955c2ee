package org.vqsim.engine.sim;

import java.io.IOException;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.dma.DmaContext;
import org.vqsim.engine.dma.DmaDirection;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.ring.DeviceQueue;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.ring.Ring;

/**
 * One replay of a request stream through a virtio-blk device under one DMA strategy: the guest
 * driver, the virtqueue in guest memory, the device model and the storage backend, on a
 * discrete-event timeline in which the guest vCPU and the VMM thread are servers.
 *
 * <p>The path of one request:
 *
 * <ol>
 *   <li>vCPU: build the chain (16-byte header out, data segments, 1-byte status in), {@code map}
 *       each buffer, write the indirect table and {@code map} it, add to the ring, publish;
 *       {@code kickPrepare}, and exit to notify the device unless suppressed.
 *   <li>VMM: on the kick (or on its own re-check), pop every available chain, {@code translate}
 *       each buffer, hand the request to the backend; suppress notifications while doing so.
 *   <li>Backend: fixed latency plus bytes over a shared bandwidth.
 *   <li>VMM: write the status, fill and flush the used ring, interrupt unless suppressed.
 *   <li>vCPU: take the interrupt, reclaim every used chain, {@code unmap} its buffers, complete
 *       the request; in a closed loop submit the next one.
 * </ol>
 *
 * Each step charges its cycles to the ledger next to where it happens; a server's busy time is
 * the cycles charged during its step. The loop allocates nothing per request.
 */
public final class ReplayEngine {
  // event types
  private static final int ARRIVAL = 0, DEVICE_KICK = 1, DEVICE_RECHECK = 2, BACKEND_DONE = 3, GUEST_IRQ = 4, GUEST_RECHECK = 5;

  // virtio 1.2 §5.2.6: request types and status
  private static final int VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_DISCARD = 11;
  private static final int VIRTIO_BLK_S_OK = 0;
  private static final int HEADER_BYTES = 16, DISCARD_SEGMENT_BYTES = 16, SECTOR = 512;

  // guest-physical layout
  private static final long RING_BASE = 0x10_0000L; // 1 MiB
  private static final long SLOT_PAGE_BASE = 0x20_0000L; // 2 MiB: one page per request slot (struct virtblk_req)
  private static final long DATA_BASE = 256L << 20; // data pages from here to half of guest memory; DMA structures above
  private static final int HDR_OFF = 0x100, STATUS_OFF = 0x110, DISCARD_OFF = 0x200, TABLE_OFF = 0x400;
  // DmaDirection.values() clones its array on every call: look mapDir ordinals up here instead
  private static final DmaDirection[] DIRECTIONS = DmaDirection.values();

  private final String strategyId;
  private final ReplayConfig config;
  private final CostProfile profile;
  private final GuestMemory mem;
  private final CycleLedger ledger;
  private final DmaStrategy dma;
  private final DriverQueue driver;
  private final DeviceQueue device;
  private final PagePlacer placer;
  private final EventQueue events = new EventQueue();
  private final SimClock clock = new SimClock();
  private final long ringDma;
  private int lastDeviceSlot;
  /**
   * Device accesses to the ring, each translated like any other DMA (QEMU reaches an IOMMU-mapped
   * ring through the IOMMU): split — avail idx + avail_event to switch notifications, avail entry +
   * avail_event + descriptor per pop, used element + used idx (+ used_event) per completion; packed —
   * the device event area to switch notifications, the descriptor per pop, the used descriptor (+ the
   * driver event area) per completion.
   */
  private final int notifyAccesses, popAccesses, completeAccesses;
  private final Chain chain;
  private final Chain popped;
  private final IoRequest cursor = new IoRequest();

  // sizes
  private final int slots;
  private final int maxDataSegments;
  private final int maxMaps;
  private final long maxSegment;
  private final int slotPageBytes;

  // costs, hoisted out of the loop (cycles)
  private final long ringDesc, ringPublish, guestUsed, devicePop, deviceDesc, deviceRequest, usedPush;
  private final long kickExit, kickHandler, irqInject, irqGuest, backendSubmit;
  /** Picoseconds per 1024 cycles, so that turning cycles into time is integer arithmetic. */
  private final long psPer1024Cycles;
  private final long backendLatencyPs;
  private final double psPerByte;

  // per-slot request state
  private final long[] slotRequest, slotOffset, slotSubmitPs;
  private final byte[] slotOp;
  private final int[] slotLength, slotHead;
  private final long[] slotStatusGpa;
  private final int[] slotSegCount;
  private final int[][] slotSegs;
  private final long[] mapAddr;
  private final int[] mapLen;
  private final byte[] mapDir;
  private final int[] mapCount;
  private final int[] headToSlot;
  private final int[] freeSlots;
  private int freeSlotCount;

  // requests read from the source and not yet in a slot (FIFO, grows only in open loop bursts)
  private long[] pendTs = new long[64], pendOff = new long[64], pendIdx = new long[64];
  private byte[] pendOp = new byte[64];
  private int[] pendLen = new int[64];
  private int[] pendSegCount = new int[64];
  private int[][] pendSegs = new int[64][];
  private int pendHead, pendCount;

  // servers and state machines
  private long vcpuFree, vmmFree, backendBwFree;
  private long vcpuBusyPs, vmmBusyPs;
  private boolean deviceRunning, deviceKickPending, guestRunning;
  private int kickSlot = -1;
  // the slot of a kick that arrived while the device was busy; separate from kickSlot, which the
  // guest rewrites on every submitting pass before the device gets round to the deferred kick
  private int deferredKickSlot = -1;
  private long passStartPs, passStartCycles;

  // source
  private RequestSource source;
  private CompletionSink sink;
  private boolean sourceDone;
  private long nextIndex;
  private long lastArrivalPs;

  // results
  private long completed, bytes, kicks, kicksSuppressed, interrupts, ringFullStalls, mapStalls, lastCompletionPs, firstSubmitPs = -1;
  private int inFlight, maxInFlight;

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
    this.mem = new GuestMemory(config.guestMemoryBytes());
    this.slots = config.iodepth();
    this.ledger = new CycleLedger(slots);
    long reservedBase = config.guestMemoryBytes() / 2;
    if (reservedBase - DATA_BASE < (64L << 20) || dmaOptions.swiotlbPoolBytes() + (2L << 20) > config.guestMemoryBytes() - reservedBase) {
      throw new ModelException("guest memory of " + (config.guestMemoryBytes() >> 20) + " MiB is too small for a " + (dmaOptions.swiotlbPoolBytes() >> 20)
          + " MiB swiotlb pool (the model keeps data pages in the lower half and DMA structures in the upper half)");
    }
    this.dma = strategy.create(new DmaContext(ledger, profile, mem, dmaOptions, clock, config.backend() == Backend.VHOST, reservedBase));
    int q = config.queueSize();
    // QEMU virtio-blk: seg_max = queue_size - 2 (header and status take the other two)
    this.maxDataSegments = q - 2 < 1 ? 1 : q - 2;
    this.maxMaps = maxDataSegments + 3;
    long strategyMax = dma.maxMappingSize();
    this.maxSegment = config.maxSegmentSize() > 0 ? Math.min(config.maxSegmentSize(), strategyMax) : Math.min(strategyMax, Integer.MAX_VALUE);
    this.slotPageBytes = align(TABLE_OFF + (maxDataSegments + 2) * 16, 4096);
    Ring.Queues rings = ring.create(mem, q, RING_BASE, config.eventIdx(), config.indirect());
    boolean packed = ring == Ring.PACKED;
    this.notifyAccesses = packed ? 1 : 2;
    this.popAccesses = packed ? 1 : 3;
    this.completeAccesses = (packed ? 1 : 2) + (config.eventIdx() ? 1 : 0);
    this.ringDma = dma.mapCoherent(RING_BASE, (int) (rings.end() - RING_BASE));
    if (rings.end() > SLOT_PAGE_BASE) throw new IllegalStateException("ring overlaps request pages");
    if (SLOT_PAGE_BASE + (long) slots * slotPageBytes > DATA_BASE) throw new IllegalArgumentException("too many request slots for the guest layout");
    this.driver = rings.driver();
    this.device = rings.device();
    int pageSize = (int) profile.get(CostFigure.PAGE_SIZE);
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1) throw new IllegalArgumentException("profile page_size must be a power of two ≥ 512");
    this.placer = new PagePlacer(DATA_BASE, reservedBase, pageSize, config.pageContiguity(), config.seed());
    mem.setUntracked(DATA_BASE, reservedBase); // data pages are placed, their bytes not kept
    this.chain = new Chain(maxMaps);
    this.popped = new Chain(maxMaps);

    ringDesc = profile.cycles(CostFigure.RING_DESC_CYCLES);
    ringPublish = profile.cycles(CostFigure.RING_PUBLISH_CYCLES);
    guestUsed = profile.cycles(CostFigure.GUEST_USED_CYCLES);
    devicePop = profile.cycles(CostFigure.DEVICE_POP_CYCLES);
    deviceDesc = profile.cycles(CostFigure.DEVICE_DESC_CYCLES);
    deviceRequest = profile.cycles(CostFigure.DEVICE_REQUEST_CYCLES);
    usedPush = profile.cycles(CostFigure.USED_PUSH_CYCLES);
    kickExit = profile.cycles(CostFigure.KICK_EXIT_CYCLES);
    kickHandler = profile.cycles(config.backend() == Backend.VHOST ? CostFigure.KICK_HANDLER_CYCLES_VHOST : CostFigure.KICK_HANDLER_CYCLES_QEMU);
    irqInject = profile.cycles(CostFigure.IRQ_INJECT_CYCLES);
    irqGuest = profile.cycles(CostFigure.IRQ_GUEST_CYCLES);
    backendSubmit = profile.cycles(CostFigure.BACKEND_SUBMIT_CYCLES);
    psPer1024Cycles = Math.round(1024_000.0 / profile.get(CostFigure.CPU_GHZ));
    backendLatencyPs = Math.round(profile.get(CostFigure.BACKEND_LATENCY_NS) * 1000.0);
    psPerByte = 1e12 / (profile.get(CostFigure.BACKEND_MIB_PER_S) * 1048576.0);

    slotRequest = new long[slots];
    slotOffset = new long[slots];
    slotSubmitPs = new long[slots];
    slotOp = new byte[slots];
    slotLength = new int[slots];
    slotHead = new int[slots];
    slotStatusGpa = new long[slots];
    slotSegCount = new int[slots];
    slotSegs = new int[slots][];
    mapAddr = new long[slots * maxMaps];
    mapLen = new int[slots * maxMaps];
    mapDir = new byte[slots * maxMaps];
    mapCount = new int[slots];
    headToSlot = new int[q];
    freeSlots = new int[slots];
    for (int i = 0; i < slots; i++) freeSlots[i] = slots - 1 - i;
    freeSlotCount = slots;
  }

  private static int align(int v, int a) {
    return (v + a - 1) / a * a;
  }

  public String strategyId() { return strategyId; }
  public CycleLedger ledger() { return ledger; }
  public DmaStrategy strategy() { return dma; }
  public GuestMemory memory() { return mem; }
  public DriverQueue driver() { return driver; }

  /** Replays every request of {@code src}, reporting each completion to {@code out}. */
  public RunResult run(RequestSource src, CompletionSink out) throws IOException {
    this.source = src;
    this.sink = out;
    if (config.openLoop()) {
      scheduleNextArrival();
    } else {
      for (int i = 0; i < slots && readIntoPending(); i++) {
        // fill the closed loop
      }
      submitPass(0);
    }
    while (!events.isEmpty()) {
      events.pop();
      long t = events.topTime;
      switch (events.topType) {
        case ARRIVAL -> onArrival(t);
        case DEVICE_KICK -> onDeviceKick(t);
        case DEVICE_RECHECK -> onDeviceRecheck(t);
        case BACKEND_DONE -> onBackendDone(t, events.topArg);
        case GUEST_IRQ -> onGuestIrq(t);
        case GUEST_RECHECK -> onGuestRecheck(t);
        default -> throw new IllegalStateException("unknown event " + events.topType);
      }
    }
    if (pendCount != 0 || inFlight != 0) {
      throw new IllegalStateException("replay stalled with " + pendCount + " waiting and " + inFlight + " in flight");
    }
    long start = firstSubmitPs < 0 ? 0 : firstSubmitPs;
    return new RunResult(completed, bytes, (lastCompletionPs - start) / 1000, ledger, kicks, kicksSuppressed, interrupts, ringFullStalls, mapStalls, maxInFlight,
        new long[] {vcpuBusyPs / 1000}, new long[] {vmmBusyPs / 1000});
  }

  // ---- the request stream ----------------------------------------------------------------

  private boolean readIntoPending() throws IOException {
    if (sourceDone) return false;
    if (!source.next(cursor)) {
      sourceDone = true;
      return false;
    }
    validate(cursor);
    if (pendCount == pendTs.length) growPending();
    int i = (pendHead + pendCount) % pendTs.length;
    pendTs[i] = cursor.tsNs;
    pendOp[i] = cursor.op;
    pendOff[i] = cursor.offset;
    pendLen[i] = cursor.length;
    pendSegCount[i] = 0;
    if (cursor.segmentCount > 0 && IoOp.hasData(cursor.op)) copyCapturedSegments(i);
    pendIdx[i] = nextIndex++;
    pendCount++;
    return true;
  }

  /** Keeps the captured data segments of the request just read, if they describe it (they add up to its length). */
  private void copyCapturedSegments(int i) {
    long sum = 0;
    for (int k = 0; k < cursor.segmentCount; k++) {
      if (cursor.segments[k] <= 0) return;
      sum += cursor.segments[k];
    }
    if (sum != cursor.length) return;
    if (pendSegs[i] == null || pendSegs[i].length < cursor.segmentCount) pendSegs[i] = new int[Math.max(16, cursor.segmentCount)];
    System.arraycopy(cursor.segments, 0, pendSegs[i], 0, cursor.segmentCount);
    pendSegCount[i] = cursor.segmentCount;
  }

  private void validate(IoRequest r) {
    if (r.op < IoOp.READ || r.op > IoOp.DISCARD) throw new IllegalArgumentException("request " + nextIndex + ": unknown op " + r.op);
    if (r.offset < 0) throw new IllegalArgumentException("request " + nextIndex + ": negative offset " + r.offset);
    if (IoOp.hasData(r.op) && r.length <= 0) throw new IllegalArgumentException("request " + nextIndex + ": " + IoOp.letter(r.op) + " of " + r.length + " bytes");
    if (r.length < 0) throw new IllegalArgumentException("request " + nextIndex + ": negative length " + r.length);
  }

  private void growPending() {
    int n = pendTs.length * 2;
    long[] ts = new long[n], off = new long[n], idx = new long[n];
    byte[] op = new byte[n];
    int[] len = new int[n];
    int[] segCount = new int[n];
    int[][] segs = new int[n][];
    for (int k = 0; k < pendCount; k++) {
      int i = (pendHead + k) % pendTs.length;
      ts[k] = pendTs[i];
      off[k] = pendOff[i];
      idx[k] = pendIdx[i];
      op[k] = pendOp[i];
      len[k] = pendLen[i];
      segCount[k] = pendSegCount[i];
      segs[k] = pendSegs[i];
    }
    pendSegCount = segCount;
    pendSegs = segs;
    pendTs = ts;
    pendOff = off;
    pendIdx = idx;
    pendOp = op;
    pendLen = len;
    pendHead = 0;
  }

  private void scheduleNextArrival() throws IOException {
    if (!readIntoPending()) return;
    int i = (pendHead + pendCount - 1) % pendTs.length;
    // a trace whose timestamps go backwards is replayed in file order
    long at = Math.max(pendTs[i] * 1000L, lastArrivalPs);
    pendTs[i] = at; // now in ps
    lastArrivalPs = at;
    pendingArrivals++;
    events.push(at, ARRIVAL, 0);
  }

  private int pendingArrivals;

  private void onArrival(long t) throws IOException {
    pendingArrivals--;
    scheduleNextArrival();
    submitPass(t);
  }

  // ---- guest vCPU ------------------------------------------------------------------------

  private void beginPass(long t, long free) {
    passStartPs = Math.max(t, free);
    clock.nowPs = passStartPs;
    passStartCycles = ledger.grandTotal();
  }

  private long passNow() {
    return passStartPs + (((ledger.grandTotal() - passStartCycles) * psPer1024Cycles + 512) >> 10);
  }

  /** A vCPU pass that submits what is waiting and kicks once at the end. */
  private void submitPass(long t) {
    beginPass(t, vcpuFree);
    int added = submitPending();
    vcpuFree = passNow();
    if (added > 0) kick();
    vcpuBusyPs += vcpuFree - passStartPs;
  }

  /** Submits waiting requests while slots and ring space last; returns how many. */
  private int submitPending() {
    int added = 0;
    int lastSlot = -1;
    while (pendCount > 0 && freeSlotCount > 0) {
      int p = pendHead;
      // in open loop only requests that have arrived may go (their ARRIVAL event has run)
      if (config.openLoop() && pendingArrivals > 0 && p == (pendHead + pendCount - 1) % pendTs.length) break;
      int op = pendOp[p];
      int len = pendLen[p];
      int segments = 2 + (IoOp.hasData(op) ? estimateSegments(len) : op == IoOp.DISCARD ? 1 : 0);
      if (driver.descriptorsNeeded(segments, true) > driver.numFree()) {
        ringFullStalls++;
        break;
      }
      int slot = freeSlots[--freeSlotCount];
      ledger.resetSlot(slot);
      slotRequest[slot] = pendIdx[p];
      slotOp[slot] = (byte) op;
      slotOffset[slot] = pendOff[p];
      slotLength[slot] = len;
      slotSegCount[slot] = pendSegCount[p];
      if (pendSegCount[p] > 0) {
        // swap the arrays: the slot takes the captured segments, the pending entry keeps a spare
        int[] t = slotSegs[slot];
        slotSegs[slot] = pendSegs[p];
        pendSegs[p] = t;
      }
      long now = passNow();
      slotSubmitPs[slot] = config.openLoop() ? pendTs[p] : now;
      if (firstSubmitPs < 0) firstSubmitPs = slotSubmitPs[slot];
      pendHead = (pendHead + 1) % pendTs.length;
      pendCount--;
      if (!addRequest(slot)) {
        // the strategy could not map (e.g. bounce pool exhausted): give the slot back and wait
        mapStalls++;
        if (inFlight == 0) {
          throw new ModelException("request " + pendIdx[p] + " (" + IoOp.letter(op) + " of " + len + " bytes) cannot be mapped by " + strategyId
              + " even with nothing else in flight: the bounce pool is too small for it");
        }
        freeSlots[freeSlotCount++] = slot;
        pendHead = (pendHead - 1 + pendTs.length) % pendTs.length;
        pendCount++;
        break;
      }
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      added++;
      lastSlot = slot;
    }
    kickSlot = lastSlot;
    return added;
  }

  /** Upper bound of the data segments; the exact count comes from page placement, capped at seg_max. */
  private int estimateSegments(int len) {
    return Math.min(maxDataSegments, Math.max(1, len / 512));
  }

  /** Builds, maps and adds one request's chain (Linux virtio_queue_rq → virtblk_add_req → virtqueue_add_sgs). */
  private boolean addRequest(int slot) {
    int op = slotOp[slot];
    long page = SLOT_PAGE_BASE + (long) slot * slotPageBytes;
    long hdr = page + HDR_OFF;
    int type = switch (op) {
      case IoOp.READ -> VIRTIO_BLK_T_IN;
      case IoOp.WRITE -> VIRTIO_BLK_T_OUT;
      case IoOp.FLUSH -> VIRTIO_BLK_T_FLUSH;
      default -> VIRTIO_BLK_T_DISCARD;
    };
    long sector = slotOffset[slot] / SECTOR;
    mem.writeU32(hdr, type);
    mem.writeU32(hdr + 4, 0);
    mem.writeU64(hdr + 8, op == IoOp.FLUSH ? 0 : sector);
    mem.writeU8(page + STATUS_OFF, 0xff); // the device must overwrite it

    chain.clear();
    chain.add(hdr, HEADER_BYTES, false);
    if (IoOp.hasData(op)) {
      if (slotSegCount[slot] > 0) {
        placer.placeSegments(chain, slotSegs[slot], slotSegCount[slot], maxSegment, maxDataSegments, IoOp.deviceWrites(op));
      } else {
        placer.place(chain, slotLength[slot], maxSegment, maxDataSegments, IoOp.deviceWrites(op));
      }
    } else if (op == IoOp.DISCARD) {
      long seg = page + DISCARD_OFF;
      mem.writeU64(seg, sector);
      mem.writeU32(seg + 8, (slotLength[slot] + SECTOR - 1) / SECTOR);
      mem.writeU32(seg + 12, 0);
      chain.add(seg, DISCARD_SEGMENT_BYTES, false);
    }
    chain.add(page + STATUS_OFF, 1, true);

    // map each sg element separately, in order (virtqueue_add_split → vring_map_one_sg)
    int base = slot * maxMaps;
    int n = 0;
    for (int s = 0; s < chain.count; s++) {
      boolean w = chain.deviceWrites[s];
      DmaDirection dir = DmaDirection.of(w);
      long a = dma.map(slot, chain.addr[s], chain.len[s], dir);
      if (a == DmaStrategy.MAPPING_ERROR) {
        unmapFrom(slot, base, n);
        return false;
      }
      mapAddr[base + n] = a;
      mapLen[base + n] = chain.len[s];
      mapDir[base + n] = (byte) dir.ordinal();
      n++;
      chain.addr[s] = a;
      ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
    }
    int head;
    boolean indirect = driver.descriptorsNeeded(chain.count, true) == 1 && chain.count > 1;
    if (indirect) {
      long table = page + TABLE_OFF;
      int tableLen = 16 * chain.count;
      // the table is written first, then mapped TO_DEVICE (virtqueue_add_split): a bounce copies it
      driver.writeIndirect(mem, chain, table);
      long tableDma = dma.map(slot, table, tableLen, DmaDirection.TO_DEVICE);
      if (tableDma == DmaStrategy.MAPPING_ERROR) {
        unmapFrom(slot, base, n);
        return false;
      }
      // Linux's detach_buf_split unmaps the table first, then its entries: keep the table at index 0
      for (int k = n; k > 0; k--) {
        mapAddr[base + k] = mapAddr[base + k - 1];
        mapLen[base + k] = mapLen[base + k - 1];
        mapDir[base + k] = mapDir[base + k - 1];
      }
      mapAddr[base] = tableDma;
      mapLen[base] = tableLen;
      mapDir[base] = (byte) DmaDirection.TO_DEVICE.ordinal();
      n++;
      ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
      head = driver.addIndirectTable(mem, chain.count, tableDma, slot);
    } else {
      head = driver.addDirect(mem, chain, slot);
    }
    if (head == DriverQueue.NO_SPACE) throw new IllegalStateException("ring space was checked before mapping");
    mapCount[slot] = n;
    slotHead[slot] = head;
    headToSlot[head] = slot;
    ledger.charge(slot, Actor.VCPU, Category.RING, ringPublish);
    return true;
  }

  private void unmapFrom(int slot, int base, int n) {
    for (int k = 0; k < n; k++) dma.unmap(slot, mapAddr[base + k], mapLen[base + k], DIRECTIONS[mapDir[base + k]]);
  }

  private void kick() {
    if (driver.kickPrepare(mem)) {
      int slot = kickSlot;
      ledger.charge(slot, Actor.VCPU, Category.NOTIFY, kickExit);
      ledger.count(slot, EventKind.EXITS, 1);
      kicks++;
      vcpuFree = passNow();
      events.push(vcpuFree, DEVICE_KICK, slot);
    } else {
      kicksSuppressed++;
    }
  }

  private void onGuestIrq(long t) {
    if (guestRunning) return; // the running handler's re-check picks the new entries up
    guestPass(t, true);
  }

  private void onGuestRecheck(long t) {
    guestRunning = false;
    if (!driver.enableCb(mem)) guestPass(t, false); // more used entries arrived: go round again (virtblk_done)
  }

  /** The interrupt handler (virtblk_done): reclaim every used chain, then submit what waits. */
  private void guestPass(long t, boolean interrupted) {
    beginPass(t, vcpuFree);
    guestRunning = true;
    driver.disableCb(mem);
    boolean first = true;
    int tok;
    while ((tok = driver.getBuf(mem)) != DriverQueue.NONE) {
      int slot = tok;
      if (first && interrupted) {
        ledger.charge(slot, Actor.VCPU, Category.INTERRUPT, irqGuest);
        ledger.count(slot, EventKind.INTERRUPTS, 1);
      }
      first = false;
      ledger.charge(slot, Actor.VCPU, Category.RING, guestUsed);
      int base = slot * maxMaps;
      int n = mapCount[slot];
      for (int k = 0; k < n; k++) dma.unmap(slot, mapAddr[base + k], mapLen[base + k], DIRECTIONS[mapDir[base + k]]);
      mapCount[slot] = 0;
      if (mem.readU8(SLOT_PAGE_BASE + (long) slot * slotPageBytes + STATUS_OFF) != VIRTIO_BLK_S_OK) {
        throw new IllegalStateException("request " + slotRequest[slot] + " completed without an OK status");
      }
      long done = passNow();
      complete(slot, done);
      if (!config.openLoop()) {
        try {
          readIntoPending();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    int added = submitPending();
    vcpuFree = passNow();
    if (added > 0) kick();
    vcpuBusyPs += vcpuFree - passStartPs;
    events.push(vcpuFree, GUEST_RECHECK, 0);
  }

  private void complete(int slot, long donePs) {
    int len = slotLength[slot];
    int op = slotOp[slot];
    if (IoOp.hasData(op)) bytes += len;
    completed++;
    inFlight--;
    lastCompletionPs = Math.max(lastCompletionPs, donePs);
    sink.completed(slotRequest[slot], op, slotOffset[slot], len, slotSubmitPs[slot] / 1000, donePs / 1000, ledger, slot);
    freeSlots[freeSlotCount++] = slot;
  }

  // ---- device (VMM thread) ---------------------------------------------------------------

  private void onDeviceKick(long t) {
    if (deviceRunning) {
      deviceKickPending = true;
      deferredKickSlot = events.topArg;
      return;
    }
    devicePass(t, events.topArg);
  }

  private void onDeviceRecheck(long t) {
    deviceRunning = false;
    device.setNotification(mem, true);
    if (deviceKickPending) {
      deviceKickPending = false;
      devicePass(t, deferredKickSlot);
    } else if (device.hasAvailable(mem)) {
      devicePass(t, -1);
    }
  }

  /**
   * virtio_blk_handle_vq: notifications off, pop every available chain, notifications back on at
   * the end. The device reaches the ring through the DMA path too (QEMU translates each access to
   * an IOMMU-mapped ring): two accesses to turn notifications off (avail idx, avail_event), three
   * per pop (avail entry, avail_event, descriptor), two to turn them back on.
   */
  private void devicePass(long t, int kickedBy) {
    beginPass(t, vmmFree);
    deviceRunning = true;
    if (kickedBy >= 0) ledger.charge(kickedBy, Actor.VMM, Category.NOTIFY, kickHandler);
    device.setNotification(mem, false);
    int owed = notifyAccesses; // ring accesses of set_notification(false), charged to the first request popped
    int last = kickedBy;
    while (device.pop(mem, popped)) {
      int slot = headToSlot[popped.head];
      last = slot;
      ringAccesses(slot, owed + popAccesses);
      owed = 0;
      ledger.charge(slot, Actor.VMM, Category.RING, devicePop);
      if (popped.count == 0) {
        long tableGpa = dma.translate(slot, popped.indirectAddr, popped.indirectLen, false);
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        device.readIndirect(mem, tableGpa, popped.indirectLen, popped);
      }
      long statusGpa = -1;
      for (int s = 0; s < popped.count; s++) {
        ledger.charge(slot, Actor.VMM, Category.RING, deviceDesc);
        long gpa = dma.translate(slot, popped.addr[s], popped.len[s], popped.deviceWrites[s]);
        if (s == 0 && (popped.len[s] < HEADER_BYTES || popped.deviceWrites[s])) throw new IllegalStateException("virtio-blk request without a readable 16-byte header (virtio 1.2 §5.2.6.1)");
        if (s == popped.count - 1) {
          if (!popped.deviceWrites[s] || popped.len[s] < 1) throw new IllegalStateException("virtio-blk request without a writable status byte (virtio 1.2 §5.2.6.1)");
          statusGpa = gpa + popped.len[s] - 1;
        }
      }
      slotStatusGpa[slot] = statusGpa;
      ledger.charge(slot, Actor.VMM, Category.DEVICE, deviceRequest);
      ledger.charge(slot, Actor.BACKEND, Category.DEVICE, backendSubmit);
      long issue = passNow();
      long xfer = IoOp.hasData(slotOp[slot]) ? Math.round(slotLength[slot] * psPerByte) : 0;
      long start = Math.max(issue, backendBwFree);
      backendBwFree = start + xfer;
      events.push(backendBwFree + backendLatencyPs, BACKEND_DONE, slot);
    }
    if (last >= 0) ringAccesses(last, owed + notifyAccesses); // set_notification(true) at the end of the pass
    vmmFree = passNow();
    vmmBusyPs += vmmFree - passStartPs;
    events.push(vmmFree, DEVICE_RECHECK, 0);
  }

  /** Device accesses to the ring itself, each translated like any other DMA. */
  private void ringAccesses(int slot, int n) {
    for (int i = 0; i < n; i++) dma.translate(slot, ringDma, 2, false);
  }

  /** virtio_blk_req_complete: status, used ring, interrupt. */
  private void onBackendDone(long t, int slot) {
    beginPass(t, vmmFree);
    mem.writeU8(slotStatusGpa[slot], VIRTIO_BLK_S_OK);
    int written = (slotOp[slot] == IoOp.READ ? slotLength[slot] : 0) + 1;
    device.fill(mem, slotHead[slot], written);
    device.flush(mem);
    ledger.charge(slot, Actor.VMM, Category.RING, usedPush);
    ringAccesses(slot, completeAccesses);
    if (device.shouldNotify(mem)) {
      ledger.charge(slot, Actor.VMM, Category.INTERRUPT, irqInject);
      interrupts++;
      vmmFree = passNow();
      events.push(vmmFree, GUEST_IRQ, 0);
    } else {
      vmmFree = passNow();
    }
    vmmBusyPs += vmmFree - passStartPs;
  }
}
