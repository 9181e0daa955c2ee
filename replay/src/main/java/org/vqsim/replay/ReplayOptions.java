package org.vqsim.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vqsim.engine.cost.CostProfile;
import org.vqsim.engine.dma.DmaOptions;
import org.vqsim.engine.dma.StrategyId;
import org.vqsim.engine.ring.Ring;
import org.vqsim.engine.sim.Backend;
import org.vqsim.engine.sim.ReplayConfig;
import org.vqsim.engine.util.Names;
import picocli.CommandLine.Option;

/** The model options shared by every command that replays (replay, demo, fleet, and later sweep). */
final class ReplayOptions {
  static final List<String> RINGS = Ring.ids();

  @Option(names = "--iodepth", paramLabel = "N", description = "Requests in flight (closed loop), or the in-flight limit (open loop). Default: the trace's own (generate --iodepth), else 1.")
  Integer iodepth;

  @Option(names = "--queue-size", defaultValue = "256", paramLabel = "N", description = "Virtqueue size up to 32768, a power of two for the split ring, any size for the packed ring (default: ${DEFAULT-VALUE}, QEMU's virtio-blk default).")
  int queueSize;

  @Option(names = "--arrival", paramLabel = "closed|open|captured", description = "closed: keep --iodepth requests in flight; open: submit at the trace's timestamps; "
      + "captured: at the trace's timestamps with at most as many in flight as the capture had. Default: the trace's own; captured for a capture with completion times; else closed.")
  String arrival;

  @Option(names = "--ring", defaultValue = "split", paramLabel = "split|packed",
      description = "Virtqueue layout: split (virtio 1.2 §2.7) or packed (VIRTIO_F_RING_PACKED, §2.8) (default: ${DEFAULT-VALUE}).")
  String ring;

  @Option(names = "--backend", defaultValue = "qemu", paramLabel = "qemu|vhost", description = "Device model in QEMU userspace or vhost (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--no-event-idx", description = "Do not negotiate VIRTIO_F_EVENT_IDX (notification suppression by flags only).")
  boolean noEventIdx;

  @Option(names = "--no-indirect", description = "Do not negotiate VIRTIO_F_INDIRECT_DESC (one ring descriptor per buffer).")
  boolean noIndirect;

  @Option(names = "--page-contiguity", paramLabel = "P", description = "Probability that a buffer's next page is physically contiguous (default: "
      + ReplayConfig.DEFAULT_PAGE_CONTIGUITY + ", measured on the lab traces).")
  Double pageContiguity;

  @Option(names = "--seed", defaultValue = "1", description = "Seed for page placement (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--swiotlb-pool", defaultValue = "64m", paramLabel = "SIZE", description = "swiotlb bounce pool size, 256k..1g (default: ${DEFAULT-VALUE}, Linux's IO_TLB_DEFAULT_SIZE).")
  String swiotlbPool;

  @Option(names = "--swiotlb-areas", paramLabel = "N", description = "swiotlb areas, a power of two (default: Linux's, the vCPUs rounded up to a power of two).")
  Integer swiotlbAreas;

  @Option(names = "--vcpus", paramLabel = "N", description = "Guest vCPUs (default: the CPUs the trace names, else 1).")
  Integer vcpus;

  @Option(names = "--queues", paramLabel = "N", description = "virtio-blk queues, at most one per vCPU (default: one per vCPU, as QEMU offers and Linux takes).")
  Integer queues;

  @Option(names = "--iothreads", defaultValue = "0", paramLabel = "K", description = "QEMU: 0 runs the device in the main loop under the big QEMU lock; K iothreads serve queue i on iothread i mod K (default: ${DEFAULT-VALUE}; ignored with --backend vhost: one worker per queue).")
  int iothreads;

  @Option(names = "--tce-pools", paramLabel = "1|4", description = "POWER: small TCE pools of the default window (default: Linux's rule, 4 for QEMU's 1 GiB window).")
  Integer tcePools;

  @Option(names = "--iotlb-entries", paramLabel = "N", description = "Device-side IOTLB capacity (default: the profile's iotlb_entries).")
  Integer iotlbEntries;

  @Option(names = "--viommu-batching", description = "Model a host where Linux may batch vIOMMU invalidations (viommu-lazy gets a flush queue). Linux 6.1 refuses it under caching mode.")
  boolean viommuBatching;

  @Option(names = "--guest-kernel", defaultValue = "6.1", paramLabel = "X.Y", description = "Guest Linux version: virtio-iommu-lazy has a flush queue from 6.8 (default: ${DEFAULT-VALUE}).")
  String guestKernel;

  @Option(names = "--hcall-mode", defaultValue = "virtual", paramLabel = "real|virtual", description = "POWER: hypercalls handled in KVM real mode or virtual mode (default: ${DEFAULT-VALUE}).")
  String hcallMode;

  @Option(names = "--net-features", paramLabel = "LIST", description = "Network traces: virtio-net features turned off (-NAME) or on (NAME) from QEMU's default set, "
      + "e.g. -MRG_RXBUF or -CSUM,-GUEST_CSUM,-HOST_TSO4,-HOST_TSO6,-GUEST_TSO4,-GUEST_TSO6 (names: virtio 1.2 §5.1.3).")
  String netFeatures;

  @Option(names = "--guest-mac", paramLabel = "MAC", description = "pcap/pcapng captures: the guest's MAC address (frames from it are transmitted, to it received).")
  String guestMac;

  @Option(names = "--guest-ip", paramLabel = "IPV4", description = "pcap/pcapng captures: the guest's IPv4 address, instead of --guest-mac.")
  String guestIp;

  /** Checks --guest-mac and --guest-ip (an IllegalArgumentException names the bad one). */
  void checkGuestSide() {
    if (guestMac != null) org.vqsim.capture.net.PcapReader.parseMac(guestMac);
    if (guestIp != null) org.vqsim.capture.net.PcapReader.parseIp(guestIp);
  }

  /** Checks --guest-mac and --guest-ip and adds the ones given to {@code options} (a network run's recorded options). */
  void putGuestSide(Map<String, String> options) {
    checkGuestSide();
    if (guestMac != null) options.put("guest-mac", guestMac);
    if (guestIp != null) options.put("guest-ip", guestIp);
  }

  DmaOptions dmaOptions() {
    if (!hcallMode.equals("real") && !hcallMode.equals("virtual")) throw new IllegalArgumentException("--hcall-mode must be real or virtual, not '" + hcallMode + "'");
    long pool = org.vqsim.capture.Sizes.parse(swiotlbPool);
    if (iotlbEntries != null && iotlbEntries < 1) throw new IllegalArgumentException("--iotlb-entries must be at least 1, not " + iotlbEntries);
    if (swiotlbAreas != null && swiotlbAreas < 1) throw new IllegalArgumentException("--swiotlb-areas must be a power of two ≥ 1, not " + swiotlbAreas);
    if (tcePools != null && tcePools != 1 && tcePools != 4) throw new IllegalArgumentException("--tce-pools must be 1 or 4, not " + tcePools);
    return new DmaOptions(pool, swiotlbAreas == null ? 0 : swiotlbAreas, iotlbEntries == null ? 0 : iotlbEntries, viommuBatching, DmaOptions.parseKernel(guestKernel),
        hcallMode.equals("real"), tcePools == null ? 0 : tcePools);
  }

  ReplayConfig baseConfig() {
    if (!RINGS.contains(ring)) throw new IllegalArgumentException("unknown ring '" + ring + "'" + Names.didYouMean(ring, RINGS) + "; known: " + String.join(", ", RINGS));
    String sizeErr = Ring.of(ring).queueSizeError(queueSize);
    if (sizeErr != null) throw new IllegalArgumentException(sizeErr + (Ring.of(ring) == Ring.SPLIT ? "; --ring packed takes any size" : ""));
    if (arrival != null && !arrival.equals("open") && !arrival.equals("closed") && !arrival.equals(ReplayRunner.ARRIVAL_CAPTURED)) {
      throw new IllegalArgumentException("--arrival must be closed, open or captured, not '" + arrival + "'");
    }
    if (iodepth != null && iodepth < 1) throw new IllegalArgumentException("--iodepth must be at least 1, not " + iodepth);
    if (vcpus != null && vcpus < 1) throw new IllegalArgumentException("--vcpus must be at least 1, not " + vcpus);
    if (queues != null && queues < 1) throw new IllegalArgumentException("--queues must be at least 1, not " + queues);
    Backend b = Backend.of(backend);
    ReplayConfig d = ReplayConfig.defaults();
    int v = vcpus != null ? vcpus : queues != null ? queues : 1; // without --vcpus the trace decides (ReplayRunner.applyTraceDefaults)
    return new ReplayConfig(queueSize, iodepth == null ? 1 : iodepth, false, !noEventIdx, !noIndirect, b,
        d.maxSegmentSize(), pageContiguity == null ? d.pageContiguity() : pageContiguity, d.guestMemoryBytes(), seed, v, queues == null ? 0 : queues, iothreads);
  }

  /** The options as recorded in result metadata (no output paths, so identical runs give identical bytes). */
  Map<String, String> describe(ReplayConfig c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("iodepth", Integer.toString(c.iodepth()));
    m.put("queue-size", Integer.toString(c.queueSize()));
    m.put("arrival", c.openLoop() ? "open" : "closed");
    m.put("ring", ring);
    m.put("backend", c.backend().id);
    m.put("event-idx", Boolean.toString(c.eventIdx()));
    m.put("indirect", Boolean.toString(c.indirect()));
    m.put("page-contiguity", Double.toString(c.pageContiguity()));
    m.put("seed", Long.toString(c.seed()));
    m.put("vcpus", Integer.toString(c.vcpus()));
    m.put("queues", Integer.toString(c.queueCount()));
    m.put("iothreads", Integer.toString(c.iothreads()));
    DmaOptions d = dmaOptions();
    m.put("swiotlb-pool", Long.toString(d.swiotlbPoolBytes()));
    m.put("swiotlb-areas", Integer.toString(d.areasFor(c.vcpus())));
    m.put("tce-pools", d.tcePools() == 0 ? "auto" : Integer.toString(d.tcePools()));
    m.put("iotlb-entries", d.iotlbEntries() == 0 ? "profile" : Integer.toString(d.iotlbEntries()));
    m.put("viommu-batching", Boolean.toString(d.viommuBatching()));
    m.put("guest-kernel", guestKernel);
    m.put("hcall-mode", hcallMode);
    return m;
  }
}
