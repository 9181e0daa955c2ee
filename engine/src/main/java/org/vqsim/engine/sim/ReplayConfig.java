package org.vqsim.engine.sim;

import org.vqsim.engine.ring.RingIndex;

/**
 * Everything a replay is set up with besides the trace, the strategy and the cost profile.
 * Validated when built, before any replay starts.
 *
 * @param queueSize virtqueue size, 1..32768; QEMU's virtio-blk default is 256 ({@code queue-size}
 *     property). A split ring also needs a power of two ({@code Ring.queueSizeError})
 * @param iodepth requests in flight: a closed loop keeps this many in flight per job — per CPU the
 *     trace names (a {@code generate --numjobs} trace, a capture with CPUs), or over the whole trace when
 *     it names none; an open-loop replay lets at most this many wait on a queue (blk-mq's tags). Never
 *     above {@code queueSize}, as Linux virtio-blk sizes its tag set from the queue
 * @param openLoop submit at the trace's timestamps (true) or keep {@code iodepth} in flight (false)
 * @param eventIdx VIRTIO_F_EVENT_IDX negotiated (Linux and QEMU both offer it)
 * @param indirect VIRTIO_F_INDIRECT_DESC negotiated (Linux and QEMU both offer it)
 * @param backend where the device model runs: QEMU userspace or a vhost worker per queue
 * @param maxSegmentSize the guest's largest scatter-gather segment in bytes (0: no limit besides the strategy's)
 * @param pageContiguity probability that the next page of a request's buffer is physically
 *     contiguous with the previous one (it decides how many segments a large request has)
 * @param guestMemoryBytes guest-physical address space
 * @param seed seeds the page placement; same seed, same results
 * @param vcpus guest vCPUs (possible = present = online CPUs)
 * @param queues virtio-blk request queues ({@code num_queues}); 0: Linux's choice with QEMU's
 *     default device, one per vCPU ({@code init_vq}: min(nr_cpu_ids, num_queues), and QEMU 7.2's
 *     virtio-blk-pci offers one per vCPU)
 * @param iothreads QEMU: 0 runs the device in the main loop under the big QEMU lock; K ≥ 1 gives it K
 *     iothreads, queue i on iothread i mod K (QEMU 9's iothread-vq-mapping; K = 1 is 7.2's iothread).
 *     Unused with the vhost backend (one worker per queue)
 */
public record ReplayConfig(
    int queueSize,
    int iodepth,
    boolean openLoop,
    boolean eventIdx,
    boolean indirect,
    Backend backend,
    int maxSegmentSize,
    double pageContiguity,
    long guestMemoryBytes,
    long seed,
    int vcpus,
    int queues,
    int iothreads) {

  public static final int DEFAULT_QUEUE_SIZE = 256;
  /**
   * Fitted on the intel-iommu lab traces only (samples/qemu-lab, Linux 6.1, dd with O_DIRECT): a
   * request's data segments are its mapped buffers minus the header, status and indirect table,
   * and p = 1 − (segments − 1)/(pages − 1) was 0.467, 0.400 and 0.200 for the 64 KiB reads
   * (viommu-strict, viommu-strict-bounce, bounce) and 0.645, 0.613 and 0.742 for the 128 KiB writes:
   * their mean, 0.51, is the default. The virtio-iommu lab, which the fit never saw, checks it
   * (samples/README.md shows the counts of both).
   */
  public static final double DEFAULT_PAGE_CONTIGUITY = 0.51;
  public static final long DEFAULT_GUEST_MEMORY = 4L << 30;
  /** Most vCPUs a replay models (a limit of the model's arrays, not of Linux). */
  public static final int MAX_VCPUS = 1024;
  /** QEMU's VIRTIO_QUEUE_MAX: the most queues a virtio device has. */
  public static final int MAX_QUEUES = 1024;

  public ReplayConfig {
    // the bound every ring layout shares; the layout's own rule (a split ring's power of two) is Ring.queueSizeError, checked when the ring is built
    String err = RingIndex.packedQueueSizeError(queueSize);
    if (err != null) throw new IllegalArgumentException(err);
    if (iodepth < 1) throw new IllegalArgumentException("iodepth must be at least 1, not " + iodepth);
    if (iodepth > queueSize) {
      throw new IllegalArgumentException("iodepth " + iodepth + " is above the queue size " + queueSize
          + ": Linux virtio-blk never has more requests in flight on a queue than it has entries (raise --queue-size)");
    }
    if (maxSegmentSize < 0) throw new IllegalArgumentException("max segment size must be ≥ 0 (0 = no limit)");
    if (!(pageContiguity >= 0 && pageContiguity <= 1)) throw new IllegalArgumentException("page contiguity must be within 0..1, not " + pageContiguity);
    if (guestMemoryBytes < (64L << 20)) throw new IllegalArgumentException("guest memory must be at least 64 MiB");
    if ((guestMemoryBytes & 4095) != 0) throw new IllegalArgumentException("guest memory must be a multiple of 4 KiB, not " + guestMemoryBytes);
    if (backend == null) throw new IllegalArgumentException("backend missing");
    if (vcpus < 1 || vcpus > MAX_VCPUS) throw new IllegalArgumentException("vCPUs must be within 1.." + MAX_VCPUS + ", not " + vcpus);
    if (queues < 0 || queues > MAX_QUEUES) throw new IllegalArgumentException("queues must be within 1.." + MAX_QUEUES + " (0: one per vCPU), not " + queues);
    if (queues > vcpus) {
      throw new IllegalArgumentException(queues + " queues for " + vcpus + " vCPUs: Linux virtio-blk uses at most one queue per possible CPU "
          + "(init_vq: min(nr_cpu_ids, num_queues)); give --vcpus " + queues + " or fewer queues");
    }
    if (iothreads < 0 || iothreads > MAX_QUEUES) throw new IllegalArgumentException("iothreads must be within 0.." + MAX_QUEUES + ", not " + iothreads);
  }

  public static ReplayConfig defaults() {
    return new ReplayConfig(DEFAULT_QUEUE_SIZE, 1, false, true, true, Backend.QEMU, 0, DEFAULT_PAGE_CONTIGUITY, DEFAULT_GUEST_MEMORY, 1, 1, 0, 0);
  }

  /** The queues the device has: the option, or one per vCPU. */
  public int queueCount() {
    return queues > 0 ? queues : vcpus;
  }

  public ReplayConfig withIodepth(int d) {
    return new ReplayConfig(queueSize, d, openLoop, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  public ReplayConfig withQueueSize(int q) {
    return new ReplayConfig(q, iodepth, openLoop, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  public ReplayConfig withFeatures(boolean eventIdx, boolean indirect) {
    return new ReplayConfig(queueSize, iodepth, openLoop, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  public ReplayConfig withOpenLoop(boolean open) {
    return new ReplayConfig(queueSize, iodepth, open, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  public ReplayConfig withBackend(Backend b) {
    return new ReplayConfig(queueSize, iodepth, openLoop, eventIdx, indirect, b, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  public ReplayConfig withSeed(long s) {
    return new ReplayConfig(queueSize, iodepth, openLoop, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, s, vcpus, queues, iothreads);
  }

  public ReplayConfig withSegments(int maxSegment, double contiguity) {
    return new ReplayConfig(queueSize, iodepth, openLoop, eventIdx, indirect, backend, maxSegment, contiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }

  /** The guest's vCPUs and virtio-blk queues, and QEMU's iothreads. */
  public ReplayConfig withTopology(int vcpus, int queues, int iothreads) {
    return new ReplayConfig(queueSize, iodepth, openLoop, eventIdx, indirect, backend, maxSegmentSize, pageContiguity, guestMemoryBytes, seed, vcpus, queues, iothreads);
  }
}
