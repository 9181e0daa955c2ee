package org.vqsim.engine.cost;

import java.util.HashMap;
import java.util.Map;

/**
 * Every figure a cost profile holds: its key in the profile file, its unit, what it means. A
 * profile must give each one with its source (see {@link CostProfile}).
 */
public enum CostFigure {
  CPU_GHZ("cpu_ghz", "GHz", "clock that turns cycles into time"),
  PAGE_SIZE("page_size", "bytes", "guest page size"),
  IOMMU_PAGE_SIZE("iommu_page_size", "bytes", "IOMMU page size (default TCE window on POWER)"),
  DDW_PAGE_SIZE("ddw_page_size", "bytes", "IOMMU page size of a POWER dynamic DMA window"),
  RING_DESC_CYCLES("ring_desc_cycles", "cycles", "guest writes one split-ring descriptor"),
  RING_PUBLISH_CYCLES("ring_publish_cycles", "cycles", "guest publishes one avail entry and the index, with barrier"),
  GUEST_USED_CYCLES("guest_used_cycles", "cycles", "guest reads one used entry and frees its descriptors"),
  DEVICE_POP_CYCLES("device_pop_cycles", "cycles", "device pops one chain from the avail ring"),
  DEVICE_DESC_CYCLES("device_desc_cycles", "cycles", "device reads and maps one descriptor"),
  DEVICE_REQUEST_CYCLES("device_request_cycles", "cycles", "device model handles one virtio-blk request"),
  USED_PUSH_CYCLES("used_push_cycles", "cycles", "device fills and flushes one used entry"),
  KICK_EXIT_CYCLES("kick_exit_cycles", "cycles", "guest side of a notification exit"),
  KICK_HANDLER_CYCLES_QEMU("kick_handler_cycles_qemu", "cycles", "QEMU userspace handling of a kick"),
  KICK_HANDLER_CYCLES_VHOST("kick_handler_cycles_vhost", "cycles", "vhost worker handling of a kick"),
  IRQ_INJECT_CYCLES("irq_inject_cycles", "cycles", "host injects an interrupt (irqfd)"),
  IRQ_GUEST_CYCLES("irq_guest_cycles", "cycles", "guest takes an interrupt (delivery, entry/exit, EOI)"),
  BACKEND_LATENCY_NS("backend_latency_ns", "ns", "storage backend fixed latency per request"),
  BACKEND_MIB_PER_S("backend_mib_per_s", "MiB/s", "storage backend bandwidth"),
  BACKEND_WRITE_MIB_PER_S("backend_write_mib_per_s", "MiB/s", "storage backend bandwidth for writes (optional: without it, writes use backend_mib_per_s)"),
  BACKEND_SUBMIT_CYCLES("backend_submit_cycles", "cycles", "host submits and completes one I/O on the backing device"),
  BOUNCE_COPY_CYCLES_PER_KIB("bounce_copy_cycles_per_kib", "cycles/KiB", "copy into or out of a swiotlb slot"),
  BOUNCE_ALLOC_CYCLES("bounce_alloc_cycles", "cycles", "swiotlb slot search and allocation per mapping, under the area lock"),
  BOUNCE_RELEASE_CYCLES("bounce_release_cycles", "cycles", "swiotlb slot release per unmap, under the area lock"),
  MQ_DEADLINE_CYCLES("mq_deadline_cycles", "cycles", "mq-deadline insert and dispatch of one request, under its lock (single-queue devices)"),
  IOVA_RBTREE_CYCLES("iova_rbtree_cycles", "cycles", "one IOVA allocated or freed in the rbtree, under iova_rbtree_lock (per-CPU caches missed)"),
  IOVA_DEPOT_CYCLES("iova_depot_cycles", "cycles", "one IOVA magazine swapped with the global depot, under its lock"),
  VIOMMU_MAP_CYCLES("viommu_map_cycles", "cycles", "guest intel-iommu map without the invalidation"),
  VIOMMU_UNMAP_CYCLES("viommu_unmap_cycles", "cycles", "guest intel-iommu unmap without the invalidation"),
  VIOMMU_INV_EXIT_CYCLES("viommu_inv_exit_cycles", "cycles", "guest side of one trapping IOTLB invalidation"),
  VIOMMU_INV_QEMU_CYCLES("viommu_inv_qemu_cycles", "cycles", "QEMU handling of one IOTLB invalidation, besides the IOTLB scan"),
  VIOMMU_INV_SCAN_CYCLES("viommu_inv_scan_cycles", "cycles", "QEMU's scan of its IOTLB for one page-selective invalidation, under its IOMMU lock"),
  IOTLB_HIT_CYCLES("iotlb_hit_cycles", "cycles", "device-side translation that hits the IOTLB cache"),
  IOTLB_WALK_CYCLES("iotlb_walk_cycles", "cycles", "device-side page walk on an IOTLB miss"),
  VHOST_IOTLB_MISS_CYCLES("vhost_iotlb_miss_cycles", "cycles", "vhost device IOTLB miss resolved by QEMU"),
  IOTLB_ENTRIES("iotlb_entries", "entries", "device-side IOTLB cache capacity"),
  FLUSH_QUEUE_ENTRIES("flush_queue_entries", "entries", "Linux lazy IOVA flush queue size per CPU"),
  FLUSH_QUEUE_TIMEOUT_MS("flush_queue_timeout_ms", "ms", "Linux lazy IOVA flush queue timeout"),
  VIRTIO_IOMMU_REQ_CYCLES("virtio_iommu_req_cycles", "cycles", "guest side of one virtio-iommu MAP or UNMAP request (with virtio_iommu_notify_cycles given: all of it, the request queue's ring work and the vCPU's notification exit and return included)"),
  VIRTIO_IOMMU_REQ_QEMU_CYCLES("virtio_iommu_req_qemu_cycles", "cycles", "QEMU handling of one virtio-iommu request (with virtio_iommu_notify_cycles given: from virtqueue_pop to virtqueue_flush, the used-ring update included)"),
  VIRTIO_IOMMU_NOTIFY_CYCLES("virtio_iommu_notify_cycles", "cycles", "QEMU's synchronous handling of the virtio-iommu request queue's notification, from virtio_queue_notify to the popped request (dispatch to the handler and virtqueue_pop) (optional: when given, a request is charged this, virtio_iommu_req_cycles and virtio_iommu_req_qemu_cycles only; without it, kick_exit_cycles, kick_handler_cycles_qemu and the ring figures)"),
  VIRTIO_IOMMU_TRANSLATE_CYCLES("virtio_iommu_translate_cycles", "cycles", "QEMU's virtio-iommu translation of one device access (virtio_iommu_translate: a lookup in the domain's mapping tree under the device mutex, no IOTLB), per translation the model charges (optional: without it, iotlb_hit_cycles)"),
  HCALL_REALMODE_CYCLES("hcall_realmode_cycles", "cycles", "POWER hcall handled in KVM real mode"),
  HCALL_VIRTMODE_CYCLES("hcall_virtmode_cycles", "cycles", "POWER hcall handled in virtual mode or QEMU"),
  TCE_PUT_CYCLES("tce_put_cycles", "cycles", "KVM work per TCE written"),
  TCE_INDIRECT_MAX("tce_indirect_max", "TCEs", "TCEs per H_PUT_TCE_INDIRECT"),
  TCE_ALLOC_CYCLES("tce_alloc_cycles", "cycles", "guest TCE pool allocation per mapping, under the pool lock"),
  TCE_FREE_CYCLES("tce_free_cycles", "cycles", "guest TCE pool bitmap clear per unmap, under the pool lock"),
  NET_TX_STACK_CYCLES("net_tx_stack_cycles", "cycles", "guest network stack per transmitted packet, above the driver (socket, TCP/IP, qdisc)"),
  NET_RX_STACK_CYCLES("net_rx_stack_cycles", "cycles", "guest per received packet GRO hands to the stack on its own or as the first frame of a merged skb: the driver, GRO and the stack above (IP, TCP, socket wake-up)"),
  NET_RX_GRO_CYCLES("net_rx_gro_cycles", "cycles", "guest per received frame that GRO merges into the skb it holds: the driver's receive_buf and napi_gro_receive (with the software checksum when the device gives none), in place of net_rx_stack_cycles (optional: without it, net_rx_stack_cycles)"),
  NET_COPY_CYCLES_PER_KIB("net_copy_cycles_per_kib", "cycles/KiB", "guest copy of payload between user memory and socket buffers"),
  NET_PACKET_CYCLES_QEMU("net_packet_cycles_qemu", "cycles", "QEMU virtio-net per packet over tap: the tap read or write and virtio_net_receive / virtio_net_flush_tx"),
  NET_PACKET_CYCLES_VHOST("net_packet_cycles_vhost", "cycles", "vhost-net per packet: handle_tx / handle_rx and the tap socket's sendmsg / recvmsg in the host kernel"),
  LINK_GBPS("link_gbps", "Gb/s", "the host link the guest's packets cross (serialisation)"),
  LINK_LATENCY_NS("link_latency_ns", "ns", "one-way latency of the host link and the peer's stack"),
  TCE_WINDOW_BYTES("tce_window_bytes", "bytes", "size of the default 32-bit DMA window (1 GiB or more: 4 TCE pools)");

  public static final int COUNT = values().length;
  private static final Map<String, CostFigure> BY_KEY = new HashMap<>();

  static {
    for (CostFigure f : values()) BY_KEY.put(f.key, f);
  }

  public final String key;
  public final String unit;
  public final String description;

  CostFigure(String key, String unit, String description) {
    this.key = key;
    this.unit = unit;
    this.description = description;
  }

  /**
   * The figure an optional figure takes its value from when a profile does not give it, or null for a
   * figure every profile must give. {@link #BACKEND_WRITE_MIB_PER_S} falls back on
   * {@link #BACKEND_MIB_PER_S}, so that a profile written before reads and writes had their own
   * bandwidth loads and replays unchanged; {@link #NET_RX_GRO_CYCLES} on {@link #NET_RX_STACK_CYCLES}
   * (a frame GRO merges then costs what a packet of its own does, as before GRO was modelled).
   */
  public CostFigure fallback() {
    return switch (this) {
      case BACKEND_WRITE_MIB_PER_S -> BACKEND_MIB_PER_S;
      case NET_RX_GRO_CYCLES -> NET_RX_STACK_CYCLES;
      default -> null;
    };
  }

  /**
   * Whether a profile may leave this figure out: one with a {@link #fallback}, or {@link
   * #VIRTIO_IOMMU_NOTIFY_CYCLES}, whose absence selects another way of charging a request (the block
   * figures of the ring and the notification) rather than one other figure's value, or {@link
   * #VIRTIO_IOMMU_TRANSLATE_CYCLES}, whose absence leaves virtio-iommu's translation charged {@link
   * #IOTLB_HIT_CYCLES} (not a fallback: a profile reading it as such would record a read of a figure it
   * does not use).
   */
  public boolean optional() {
    return fallback() != null || this == VIRTIO_IOMMU_NOTIFY_CYCLES || this == VIRTIO_IOMMU_TRANSLATE_CYCLES;
  }

  /** The figure with this profile key, or null. */
  public static CostFigure byKey(String key) { return BY_KEY.get(key); }
}
