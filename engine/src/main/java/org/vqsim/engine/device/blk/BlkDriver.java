package org.vqsim.engine.device.blk;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.device.Virtqueue;
import org.vqsim.engine.dma.DmaDirection;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.sim.CompletionSink;
import org.vqsim.engine.sim.IoOp;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.ModelException;
import org.vqsim.engine.sim.RequestSource;

/**
 * The guest's virtio-blk driver under blk-mq (Linux 6.1 drivers/block/virtio_blk.c), one vCPU at a
 * time on the timeline.
 *
 * <p>Requests: each has a submitting CPU (the trace's, folded onto the vCPUs, or round robin in trace
 * order when the trace names none) and goes to that CPU's queue ({@link QueueMap}). A closed loop
 * keeps {@code iodepth} requests in flight per job: per CPU the trace names, or over the whole trace.
 *
 * <p>A submission pass on CPU c ({@code virtio_queue_rq}, lines 340–385, once per request, then
 * {@code virtio_commit_rqs}, lines 304–316): mq-deadline's insert and dispatch under its lock when the
 * device has one queue; a tag of the queue; the queue's lock; the request built and every buffer
 * DMA-mapped (so all of a strategy's map work, its own locks included, runs under the queue lock);
 * added to the ring; the lock released. At the end, under the lock again, the kick decision, and the
 * notify after it.
 *
 * <p>The interrupt handler ({@code virtblk_done}, lines 275–302) runs on the queue's interrupt CPU
 * under the queue's lock: every used chain is reclaimed and each buffer unmapped there, and the
 * requests complete; then what waits on that CPU is submitted.
 */
final class BlkDriver {
  private static final DmaDirection[] DIRECTIONS = DmaDirection.values();

  private final VirtioBlk m;
  private final RequestSource source;
  private final CompletionSink sink;
  private final IoRequest cursor = new IoRequest();
  private final long ringDesc, ringPublish, guestUsed, kickExit, irqGuest, schedCycles;

  // requests read and not yet submitted: a pool of entries, in FIFO lists per CPU and per waiting group
  private long[] pTs = new long[64], pOff = new long[64], pIdx = new long[64];
  private byte[] pOp = new byte[64];
  private int[] pLen = new int[64], pSegCount = new int[64], pCpu = new int[64], pGroup = new int[64], pNext = new int[64];
  private int[][] pSegs = new int[64][];
  private int pFree = -1, pUsed;
  private final int[] cpuHead, cpuTail;
  private final boolean[] submitScheduled, mapStalled;

  // closed loop: per group (a vCPU, or the whole trace when it names no CPU) the requests outstanding and the depth
  private final int groups;
  private final int[] outstanding, depth, aheadHead, aheadTail;
  private final java.util.BitSet traceCpusSeen = new java.util.BitSet();
  private long roundRobin;
  private long maxAhead;

  // blk-mq tags per queue, and the CPUs waiting for one (or for ring space)
  private final int[][] freeTags;
  private final int[] freeTagCount;
  private final int[][] waiters;
  private final int[] waiterCount;

  // open loop
  private boolean sourceDone;
  private long nextIndex;
  private long lastArrivalPs;
  private int pendingArrivals;
  private int arrivalEntry = -1;

  // results
  long completed, bytes, kicks, kicksSuppressed, ringFullStalls, mapStalls, lastCompletionPs, firstSubmitPs = -1;
  int inFlight, maxInFlight;
  private int pendingTotal;

  BlkDriver(VirtioBlk m, RequestSource source, CompletionSink sink) {
    this.m = m;
    this.source = source;
    this.sink = sink;
    var p = m.profile;
    ringDesc = p.cycles(CostFigure.RING_DESC_CYCLES);
    ringPublish = p.cycles(CostFigure.RING_PUBLISH_CYCLES);
    guestUsed = p.cycles(CostFigure.GUEST_USED_CYCLES);
    kickExit = p.cycles(CostFigure.KICK_EXIT_CYCLES);
    irqGuest = p.cycles(CostFigure.IRQ_GUEST_CYCLES);
    schedCycles = p.cycles(CostFigure.MQ_DEADLINE_CYCLES);
    int n = m.vcpus.length;
    cpuHead = new int[n];
    cpuTail = new int[n];
    java.util.Arrays.fill(cpuHead, -1);
    java.util.Arrays.fill(cpuTail, -1);
    submitScheduled = new boolean[n];
    mapStalled = new boolean[n];
    groups = n + 1; // one per vCPU, and the last for a trace that names no CPU
    outstanding = new int[groups];
    depth = new int[groups];
    aheadHead = new int[groups];
    aheadTail = new int[groups];
    java.util.Arrays.fill(aheadHead, -1);
    java.util.Arrays.fill(aheadTail, -1);
    depth[n] = m.config.iodepth();
    int nq = m.queues.length;
    freeTags = new int[nq][m.slots.tags];
    freeTagCount = new int[nq];
    for (int q = 0; q < nq; q++) {
      for (int t = 0; t < m.slots.tags; t++) freeTags[q][t] = q * m.slots.tags + (m.slots.tags - 1 - t);
      freeTagCount[q] = m.slots.tags;
    }
    waiters = new int[nq][n];
    waiterCount = new int[nq];
  }

  // ---- the request stream ------------------------------------------------------------------------

  void start() throws IOException {
    maxAhead = Math.max(4096, 8L * m.config.iodepth() * groups);
    if (m.config.openLoop()) {
      scheduleNextArrival();
      return;
    }
    // the first request tells whether the trace names CPUs (one loop per CPU) or not (one loop over all of it)
    int e = read();
    if (e < 0) return;
    append(aheadHead, aheadTail, pGroup[e], e);
    if (pGroup[e] == groups - 1) {
      fill(groups - 1);
    } else {
      for (int g = 0; g < groups - 1; g++) fill(g);
    }
  }

  /** Reads the next request into a new pending entry; -1 at the end of the stream. */
  private int read() throws IOException {
    if (sourceDone) return -1;
    if (!source.next(cursor)) {
      sourceDone = true;
      return -1;
    }
    validate(cursor);
    int e = newEntry();
    pTs[e] = cursor.tsNs;
    pOp[e] = cursor.op;
    pOff[e] = cursor.offset;
    pLen[e] = cursor.length;
    pSegCount[e] = 0;
    if (cursor.segmentCount > 0 && IoOp.hasData(cursor.op)) copyCapturedSegments(e);
    pIdx[e] = nextIndex++;
    int n = m.vcpus.length;
    if (cursor.cpu >= 0) {
      int cpu = cursor.cpu % n;
      pCpu[e] = cpu;
      pGroup[e] = cpu;
      if (!traceCpusSeen.get(cursor.cpu)) {
        traceCpusSeen.set(cursor.cpu);
        depth[cpu] += m.config.iodepth(); // one more job on this vCPU
      }
    } else {
      // a trace that names no CPU: spread round robin in trace order, one closed loop over all of it
      pCpu[e] = (int) (roundRobin++ % n);
      pGroup[e] = groups - 1;
    }
    pendingTotal++;
    return e;
  }

  private int newEntry() {
    if (pFree < 0) {
      if (pUsed == pTs.length) growPending();
      return pUsed++;
    }
    int e = pFree;
    pFree = pNext[e];
    return e;
  }

  private void freeEntry(int e) {
    pNext[e] = pFree;
    pFree = e;
    pendingTotal--;
  }

  private void growPending() {
    int n = pTs.length * 2;
    pTs = java.util.Arrays.copyOf(pTs, n);
    pOff = java.util.Arrays.copyOf(pOff, n);
    pIdx = java.util.Arrays.copyOf(pIdx, n);
    pOp = java.util.Arrays.copyOf(pOp, n);
    pLen = java.util.Arrays.copyOf(pLen, n);
    pSegCount = java.util.Arrays.copyOf(pSegCount, n);
    pCpu = java.util.Arrays.copyOf(pCpu, n);
    pGroup = java.util.Arrays.copyOf(pGroup, n);
    pNext = java.util.Arrays.copyOf(pNext, n);
    pSegs = java.util.Arrays.copyOf(pSegs, n);
  }

  /** Keeps the captured data segments of the request just read, if they describe it (they add up to its length). */
  private void copyCapturedSegments(int e) {
    long sum = 0;
    for (int k = 0; k < cursor.segmentCount; k++) {
      if (cursor.segments[k] <= 0) return;
      sum += cursor.segments[k];
    }
    if (sum != cursor.length) return;
    if (pSegs[e] == null || pSegs[e].length < cursor.segmentCount) pSegs[e] = new int[Math.max(16, cursor.segmentCount)];
    System.arraycopy(cursor.segments, 0, pSegs[e], 0, cursor.segmentCount);
    pSegCount[e] = cursor.segmentCount;
  }

  private void validate(IoRequest r) {
    if (r.op < IoOp.READ || r.op > IoOp.DISCARD) throw new IllegalArgumentException("request " + nextIndex + ": unknown op " + r.op);
    if (r.offset < 0) throw new IllegalArgumentException("request " + nextIndex + ": negative offset " + r.offset);
    if (IoOp.hasData(r.op) && r.length <= 0) throw new IllegalArgumentException("request " + nextIndex + ": " + IoOp.letter(r.op) + " of " + r.length + " bytes");
    if (r.length < 0) throw new IllegalArgumentException("request " + nextIndex + ": negative length " + r.length);
  }

  /**
   * Closed loop: reads until group {@code g} has its depth outstanding. Requests of groups that are
   * full wait in their group's list; reading ahead stops at a bound (when one CPU's requests come much
   * later in the trace than another's), and the other groups' completions read on.
   */
  private void fill(int g) throws IOException {
    while (outstanding[g] < depth[g]) {
      int e = aheadHead[g];
      if (e >= 0) {
        aheadHead[g] = pNext[e];
        if (aheadHead[g] < 0) aheadTail[g] = -1;
      } else {
        if (pendingTotal >= maxAhead) return;
        e = read();
        if (e < 0) return;
        int h = pGroup[e];
        if (h != g && outstanding[h] >= depth[h]) {
          append(aheadHead, aheadTail, h, e);
          continue;
        }
        if (h != g) {
          issue(e);
          continue;
        }
      }
      issue(e);
    }
  }

  private void append(int[] head, int[] tail, int list, int e) {
    pNext[e] = -1;
    if (tail[list] < 0) head[list] = e;
    else pNext[tail[list]] = e;
    tail[list] = e;
  }

  /** Hands a request to its CPU: it waits there until a submission pass takes it. */
  private void issue(int e) {
    outstanding[pGroup[e]]++;
    int c = pCpu[e];
    append(cpuHead, cpuTail, c, e);
    wake(c, m.tl.nowPs());
  }

  /** Makes sure a submission pass will run on CPU {@code c}. */
  private void wake(int c, long t) {
    if (submitScheduled[c]) return;
    submitScheduled[c] = true;
    m.tl.schedule(t, VirtioBlk.SUBMIT, c, 0);
  }

  private void scheduleNextArrival() throws IOException {
    int e = read();
    if (e < 0) return;
    // a trace whose timestamps go backwards is replayed in file order
    long at = Math.max(pTs[e] * 1000L, lastArrivalPs);
    pTs[e] = at; // now in ps
    lastArrivalPs = at;
    pendingArrivals++;
    arrivalEntry = e;
    m.tl.schedule(at, VirtioBlk.ARRIVAL, 0, 0);
  }

  void onArrival(long t) throws IOException {
    pendingArrivals--;
    int e = arrivalEntry;
    issue(e);
    scheduleNextArrival();
  }

  // ---- submission --------------------------------------------------------------------------------

  void onSubmit(int c, long t) {
    submitScheduled[c] = false;
    if (cpuHead[c] < 0) return;
    m.tl.begin(m.vcpus[c], t);
    submitPending(c);
    m.tl.end();
  }

  /** Submits what waits on CPU {@code c} while tags, ring space and mappings last, then commits (kicks). */
  private void submitPending(int c) {
    int q = m.map.queueOf(c);
    Virtqueue vq = m.queues[q];
    int added = 0, lastSlot = -1;
    mapStalled[c] = false;
    while (cpuHead[c] >= 0) {
      int e = cpuHead[c];
      int op = pOp[e];
      int segments = 2 + (IoOp.hasData(op) ? estimateSegments(pLen[e]) : op == IoOp.DISCARD ? 1 : 0);
      if (freeTagCount[q] == 0) {
        waitFor(q, c);
        break;
      }
      if (vq.driver.descriptorsNeeded(segments, true) > vq.driver.numFree()) {
        ringFullStalls++;
        waitFor(q, c);
        break;
      }
      int slot = freeTags[q][--freeTagCount[q]];
      m.ledger.resetSlot(slot);
      takeRequest(slot, e, c, q);
      if (m.schedLock != null) m.tl.hold(m.schedLock, slot, Actor.VCPU, Category.SCHED, schedCycles);
      m.tl.acquire(vq.lock, slot);
      boolean ok = addRequest(slot, vq);
      m.tl.release(vq.lock);
      if (!ok) {
        // the strategy could not map (bounce pool exhausted): give the tag back and wait for a completion
        mapStalls++;
        if (inFlight == 0) {
          throw new ModelException("request " + m.slots.request(slot) + " (" + IoOp.letter(op) + " of " + m.slots.length(slot) + " bytes) cannot be mapped by "
              + m.strategyId + " even with nothing else in flight: the bounce pool is too small for it");
        }
        freeTags[q][freeTagCount[q]++] = slot;
        mapStalled[c] = true;
        break;
      }
      // the request leaves the CPU's list now that it is on the ring
      cpuHead[c] = pNext[e];
      if (cpuHead[c] < 0) cpuTail[c] = -1;
      if (m.config.openLoop()) m.slots.submitPs(slot, pTs[e]);
      if (firstSubmitPs < 0) firstSubmitPs = m.slots.submitPs(slot);
      freeEntry(e);
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      added++;
      lastSlot = slot;
    }
    if (added > 0) commit(vq, lastSlot);
  }

  /** virtio_commit_rqs: the kick decision under the queue lock, the notify after it. */
  private void commit(Virtqueue vq, int slot) {
    m.tl.acquire(vq.lock, slot);
    boolean kick = vq.driver.kickPrepare(m.mem);
    m.tl.release(vq.lock);
    if (kick) {
      m.ledger.charge(slot, Actor.VCPU, Category.NOTIFY, kickExit);
      m.ledger.count(slot, EventKind.EXITS, 1);
      kicks++;
      m.tl.schedule(m.tl.nowPs(), VirtioBlk.DEVICE_KICK, vq.index, slot);
    } else {
      kicksSuppressed++;
    }
  }

  private void waitFor(int q, int c) {
    for (int i = 0; i < waiterCount[q]; i++) if (waiters[q][i] == c) return;
    waiters[q][waiterCount[q]++] = c;
  }

  /** A tag or ring space came free on queue {@code q}: the CPUs waiting there try again. */
  private void wakeWaiters(int q, long t) {
    for (int i = 0; i < waiterCount[q]; i++) wake(waiters[q][i], t);
    waiterCount[q] = 0;
  }

  private void takeRequest(int slot, int e, int c, int q) {
    BlkSlots s = m.slots;
    s.request(slot, pIdx[e]);
    s.op(slot, pOp[e]);
    s.offset(slot, pOff[e]);
    s.length(slot, pLen[e]);
    s.cpu(slot, c);
    s.queue(slot, q);
    s.group(slot, pGroup[e]);
    s.segCount(slot, pSegCount[e]);
    if (pSegCount[e] > 0) {
      // swap the arrays: the slot takes the captured segments, the pending entry keeps a spare
      int[] t = s.segs[slot];
      s.segs[slot] = pSegs[e];
      pSegs[e] = t;
    }
    s.submitPs(slot, m.tl.nowPs());
  }

  /** Upper bound of the data segments; the exact count comes from page placement, capped at seg_max. */
  private int estimateSegments(int len) {
    return Math.min(m.maxDataSegments, Math.max(1, len / 512));
  }

  /** Builds, maps and adds one request's chain (virtio_queue_rq → virtblk_add_req → virtqueue_add_sgs). */
  private boolean addRequest(int slot, Virtqueue vq) {
    BlkSlots s = m.slots;
    Chain chain = m.chain;
    int op = s.op(slot);
    long page = m.slotPage(slot);
    long hdr = page + VirtioBlk.HDR_OFF;
    int type = switch (op) {
      case IoOp.READ -> VirtioBlk.VIRTIO_BLK_T_IN;
      case IoOp.WRITE -> VirtioBlk.VIRTIO_BLK_T_OUT;
      case IoOp.FLUSH -> VirtioBlk.VIRTIO_BLK_T_FLUSH;
      default -> VirtioBlk.VIRTIO_BLK_T_DISCARD;
    };
    long sector = s.offset(slot) / VirtioBlk.SECTOR;
    m.mem.writeU32(hdr, type);
    m.mem.writeU32(hdr + 4, 0);
    m.mem.writeU64(hdr + 8, op == IoOp.FLUSH ? 0 : sector);
    m.mem.writeU8(page + VirtioBlk.STATUS_OFF, 0xff); // the device must overwrite it

    chain.clear();
    chain.add(hdr, VirtioBlk.HEADER_BYTES, false);
    if (IoOp.hasData(op)) {
      if (s.segCount(slot) > 0) {
        m.placer.placeSegments(chain, s.segs[slot], s.segCount(slot), m.maxSegment, m.maxDataSegments, IoOp.deviceWrites(op));
      } else {
        m.placer.place(chain, s.length(slot), m.maxSegment, m.maxDataSegments, IoOp.deviceWrites(op));
      }
    } else if (op == IoOp.DISCARD) {
      long seg = page + VirtioBlk.DISCARD_OFF;
      m.mem.writeU64(seg, sector);
      m.mem.writeU32(seg + 8, (s.length(slot) + VirtioBlk.SECTOR - 1) / VirtioBlk.SECTOR);
      m.mem.writeU32(seg + 12, 0);
      chain.add(seg, VirtioBlk.DISCARD_SEGMENT_BYTES, false);
    }
    chain.add(page + VirtioBlk.STATUS_OFF, 1, true);

    // map each sg element separately, in order (virtqueue_add_split → vring_map_one_sg)
    s.reserveMaps(slot, chain.count + 1);
    long[] maps = s.maps[slot];
    int n = 0;
    for (int k = 0; k < chain.count; k++) {
      DmaDirection dir = DmaDirection.of(chain.deviceWrites[k]);
      long a = m.dma.map(slot, chain.addr[k], chain.len[k], dir);
      if (a == DmaStrategy.MAPPING_ERROR) {
        unmapFrom(slot, n);
        return false;
      }
      maps[2 * n] = a;
      maps[2 * n + 1] = BlkSlots.lenDir(chain.len[k], dir.ordinal());
      n++;
      chain.addr[k] = a;
      m.ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
    }
    DriverQueue driver = vq.driver;
    int head;
    boolean indirect = driver.descriptorsNeeded(chain.count, true) == 1 && chain.count > 1;
    if (indirect) {
      long table = page + VirtioBlk.TABLE_OFF;
      int tableLen = 16 * chain.count;
      // the table is written first, then mapped TO_DEVICE (virtqueue_add_split): a bounce copies it
      driver.writeIndirect(m.mem, chain, table);
      long tableDma = m.dma.map(slot, table, tableLen, DmaDirection.TO_DEVICE);
      if (tableDma == DmaStrategy.MAPPING_ERROR) {
        unmapFrom(slot, n);
        return false;
      }
      // Linux's detach_buf_split unmaps the table first, then its entries: keep the table at index 0
      System.arraycopy(maps, 0, maps, 2, 2 * n);
      maps[0] = tableDma;
      maps[1] = BlkSlots.lenDir(tableLen, DmaDirection.TO_DEVICE.ordinal());
      n++;
      m.ledger.charge(slot, Actor.VCPU, Category.RING, ringDesc);
      head = driver.addIndirectTable(m.mem, chain.count, tableDma, slot);
    } else {
      head = driver.addDirect(m.mem, chain, slot);
    }
    if (head == DriverQueue.NO_SPACE) throw new IllegalStateException("ring space was checked before mapping");
    s.mapCount(slot, n);
    s.head(slot, head);
    m.headToSlot[vq.index][head] = slot;
    m.ledger.charge(slot, Actor.VCPU, Category.RING, ringPublish);
    return true;
  }

  private void unmapFrom(int slot, int n) {
    long[] maps = m.slots.maps[slot];
    for (int k = 0; k < n; k++) {
      long lenDir = maps[2 * k + 1];
      m.dma.unmap(slot, maps[2 * k], BlkSlots.len(lenDir), DIRECTIONS[BlkSlots.dir(lenDir)]);
    }
  }

  // ---- completion: the interrupt handler ----------------------------------------------------------

  void onIrq(int q, long t) {
    Virtqueue vq = m.queues[q];
    if (vq.irqRunning) return; // the running handler's re-check picks the new entries up
    handler(vq, t, true);
  }

  void onIrqRecheck(int q, long t) {
    Virtqueue vq = m.queues[q];
    vq.irqRunning = false;
    if (!vq.driver.enableCb(m.mem)) handler(vq, t, false); // more used entries arrived: go round again (virtblk_done)
  }

  /** virtblk_done: reclaim every used chain under the queue lock, then submit what waits on this CPU. */
  private void handler(Virtqueue vq, long t, boolean interrupted) {
    int c = vq.irqCpu;
    m.tl.begin(m.vcpus[c], t);
    vq.irqRunning = true;
    DriverQueue driver = vq.driver;
    driver.disableCb(m.mem);
    boolean first = true;
    int tok;
    BlkSlots s = m.slots;
    while ((tok = driver.getBuf(m.mem)) != DriverQueue.NONE) {
      int slot = tok;
      if (first) {
        m.tl.acquire(vq.lock, slot);
        if (interrupted) {
          m.ledger.charge(slot, Actor.VCPU, Category.INTERRUPT, irqGuest);
          m.ledger.count(slot, EventKind.INTERRUPTS, 1);
        }
      }
      first = false;
      m.ledger.charge(slot, Actor.VCPU, Category.RING, guestUsed);
      unmapFrom(slot, s.mapCount(slot));
      s.mapCount(slot, 0);
      if (m.mem.readU8(m.slotPage(slot) + VirtioBlk.STATUS_OFF) != VirtioBlk.VIRTIO_BLK_S_OK) {
        throw new IllegalStateException("request " + s.request(slot) + " completed without an OK status");
      }
      complete(slot, m.tl.nowPs());
    }
    if (!first) m.tl.release(vq.lock);
    if (cpuHead[c] >= 0) submitPending(c);
    long end = m.tl.end();
    m.tl.schedule(end, VirtioBlk.GUEST_RECHECK, vq.index, 0);
  }

  private void complete(int slot, long donePs) {
    BlkSlots s = m.slots;
    int len = s.length(slot);
    int op = s.op(slot);
    if (IoOp.hasData(op)) bytes += len;
    completed++;
    inFlight--;
    lastCompletionPs = Math.max(lastCompletionPs, donePs);
    sink.completed(s.request(slot), op, s.offset(slot), len, s.submitPs(slot) / 1000, donePs / 1000, m.ledger, slot, s.cpu(slot), s.queue(slot));
    int q = s.queue(slot);
    freeTags[q][freeTagCount[q]++] = slot;
    long now = m.tl.nowPs();
    wakeWaiters(q, now);
    // a mapping that failed for want of bounce space may fit now that this request's buffers are unmapped
    for (int c = 0; c < mapStalled.length; c++) if (mapStalled[c]) wake(c, now);
    int g = s.group(slot);
    outstanding[g]--;
    if (!m.config.openLoop()) {
      try {
        fill(g);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The run must end with nothing waiting and nothing in flight. */
  void checkDone() {
    if (pendingTotal != 0 || inFlight != 0 || pendingArrivals != 0) {
      throw new IllegalStateException("replay stalled with " + pendingTotal + " waiting and " + inFlight + " in flight");
    }
  }
}
