package org.vqsim.engine.device.blk;

import java.io.IOException;
import java.util.List;
import org.vqsim.engine.cost.CostFigure;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.cost.CycleLedger;
import org.vqsim.engine.device.DeviceModel;
import org.vqsim.engine.device.Virtqueue;
import org.vqsim.engine.dma.DmaStrategy;
import org.vqsim.engine.memory.GuestMemory;
import org.vqsim.engine.ring.Chain;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.CompletionSink;
import org.vqsim.engine.sim.Lock;
import org.vqsim.engine.sim.ModelException;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.sim.RequestSource;
import org.vqsim.engine.sim.RunResult;
import org.vqsim.engine.sim.Server;
import org.vqsim.engine.sim.Timeline;
import org.vqsim.engine.sim.Vmm;

/**
 * virtio-blk (virtio 1.2 §5.2) with Linux 6.1's driver: the guest side ({@link BlkDriver}: blk-mq's
 * queues and tags, the per-queue lock, submission and the interrupt handler) and the host side
 * ({@link BlkDevice}: QEMU's or a vhost worker's handling of each queue, the storage backend), over
 * one virtqueue per queue in guest memory, on the timeline.
 *
 * <p>Guest-physical layout: the rings from 1 MiB, one after another; one page per request slot
 * (header, status, indirect table) from the next 2 MiB boundary; data pages from 256 MiB to half of
 * guest memory (placed, not stored); the strategy's own structures (swiotlb pool, virtio-iommu queue)
 * above.
 */
public final class VirtioBlk implements DeviceModel {
  // event types
  static final int ARRIVAL = 0, SUBMIT = 1, DEVICE_KICK = 2, DEVICE_RECHECK = 3, BACKEND_DONE = 4, GUEST_IRQ = 5, GUEST_RECHECK = 6;

  // virtio 1.2 §5.2.6: request types and status
  static final int VIRTIO_BLK_T_IN = 0, VIRTIO_BLK_T_OUT = 1, VIRTIO_BLK_T_FLUSH = 4, VIRTIO_BLK_T_DISCARD = 11;
  static final int VIRTIO_BLK_S_OK = 0;
  static final int HEADER_BYTES = 16, DISCARD_SEGMENT_BYTES = 16, SECTOR = 512;
  static final int HDR_OFF = 0x100, STATUS_OFF = 0x110, DISCARD_OFF = 0x200, TABLE_OFF = 0x400;
  private static final long RING_BASE = 0x10_0000L; // 1 MiB
  private static final long MIN_DATA_BASE = 256L << 20;

  final ReplayConfig config;
  final CostProfile profile;
  final Timeline tl;
  final CycleLedger ledger;
  final GuestMemory mem;
  final DmaStrategy dma;
  final Vmm vmm;
  final QueueMap map;
  final Virtqueue[] queues;
  final Server[] vcpus;
  final BlkSlots slots;
  final int[][] headToSlot;
  final long slotPageBase;
  final int slotPageBytes;
  final int maxDataSegments;
  final long maxSegment;
  final PagePlacer placer;
  final Chain chain;
  final Chain popped;
  /** mq-deadline's lock: the default scheduler of a single-queue device (block/elevator.c elevator_get_default); null with several queues ("none"). */
  final Lock schedLock;
  final String strategyId;

  private final BlkDriver driver;
  private final BlkDevice device;

  /**
   * @param reservedBase where the strategy's structures start (half of guest memory); data pages lie below it
   */
  public VirtioBlk(String strategyId, ReplayConfig config, CostProfile profile, Timeline tl, GuestMemory mem, DmaStrategy dma, Vmm vmm, Ring ring,
      long reservedBase, RequestSource source, CompletionSink sink) {
    this.strategyId = strategyId;
    this.config = config;
    this.profile = profile;
    this.tl = tl;
    this.ledger = tl.ledger();
    this.mem = mem;
    this.dma = dma;
    this.vmm = vmm;
    int nq = config.queueCount();
    this.map = new QueueMap(config.vcpus(), nq);
    int q = config.queueSize();
    // QEMU virtio-blk: seg_max = queue_size - 2 (header and status take the other two)
    this.maxDataSegments = q - 2 < 1 ? 1 : q - 2;
    long strategyMax = dma.maxMappingSize();
    this.maxSegment = config.maxSegmentSize() > 0 ? Math.min(config.maxSegmentSize(), strategyMax) : Math.min(strategyMax, Integer.MAX_VALUE);
    this.slotPageBytes = align(TABLE_OFF + (maxDataSegments + 2) * 16, 4096);

    this.vcpus = new Server[config.vcpus()];
    for (int c = 0; c < vcpus.length; c++) vcpus[c] = new Server(Server.Kind.VCPU, c, "vcpu-" + c);
    this.queues = new Virtqueue[nq];
    long base = RING_BASE;
    for (int i = 0; i < nq; i++) {
      queues[i] = new Virtqueue(i, ring, mem, q, base, config.eventIdx(), config.indirect(), dma, tl, vmm.threadOf(i), map.irqCpu(i));
      base = align(queues[i].end, 4096);
    }
    int tags = tagsPerQueue(config);
    this.slots = new BlkSlots(nq, tags);
    this.headToSlot = new int[nq][q];
    this.slotPageBase = align(base, 2L << 20);
    long slotEnd = slotPageBase + (long) slots.count() * slotPageBytes;
    long dataBase = Math.max(MIN_DATA_BASE, align(slotEnd, 2L << 20));
    if (reservedBase - dataBase < (64L << 20)) {
      throw new ModelException(nq + " queues of " + q + " entries need " + (slotEnd >> 20) + " MiB of request pages: guest memory of "
          + (config.guestMemoryBytes() >> 20) + " MiB leaves too little for data (the model keeps data pages below its upper half)");
    }
    int pageSize = (int) profile.get(CostFigure.PAGE_SIZE);
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1) throw new IllegalArgumentException("profile page_size must be a power of two ≥ 512");
    this.placer = new PagePlacer(dataBase, reservedBase, pageSize, config.pageContiguity(), config.seed());
    mem.setUntracked(dataBase, reservedBase); // data pages are placed, their bytes not kept
    int maxMaps = maxDataSegments + 3;
    this.chain = new Chain(maxMaps);
    this.popped = new Chain(maxMaps);
    this.schedLock = nq == 1 ? tl.lock("mq_deadline", Lock.Kind.SPIN, 0) : null;
    this.driver = new BlkDriver(this, source, sink);
    this.device = new BlkDevice(this);
  }

  /**
   * blk-mq's tags per queue: the queue's free descriptors, halved without indirect descriptors
   * (virtio_blk.c 940–946); an open-loop replay lets at most {@code iodepth} wait on a queue.
   */
  public static int tagsPerQueue(ReplayConfig config) {
    int tags = config.indirect() ? config.queueSize() : Math.max(1, config.queueSize() / 2);
    return config.openLoop() ? Math.min(tags, config.iodepth()) : tags;
  }

  static long align(long v, long a) {
    return (v + a - 1) / a * a;
  }

  private static int align(int v, int a) {
    return (v + a - 1) / a * a;
  }

  /** The page of request slot {@code slot} in guest memory. */
  long slotPage(int slot) {
    return slotPageBase + (long) slot * slotPageBytes;
  }

  BlkDriver driver() { return driver; }

  BlkDevice device() { return device; }

  public Virtqueue[] queues() { return queues; }

  public QueueMap queueMap() { return map; }

  @Override
  public void start() throws IOException {
    driver.start();
  }

  @Override
  public void handle(int type, long t, int a, int b) throws IOException {
    switch (type) {
      case ARRIVAL -> driver.onArrival(t);
      case SUBMIT -> driver.onSubmit(a, t);
      case GUEST_IRQ -> driver.onIrq(a, t);
      case GUEST_RECHECK -> driver.onIrqRecheck(a, t);
      case DEVICE_KICK -> device.onKick(a, b, t);
      case DEVICE_RECHECK -> device.onRecheck(a, t);
      case BACKEND_DONE -> device.onBackendDone(a, t);
      default -> throw new IllegalStateException("unknown event " + type);
    }
  }

  @Override
  public RunResult finish() {
    driver.checkDone();
    long start = driver.firstSubmitPs < 0 ? 0 : driver.firstSubmitPs;
    long simNs = (driver.lastCompletionPs - start) / 1000;
    long[] vcpuBusy = new long[vcpus.length];
    for (int c = 0; c < vcpus.length; c++) vcpuBusy[c] = vcpus[c].busyPs() / 1000;
    Server[] threads = vmm.threads();
    long[] vmmBusy = new long[threads.length];
    for (int i = 0; i < threads.length; i++) vmmBusy[i] = threads[i].busyPs() / 1000;
    List<RunResult.LockRow> locks = RunResult.lockRows(tl.locks());
    return new RunResult(driver.completed, driver.bytes, simNs, ledger, driver.kicks, driver.kicksSuppressed, device.interrupts, driver.ringFullStalls,
        driver.mapStalls, driver.maxInFlight, vcpuBusy, vmmBusy, config.vcpus(), queues.length, locks);
  }

  /** Requests completed so far (for tests that watch a replay). */
  public long completed() { return driver.completed; }
}
