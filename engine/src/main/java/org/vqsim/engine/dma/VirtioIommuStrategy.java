package org.vqsim.engine.dma;

import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.cost.EventKind;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.ring.DriverQueue;
import org.vqsim.engine.ring.RingLayout;
import org.vqsim.engine.ring.SplitDeviceQueue;
import org.vqsim.engine.ring.SplitDriverQueue;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.Timeline;

/**
 * virtio-iommu (Linux 6.1 {@code drivers/iommu/virtio-iommu.c}, QEMU {@code hw/virtio/virtio-iommu.c}).
 *
 * <p>Every map and unmap is a request on the virtio-iommu request virtqueue, modelled with the
 * same ring code as the block device, in guest memory: the driver writes a {@code
 * virtio_iommu_req_map} / {@code _unmap} (out) and a 4-byte tail (in), adds the chain, kicks, and
 * spins on {@code get_buf} until QEMU has applied it ({@code viommu_send_req_sync}). The device pops
 * the request, reads it from guest memory, updates its own mapping tree, writes the status and
 * returns the buffer. The queue has no interrupt (the driver polls).
 *
 * <p>A map or unmap is sent as Linux 6.1's IOMMU core splits it ({@link #chunkBytes}): {@code
 * __iommu_map} calls {@code viommu_map_pages} once per {@code iommu_pgsize} chunk (page size ×
 * count), and each call sends one MAP synchronously ({@code viommu_add_mapping} + {@code
 * viommu_send_req_sync}; {@code map_pages} since 7e62edd7a33a, Linux 6.0); {@code __iommu_unmap}
 * chunks the IOVA alone, {@code viommu_unmap_pages} removes every mapping that starts in its chunk,
 * whole ({@code viommu_del_mappings}: "Virtio-iommu doesn't allow UNMAP to split a mapping created
 * with a single MAP request, so remove the full mapping"), queues one UNMAP for all it removed
 * ({@code viommu_add_req}) and the loop goes on after it, and {@code iommu_iotlb_sync} kicks once
 * ({@code viommu_iotlb_sync}). So an unmap sends at most one UNMAP per MAP chunk and never one that
 * finds nothing. The rule reproduces every {@code virtio_iommu_map}/{@code _unmap} range of the net
 * lab's strict runs from their guests' {@code iommu:map}/{@code unmap} events (docs/NET-NOTES.md);
 * the block lab's maps are single pages and never split. Each MAP is charged a whole round trip
 * ({@code virtio_iommu_req_cycles}, measured on the block lab where a map is one request); an unmap's
 * guest side is charged once, its queued UNMAPs are answered in the one pass its kick starts.
 * {@code invalidations} counts the UNMAP requests (QEMU's {@code virtio_iommu_unmap}, as the block
 * validation counts them); {@link #mapRequests} counts the MAPs.
 *
 * <ul>
 *   <li>strict: every MAP synchronous, an unmap's UNMAPs kicked once;
 *   <li>lazy: from Linux 6.8 (commit 6f01a732608f "iommu/virtio: Add ops->flush_iotlb_all and enable deferred flush") an unmap is queued without a kick and the IOVA waits in a flush queue
 *       (256 entries, 10 ms); the next synchronous request carries the queued ones. Linux 6.1
 *       cannot allocate a flush-queue domain for virtio-iommu and falls back to strict — the guest
 *       kernel version is a model parameter;
 *   <li>map, every guest kernel: Linux 6.8 also added {@code iotlb_sync_map} (00271ca5cbcd), which adds the MAP
 *       without a kick in {@code viommu_map_pages} and syncs in {@code iommu_map}: one round trip per {@code
 *       iommu_map}, however many chunks it was split into (6.1: one per chunk). virtio_ring maps each buffer with its own {@code dma_map_page}, so a virtio-blk request still
 *       pays one synchronous MAP per buffer, as on 6.1; batching a request's MAPs into one sync needs a device
 *       that maps with {@code dma_map_sg} (NVMe), which is not modelled;
 *   <li>identity: an identity domain on a device without {@code VIRTIO_IOMMU_F_BYPASS_CONFIG}: the driver
 *       fills the domain with 1:1 MAP requests once, at attach ({@code viommu_domain_map_identity}, commit
 *       "iommu/virtio: Support identity-mapped domains", Linux 5.17), so there are no per-I/O requests, but QEMU
 *       still translates every access through its mapping tree under its mutex;
 *   <li>bypass: an identity domain attached with {@code VIRTIO_IOMMU_ATTACH_F_BYPASS}
 *       ({@code VIRTIO_IOMMU_F_BYPASS_CONFIG}): dma-direct in the guest, QEMU switches the device
 *       to the untranslated address space — no map, unmap or translation.
 * </ul>
 *
 * Device-side translation looks the address up in QEMU's mapping tree on every access (no IOTLB):
 * one charge per page of each buffer, indirect table and ring access the device makes (the identity
 * mode too), {@code virtio_iommu_translate_cycles} when the profile gives it (measured from a lab's
 * {@code virtio_iommu_translate} → {@code _translate_out} spans, scaled to the translations the model
 * charges: docs/CALIBRATION.md, virtio-iommu translations), else {@code iotlb_hit_cycles}; IOMMU,
 * TRANSLATE, under the device mutex.
 *
 * <p>Cost of one synchronous request. Without {@code virtio_iommu_notify_cycles} in the profile
 * (x86-kvm, power9-kvm): the guest's {@code virtio_iommu_req_cycles}, the ring figures of the request
 * queue (two descriptors, a publish, QEMU's pop, two descriptor reads and used push, the guest's used
 * read), {@code kick_exit_cycles} and {@code kick_handler_cycles_qemu}. With it (a profile measured from
 * a lab's timestamps: docs/CALIBRATION.md, virtio-iommu requests), three measured spans and nothing
 * else, so that no piece is counted twice:
 *
 * <ul>
 *   <li>{@code virtio_iommu_notify_cycles} (IOMMU, NOTIFY, under the big lock): QEMU's {@code
 *       virtio_queue_notify} → {@code virtqueue_pop}, the dispatch to the handler and the pop;
 *   <li>{@code virtio_iommu_req_qemu_cycles} (IOMMU, MAP/UNMAP, under the device mutex): {@code
 *       virtqueue_pop} → {@code virtqueue_flush}, the request's handling, fill and flush;
 *   <li>{@code virtio_iommu_req_cycles} (VCPU, MAP/UNMAP): the rest of a guest map→map interval, the
 *       request queue's ring work and the vCPU's notification exit and return included. It is charged
 *       where the guest-side figure always was, before the request lock is taken, so with several
 *       vCPUs the lock is held for QEMU's part only (the traces do not tell how much of the guest's
 *       side is under the lock).
 * </ul>
 *
 * A request popped in the same pass as an earlier one (lazy's queued UNMAPs) is charged its
 * pop→flush only: the strict runs time no pop without a notification before it.
 *
 * <p>Locks (Linux 6.1 + QEMU 7.2):
 *
 * <ul>
 *   <li>{@code virtio_iommu.request_lock}: one spinlock for the whole guest, held with interrupts off
 *       across adding a request, the kick and the busy-poll until every queued request is answered
 *       ({@code viommu_send_req_sync}, virtio-iommu.c lines 288–304; {@code __viommu_sync_req}, lines
 *       154–185) — every vCPU that maps or unmaps waits for every other's round trip;
 *   <li>{@code qemu.bql}: the kick is handled in the vCPU thread under the big lock ({@code
 *       virtio_queue_notify} → {@code handle_output}): in the TCG lab's QEMU 7.2 logs
 *       (samples/qemu-lab-virtio-iommu, samples/qemu-lab-net) the request queue's {@code
 *       virtio_queue_notify}, {@code virtqueue_pop}, {@code virtio_iommu_map}/{@code _unmap} and
 *       {@code virtqueue_flush} carry the thread id of the vCPU (the one that writes the device status
 *       at probe), not the main loop's, which handles virtio-blk's notifications through its
 *       ioeventfd. The reason is not that virtio-iommu-pci lacks ioeventfd: QEMU 7.2's {@code
 *       virtio_pci_realize} (hw/virtio/virtio-pci.c) clears {@code VIRTIO_PCI_FLAG_USE_IOEVENTFD} only
 *       under KVM without many ioeventfds, and hw/virtio/virtio-iommu-pci.c does not clear it; why the
 *       notification stays synchronous was not established from the source;
 *   <li>{@code virtio_iommu.mutex}: QEMU's device mutex (a recursive one), around each request's
 *       processing ({@code virtio_iommu_handle_command}, lines 757–786) and around every translation
 *       ({@code virtio_iommu_translate}, lines 874–962: a tree lookup, no IOTLB);
 *   <li>the IOVA allocator's per-CPU caches, depot lock and rbtree lock ({@link IovaAllocator}).
 * </ul>
 */
public final class VirtioIommuStrategy implements DmaStrategy {
  public enum Mode { STRICT, LAZY, BYPASS, IDENTITY }

  private static final int PAGE_SHIFT = 12;
  private static final long PAGE_MASK = (1L << PAGE_SHIFT) - 1;
  private static final int QUEUE_SIZE = 256; // QEMU VIOMMU_DEFAULT_QUEUE_SIZE
  private static final int T_MAP = 3, T_UNMAP = 4;
  private static final int MAP_F_READ = 1, MAP_F_WRITE = 2;
  private static final int REQ_BYTES = 36, TAIL_BYTES = 4, REQ_STRIDE = 64;
  private static final long DMA_32BIT_LIMIT = 1L << 32;

  private final String id;
  private final Mode mode;
  private final boolean lazy, syncMap;
  private final CycleLedger ledger;
  private final GuestMemory mem;
  private final Timeline tl;
  private final SwiotlbBouncer bouncer;
  private final IovaAllocator iovas;
  private final Lock requestLock, bql, mutex;
  private final PageTable guestMappings = new PageTable(); // the driver's interval tree
  private final PageTable deviceMappings = new PageTable(); // QEMU's mapping tree
  private final SplitDriverQueue reqDriver;
  private final SplitDeviceQueue reqDevice;
  private final Chain chain = new Chain(2);
  private final Chain popped = new Chain(2);
  private final long reqBase;
  private final int[] tokenSlot = new int[QUEUE_SIZE];
  /**
   * The request's figures, chosen once: with virtio_iommu_notify_cycles given, kickHandler is QEMU's
   * measured notify→pop and the figures the measured spans contain are 0 (a charge of 0 is none).
   */
  private final long reqCycles, reqQemuCycles, ringDesc, ringPublish, guestUsed, kickExit, kickHandler, devicePop, deviceDesc, usedPush, lookupCycles;
  private final FlushQueue[] flushQueues;
  private long live, mapRequests;

  VirtioIommuStrategy(String id, Mode mode, boolean bounce, DmaContext ctx) {
    this.id = id;
    this.mode = mode;
    this.lazy = mode == Mode.LAZY && ctx.options().guestKernel() >= DmaOptions.VIRTIO_IOMMU_LAZY_SINCE;
    this.syncMap = ctx.options().guestKernel() >= DmaOptions.VIRTIO_IOMMU_LAZY_SINCE; // 00271ca5cbcd, the same release
    this.ledger = ctx.ledger();
    this.mem = ctx.memory();
    this.tl = ctx.timeline();
    this.iovas = new IovaAllocator(1 << PAGE_SHIFT, DMA_32BIT_LIMIT, ctx);
    this.requestLock = tl.lock("virtio_iommu.request_lock", Lock.Kind.SPIN, 0);
    this.bql = ctx.bql();
    this.mutex = tl.lock("virtio_iommu.mutex", Lock.Kind.MUTEX, 0);
    this.bouncer = bounce ? new SwiotlbBouncer(ctx, ctx.reservedBase()) : null;
    long base = ctx.reservedBase() + ctx.options().swiotlbPoolBytes(); // after the bounce pool
    RingLayout layout = RingLayout.contiguous(QUEUE_SIZE, base, 64);
    this.reqDriver = new SplitDriverQueue(mem, layout, true, false);
    this.reqDevice = new SplitDeviceQueue(layout, true, false);
    this.reqDriver.disableCb(mem); // the request queue has no callback: the driver polls
    this.reqBase = (layout.end() + 4095) & ~4095L;
    var p = ctx.profile();
    reqCycles = p.cycles(CostFigure.VIRTIO_IOMMU_REQ_CYCLES);
    reqQemuCycles = p.cycles(CostFigure.VIRTIO_IOMMU_REQ_QEMU_CYCLES);
    boolean measured = p.isGiven(CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES);
    // only the figures the request is charged with are read (a calibration records what a replay reads);
    // measured: the guest's side (reqCycles) holds the ring work, the exit and the used read, QEMU's
    // notify→pop (kickHandler) the pop and descriptor reads, its pop→flush (reqQemuCycles) the used push
    ringDesc = measured ? 0 : p.cycles(CostFigure.RING_DESC_CYCLES);
    ringPublish = measured ? 0 : p.cycles(CostFigure.RING_PUBLISH_CYCLES);
    guestUsed = measured ? 0 : p.cycles(CostFigure.GUEST_USED_CYCLES);
    kickExit = measured ? 0 : p.cycles(CostFigure.KICK_EXIT_CYCLES);
    kickHandler = p.cycles(measured ? CostFigure.VIRTIO_IOMMU_NOTIFY_CYCLES : CostFigure.KICK_HANDLER_CYCLES_QEMU);
    devicePop = measured ? 0 : p.cycles(CostFigure.DEVICE_POP_CYCLES);
    deviceDesc = measured ? 0 : p.cycles(CostFigure.DEVICE_DESC_CYCLES);
    usedPush = measured ? 0 : p.cycles(CostFigure.USED_PUSH_CYCLES);
    // QEMU's tree lookup per translation: measured (virtio_iommu_translate_cycles) when the profile gives
    // it, else the IOTLB-hit figure, as before
    lookupCycles = p.cycles(p.isGiven(CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES) ? CostFigure.VIRTIO_IOMMU_TRANSLATE_CYCLES : CostFigure.IOTLB_HIT_CYCLES);
    this.flushQueues = new FlushQueue[ctx.vcpus()];
    for (int c = 0; c < flushQueues.length; c++) flushQueues[c] = new FlushQueue(p);
  }

  @Override public String id() { return id; }

  private static long pagesSpanned(long addr, long length) {
    return ((addr & PAGE_MASK) + length + PAGE_MASK) >>> PAGE_SHIFT;
  }

  /**
   * Bytes of the next request {@code __iommu_map} (or {@code __iommu_unmap}, with {@code paddr} =
   * {@code iova}) sends for {@code size} bytes at {@code iova} → {@code paddr}: Linux 6.1 {@code
   * iommu_pgsize()} (drivers/iommu/iommu.c) on a domain whose {@code pgsize_bitmap} holds every power
   * of two from 4 KiB (QEMU 7.2 {@code virtio_iommu_device_realize}: {@code s->config.page_size_mask =
   * TARGET_PAGE_MASK}, x86's 4 KiB page), times the {@code count} it returns for {@code map_pages}:
   * the largest page size that fits the size and that both addresses are aligned to ({@code pgsizes
   * &= GENMASK(__ffs(addr_merge), 0)}), as many of them as fit, "There's no point trying a bigger page
   * size unless the virtual and physical addresses are similarly offset within the larger page"; if
   * they are, only up to the next boundary of that larger size when a whole larger page fits after it
   * ({@code if (offset + pgsize_next <= size) size = offset}). All three arguments are page aligned.
   */
  static long chunkBytes(long iova, long paddr, long size) {
    long addrMerge = iova | paddr;
    int idx = 63 - Long.numberOfLeadingZeros(size);
    if (addrMerge != 0) idx = Math.min(idx, Long.numberOfTrailingZeros(addrMerge));
    long take = size;
    if (idx < 63) {
      long next = 1L << (idx + 1);
      if (((iova ^ paddr) & (next - 1)) == 0) {
        long offset = next - (addrMerge & (next - 1));
        if (offset + next <= size) take = offset;
      }
    }
    return (take >>> idx) << idx;
  }

  /** MAP requests sent so far (one per {@code iommu_pgsize} chunk of every map; set-up's coherent mappings are not sent). */
  public long mapRequests() { return mapRequests; }

  @Override
  public long map(int slot, long paddr, int length, DmaDirection dir) {
    long phys = paddr;
    if (bouncer != null) {
      phys = bouncer.map(slot, paddr, length, dir);
      if (phys == MAPPING_ERROR) return MAPPING_ERROR;
    }
    live++;
    if (mode == Mode.BYPASS || mode == Mode.IDENTITY) return phys;
    long pages = pagesSpanned(phys, length);
    long iova = iovas.alloc(slot, tl.cpu(), pages);
    long iovaPage = iova >>> PAGE_SHIFT, physPage = phys >>> PAGE_SHIFT;
    for (long k = 0; k < pages; k++) guestMappings.put(iovaPage + k, physPage + k);
    int flags = dir == DmaDirection.TO_DEVICE ? MAP_F_READ : dir == DmaDirection.FROM_DEVICE ? MAP_F_WRITE : MAP_F_READ | MAP_F_WRITE;
    long size = pages << PAGE_SHIFT, physStart = physPage << PAGE_SHIFT;
    ledger.count(slot, EventKind.MAPS, 1);
    // __iommu_map: one viommu_map_pages call per iommu_pgsize chunk, each a synchronous MAP (6.1); from
    // 6.8 each is queued and iommu_map's iotlb_sync_map kicks once, after the last (one guest side per map)
    for (long off = 0; off < size;) {
      long chunk = chunkBytes(iova + off, physStart + off, size - off);
      if (!syncMap || off == 0) ledger.charge(slot, Actor.VCPU, Category.MAP, reqCycles);
      mapRequests++;
      send(slot, T_MAP, iova + off, iova + off + chunk - 1, physStart + off, flags, !syncMap || off + chunk == size);
      off += chunk;
    }
    return iova | (phys & PAGE_MASK);
  }

  @Override
  public void unmap(int slot, long dmaAddr, int length, DmaDirection dir) {
    long phys = dmaAddr;
    if (mode != Mode.BYPASS && mode != Mode.IDENTITY) {
      long pages = pagesSpanned(dmaAddr, length);
      long iovaPage = dmaAddr >>> PAGE_SHIFT;
      long physPage = guestMappings.get(iovaPage, -1);
      if (physPage < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "unmap of IOVA 0x%x, which is not mapped", dmaAddr));
      phys = (physPage << PAGE_SHIFT) | (dmaAddr & PAGE_MASK);
      for (long k = 0; k < pages; k++) guestMappings.remove(iovaPage + k);
      ledger.charge(slot, Actor.VCPU, Category.UNMAP, reqCycles);
      ledger.count(slot, EventKind.UNMAPS, 1);
      long iova = iovaPage << PAGE_SHIFT;
      long size = pages << PAGE_SHIFT, physStart = physPage << PAGE_SHIFT;
      // __iommu_unmap: per iommu_pgsize chunk of the IOVA alone, viommu_unmap_pages removes every MAP
      // chunk that starts in it, whole (viommu_del_mappings), and queues one UNMAP for what it removed;
      // strict: iommu_iotlb_sync then kicks once (the last request is sent synchronously)
      long done = 0, mapEnd = 0;
      while (done < size) {
        long chunk = chunkBytes(iova + done, iova + done, size - done);
        while (mapEnd < done + chunk) mapEnd += chunkBytes(iova + mapEnd, physStart + mapEnd, size - mapEnd);
        ledger.count(slot, EventKind.INVALIDATIONS, 1);
        send(slot, T_UNMAP, iova + done, iova + mapEnd - 1, 0, 0, !lazy && mapEnd == size);
        done = mapEnd;
      }
      if (lazy) {
        deferFree(slot, iova, pages);
      } else {
        iovas.free(slot, tl.cpu(), iova, pages);
      }
    }
    if (bouncer != null) bouncer.unmap(slot, phys, length, dir);
    live--; // counted once the unmap succeeded
  }

  private void deferFree(int slot, long iova, long pages) {
    long now = tl.nowPs();
    int cpu = tl.cpu();
    FlushQueue fq = flushQueues[cpu % flushQueues.length];
    if (fq.flushDue(now)) {
      // flush_iotlb_all (6.8): make the queued UNMAPs take effect, then reuse their IOVAs
      tl.acquire(requestLock, slot);
      sync(slot);
      tl.release(requestLock);
      fq.drainTo(iovas, slot, cpu);
    }
    fq.add(iova, pages, now);
  }


  /**
   * Writes one request into guest memory and adds it to the request queue under the request lock;
   * synchronous requests kick and wait before the lock is released (viommu_send_req_sync), the others
   * are added without a kick (viommu_add_req).
   */
  private void send(int slot, int type, long start, long end, long physStart, int flags, boolean synchronous) {
    tl.acquire(requestLock, slot);
    if (reqDriver.numFree() < 2) sync(slot); // __viommu_add_req: -ENOSPC → __viommu_sync_req, then retry
    int head = peekFreeHead();
    long req = reqBase + (long) head * REQ_STRIDE;
    mem.writeU8(req, type);
    mem.writeU32(req + 4, 1); // domain
    mem.writeU64(req + 8, start);
    mem.writeU64(req + 16, end);
    if (type == T_MAP) {
      mem.writeU64(req + 24, physStart);
      mem.writeU32(req + 32, flags);
    }
    long tail = req + 40;
    mem.writeU8(tail, 0xff);
    chain.clear();
    chain.add(req, type == T_MAP ? REQ_BYTES : 24, false);
    chain.add(tail, TAIL_BYTES, true);
    int h = reqDriver.addDirect(mem, chain, head);
    if (h != head) throw new IllegalStateException("virtio-iommu request queue handed out descriptor " + h + ", expected " + head);
    tokenSlot[head] = slot;
    ledger.charge(slot, Actor.VCPU, Category.RING, 2 * ringDesc + ringPublish);
    if (synchronous) sync(slot);
    tl.release(requestLock);
  }

  /** The next head the free list will hand out (requests use the buffer of their head descriptor). */
  private int peekFreeHead() {
    return reqDriver.peekFreeHead();
  }

  /**
   * Kick if needed, let QEMU process everything queued, and collect the answers (__viommu_sync_req,
   * with the request lock held by the caller). QEMU answers inside the kick's MMIO exit, under its big
   * lock, each request under the device mutex.
   */
  private void sync(int slot) {
    boolean kicked = reqDriver.kickPrepare(mem);
    if (kicked) {
      ledger.charge(slot, Actor.VCPU, Category.NOTIFY, kickExit);
      ledger.count(slot, EventKind.EXITS, 1);
      tl.acquire(bql, slot);
      ledger.charge(slot, Actor.IOMMU, Category.NOTIFY, kickHandler);
    }
    while (reqDevice.pop(mem, popped)) {
      int owner = tokenSlot[popped.head];
      long req = popped.addr[0];
      int type = mem.readU8(req);
      long start = mem.readU64(req + 8), end = mem.readU64(req + 16);
      long pages = (end - start + 1) >>> PAGE_SHIFT;
      long firstPage = start >>> PAGE_SHIFT;
      Category cat = type == T_MAP ? Category.MAP : Category.UNMAP;
      ledger.charge(owner, Actor.IOMMU, Category.RING, devicePop + 2 * deviceDesc);
      tl.hold(mutex, owner, Actor.IOMMU, cat, reqQemuCycles);
      if (type == T_MAP) {
        long physPage = mem.readU64(req + 24) >>> PAGE_SHIFT;
        for (long k = 0; k < pages; k++) deviceMappings.put(firstPage + k, physPage + k);
      } else {
        for (long k = 0; k < pages; k++) deviceMappings.remove(firstPage + k);
      }
      mem.writeU8(popped.addr[1], 0); // VIRTIO_IOMMU_S_OK
      reqDevice.fill(mem, popped.head, TAIL_BYTES);
      reqDevice.flush(mem);
      ledger.charge(owner, Actor.IOMMU, Category.RING, usedPush);
    }
    reqDevice.setNotification(mem, true);
    if (kicked) tl.release(bql);
    int tok;
    while ((tok = reqDriver.getBuf(mem)) != DriverQueue.NONE) {
      ledger.charge(tokenSlot[tok], Actor.VCPU, Category.RING, guestUsed);
      if (mem.readU8(reqBase + (long) tok * REQ_STRIDE + 40) != 0) throw new IllegalStateException("virtio-iommu request failed");
    }
  }

  @Override
  public long translate(int slot, long dmaAddr, int length, boolean deviceWrites) {
    if (mode == Mode.BYPASS) return dmaAddr;
    if (mode == Mode.IDENTITY) {
      // the 1:1 mappings made at attach: QEMU still looks every page up in its tree, under its mutex
      long pages = pagesSpanned(dmaAddr, Math.max(1, length));
      for (long k = 0; k < pages; k++) tl.hold(mutex, slot, Actor.IOMMU, Category.TRANSLATE, lookupCycles);
      return dmaAddr;
    }
    long first = dmaAddr >>> PAGE_SHIFT;
    long pages = pagesSpanned(dmaAddr, Math.max(1, length));
    long physFirst = -1;
    for (long k = 0; k < pages; k++) {
      long phys = deviceMappings.get(first + k, -1);
      if (phys < 0) throw new IllegalStateException(String.format(java.util.Locale.ROOT, "virtio-iommu fault: device accessed unmapped IOVA 0x%x", (first + k) << PAGE_SHIFT));
      if (k == 0) physFirst = phys;
      tl.hold(mutex, slot, Actor.IOMMU, Category.TRANSLATE, lookupCycles);
    }
    return (physFirst << PAGE_SHIFT) | (dmaAddr & PAGE_MASK);
  }

  @Override
  public long mapCoherent(long paddr, int length) {
    if (mode == Mode.BYPASS || mode == Mode.IDENTITY) return paddr;
    long pages = pagesSpanned(paddr, length);
    long iova = iovas.alloc(pages); // at set-up: nothing charged
    for (long k = 0; k < pages; k++) {
      guestMappings.put((iova >>> PAGE_SHIFT) + k, (paddr >>> PAGE_SHIFT) + k);
      deviceMappings.put((iova >>> PAGE_SHIFT) + k, (paddr >>> PAGE_SHIFT) + k);
    }
    return iova | (paddr & PAGE_MASK);
  }

  @Override public long maxMappingSize() { return bouncer != null ? SwiotlbPool.MAX_MAPPING : Long.MAX_VALUE; }

  @Override public long liveMappings() { return live; }
}
