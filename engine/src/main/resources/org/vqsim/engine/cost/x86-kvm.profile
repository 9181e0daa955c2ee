# vqsim cost profile: x86-64 host, KVM (VT-x + EPT + APICv), QEMU 7.x virtio-blk-pci, Linux 6.1 guest.
# Units: cycles = CPU cycles at cpu_ghz (kvm-unit-tests and the papers report TSC cycles); sizes in bytes; ns, MiB/s, ms as named.
# Kinds of source: "measured" = a published measurement; "derived" = arithmetic on one (shown); "assumption" = our estimate, with reasoning.
# "(not verified)" = we could not check the number against its source text when writing this file. "verified in source" = read in the code.
# Nothing here comes from traces/qemu-lab: those runs are TCG, so their timestamps are not KVM costs (see traces/qemu-lab/README.md).
# Weakest figures (no published number exists): ring_*, device_*, used_push, kick_handler_*, irq_*, bounce_alloc, viommu_map/unmap, viommu_inv_qemu, iotlb_*_cycles, virtio_iommu_*.
profile = x86-kvm
platform = x86
description = x86-64 KVM host with QEMU virtio-blk-pci and a Linux 6.1 guest; published figures where they exist, documented assumptions elsewhere
cpu_ghz = 3.0   # source: assumption: nominal (TSC) clock of a current 2-socket Xeon host; the published cycle counts used below are TSC cycles, so this only converts cycles to time
page_size = 4096   # source: x86-64 base page size, PAGE_SHIFT 12 (arch/x86/include/asm/page_types.h)
iommu_page_size = 4096   # source: VT-d second-level page size 4 KiB (Linux include/linux/intel-iommu.h: "VT-d hardware uses 4KiB page size"; QEMU intel-iommu emulates the same)
ddw_page_size = 0   # source: not applicable on x86 (dynamic DMA windows are a POWER pseries mechanism)
ring_desc_cycles = 40   # source: assumption: virtqueue_add_split writes one 16-byte descriptor (4 stores, L1-resident ring) plus free-list bookkeeping, ~15-20 instructions
ring_publish_cycles = 80   # source: assumption: avail ring store + virtio_wmb (compiler barrier on x86, weak_barriers) + avail idx store + the smp_mb (locked op, ~20-35 cycles) in virtqueue_kick_prepare_split
guest_used_cycles = 200   # source: assumption: the used entry was written by the device thread on another core, so ~1 cross-core cache miss (~100-150) + virtio_rmb + detach_buf_split free-list relink
device_pop_cycles = 1000   # source: assumption: QEMU virtqueue_pop fixed part (RCU read lock, avail idx/ring reads via MemoryRegionCache, smp_rmb, element g_malloc, event-idx update); order of magnitude only, not measured
device_desc_cycles = 300   # source: assumption: vring_split_desc_read + virtqueue_map_desc -> dma_memory_map/address_space_map (flatview lookup) per descriptor; IOMMU translation is charged separately
device_request_cycles = 6000   # source: assumption: virtio-blk header parse, blk_aio_preadv/pwritev, coroutine + QEMU block layer, completion BH, virtio_blk_req_complete; ~2 us at 3 GHz, not measured
used_push_cycles = 400   # source: assumption: virtqueue_fill (address_space_unmap of each sg + used element write) + virtqueue_flush (smp_wmb + used idx store) + element free
kick_exit_cycles = 2500   # source: derived: kvm-unit-tests outl_to_kernel (in-kernel PIO exit round trip) avg 2008 measured (S. Jitindar Singh, kvm@vger 2022-10-05) + ~500 assumed for eventfd_signal; VMX fast-MMIO ioeventfd is "essentially as fast as PIO" (M. Tsirkin, KVM commit 68c3b4d1)
kick_handler_cycles_qemu = 5000   # source: assumption: QEMU iothread woken from ppoll (scheduler wakeup + context switch ~2-3k), eventfd read syscall (~0.5-1k with mitigations), dispatch to virtio_queue_host_notifier_read; no published figure found
kick_handler_cycles_vhost = 2000   # source: assumption: vhost_poll_wakeup -> vhost_work_queue -> wake_up_process, worker scheduled in, all in host kernel (no user/kernel crossing); upstream Linux has no in-kernel vhost-blk, vhost-scsi/-net use this path
irq_inject_cycles = 1500   # source: assumption: eventfd write (a syscall from QEMU; eventfd_signal from vhost) -> irqfd_wakeup -> kvm_arch_set_irq_inatomic MSI fast path -> APICv posted-interrupt notification IPI
irq_guest_cycles = 2500   # source: assumption: APICv posted interrupt + virtual EOI (no EOI exit): ~1100 light exit/entry when the vCPU has to be kicked (DESIGN 5, kvm-unit-tests vmexit, not verified) + ~1400 vector entry, vring_interrupt, irq_exit; add an EOI exit without APICv
backend_latency_ns = 77000   # source: Intel SSD DC P4510 product specification: 4 KiB random read latency, typical, QD1 = 77 us (vendor datasheet figure quoted from memory, not verified)
backend_mib_per_s = 3052   # source: derived: Intel SSD DC P4510 (2 TB and larger) sequential read up to 3200 MB/s (vendor datasheet, not verified): 3200e6 / 1048576 = 3051.8 MiB/s
backend_submit_cycles = 4900   # source: derived: linux-aio 4 KiB random reads ~608K IOPS on one core (J. Axboe, "Efficient IO with io_uring", 2019; not verified): 1 / 608000 s = 1.64 us x 3.0 GHz = 4934 cycles per submit+complete
bounce_copy_cycles_per_kib = 307   # source: derived: assumed 10 GB/s single-thread memcpy of a cache-cold buffer (server DRAM; SEV/TDX encryption overhead not included): 1024 B / 10e9 B/s = 102.4 ns x 3.0 GHz = 307 cycles
bounce_alloc_cycles = 400   # source: assumption: swiotlb_tbl_map_single -> swiotlb_find_slots: area spinlock, slot search in swiotlb_do_find_slots, orig_addr bookkeeping (~400 of the 600 per map+unmap this profile charged before the split); kernel/dma/swiotlb.c 6.1 lines 639-693, uncontended
bounce_release_cycles = 200   # source: assumption: swiotlb_release_slots: area spinlock, list fix-up (~200 of the 600 per map+unmap before the split); kernel/dma/swiotlb.c 6.1 lines 800-825
mq_deadline_cycles = 500   # source: assumption: block/mq-deadline.c 6.1 dd_insert_requests (elv_rb_add + fifo list_add_tail, lines 769-784) and dd_dispatch_request (fifo/rbtree pick + deadline_remove_request, lines 514-540), each under dd->lock; ~250 each, uncontended
viommu_map_cycles = 1500   # source: assumption anchored on Amit et al. vIOMMU (USENIX ATC'11) slides: 4,324 of 34,969 cycles per map+unmap pair under trap&emulate are non-trap work (our reading of the table); per-CPU IOVA rcache (Linux 4.7, Peleg) made IOVA alloc cheap
viommu_unmap_cycles = 1000   # source: assumption: iommu_dma_unmap_page PTE clear + IOVA free to the per-CPU rcache, excluding the IOTLB invalidation; same anchor as viommu_map_cycles (4,324 per pair on 2011 code)
viommu_inv_exit_cycles = 15300   # source: derived: Amit et al. vIOMMU (USENIX ATC'11) slides: trap&emulate interaction 30,645 cycles per strict (un)map pair of one page, taken as 2 invalidation traps (map+unmap, caching mode): 30645 / 2 = 15,322; 2011 hardware
viommu_inv_qemu_cycles = 2000   # source: assumption: vtd_handle_iqt_write -> vtd_fetch_inv_desc (hw/i386/intel_iommu.c 7.2 lines 2733-2761): 2 descriptor reads (IOTLB page inv + wait), notifiers, the wait-status write (2485); the IOTLB scan is viommu_inv_scan_cycles (together 6000 as before the split)
viommu_inv_scan_cycles = 4000   # source: assumption: vtd_iotlb_page_invalidate = g_hash_table_foreach_remove over the whole IOTLB under vtd_iommu_lock (intel_iommu.c 7.2 lines 2204-2206, O(entries) up to VTD_IOTLB_MAX_SIZE 1024, ~4 cycles per entry)
iotlb_hit_cycles = 300   # source: assumption: vtd_iommu_translate -> vtd_lookup_iotlb = g_hash_table_lookup under vtd_iommu_lock (QemuMutex), plus the IOMMU MemoryRegion translate call path
iotlb_walk_cycles = 2500   # source: assumption: miss in vtd_do_iommu_translate: context-cache check, 4-level second-level walk = 4 x 8-byte guest-memory loads (~250-400 each via address_space), vtd_update_iotlb (g_malloc + hash insert)
vhost_iotlb_miss_cycles = 12000   # source: assumption: with vhost, a device IOTLB miss sends a VHOST_IOTLB_MISS message to QEMU (vhost_iotlb_miss -> read on the vhost fd in QEMU's main loop -> vtd translate -> VHOST_IOTLB_UPDATE write), i.e. two user/kernel crossings and a wakeup (~kick_handler_cycles_qemu 5000 x 2) plus the walk itself; no published figure
iotlb_entries = 1024   # source: QEMU hw/i386/intel_iommu_internal.h VTD_IOTLB_MAX_SIZE 1024 ("Max size of the hash table"), verified in source; vtd_update_iotlb empties the whole table when it is full
iova_rbtree_cycles = 1000   # source: assumption: drivers/iommu/iova.c 6.1 __alloc_and_insert_iova_range (lines 193-231: walk back from the cached node, rb insert) or private_find_iova + remove_iova, under iova_rbtree_lock; a few hundred to a few thousand cycles (Malka et al., FAST'15, found the walk can go linear)
iova_depot_cycles = 300   # source: assumption: iova.c 6.1 __iova_rcache_insert / __iova_rcache_get (lines 779-815, 842-862): a magazine pointer pushed to or pulled from the depot under rcache->lock, plus iova_magazine_alloc(GFP_ATOMIC) of the 1 KiB magazine
flush_queue_entries = 256   # source: Linux drivers/iommu/dma-iommu.c IOVA_FQ_SIZE 256 (IOVA_DEFAULT_FQ_SIZE in later kernels), verified in source; not used under caching-mode VT-d on 6.1 (commit 29b32839725f per DESIGN 5, not verified)
flush_queue_timeout_ms = 10   # source: Linux drivers/iommu/dma-iommu.c IOVA_FQ_TIMEOUT 10 ms (IOVA_DEFAULT_FQ_TIMEOUT in later kernels), verified in source
virtio_iommu_req_cycles = 1500   # source: assumption: guest work per request besides what vqsim models separately: IOVA alloc, viommu_add_mapping interval-tree insert, request alloc, virtqueue_add_sgs bookkeeping, get_buf poll loop (~1500). The kick exit, QEMU's handling and the ring operations of the request queue are charged by the engine with their own figures, so they are not included here
virtio_iommu_req_qemu_cycles = 4000   # source: assumption: virtio_iommu_handle_command: virtqueue_pop, iov_to_buf, MAP = g_tree_insert of an interval (2 g_malloc) or UNMAP = g_tree lookup/remove + IOMMU notifier, virtqueue_push; no interrupt (guest polls)
hcall_realmode_cycles = 0   # source: not applicable on x86 (POWER KVM-HV real-mode hypercalls)
hcall_virtmode_cycles = 0   # source: not applicable on x86 (POWER KVM-HV virtual-mode hypercalls)
tce_put_cycles = 0   # source: not applicable on x86 (PAPR TCE tables exist only on POWER pseries)
tce_indirect_max = 0   # source: not applicable on x86 (H_PUT_TCE_INDIRECT is a PAPR hypercall)
tce_alloc_cycles = 0   # source: not applicable on x86 (pseries iommu_alloc TCE pool)
tce_free_cycles = 0   # source: not applicable on x86 (pseries TCE pool)
tce_window_bytes = 0   # source: not applicable on x86 (pseries DMA window)
net_tx_stack_cycles = 3000   # source: assumption: tcp_sendmsg_locked + tcp_write_xmit + ip_queue_xmit + dev_queue_xmit/qdisc per skb (GSO super-packet counted once); about 1 us at 3 GHz, of the order of the per-packet sender costs in Cai et al., "Understanding host network stack overheads", SIGCOMM'21 (not verified against their tables)
net_rx_stack_cycles = 3600   # source: assumption: napi_gro_receive + ip_rcv + tcp_v4_rcv + socket wake-up per received packet (a GRO'd super-packet counted once); about 1.2 us at 3 GHz, same order as the receiver figures in Cai et al., SIGCOMM'21 (not verified)
net_copy_cycles_per_kib = 150   # source: derived: assumed 20 GB/s copy_to/from_user of cache-warm socket data: 1024 B / 20e9 B/s = 51 ns x 3.0 GHz = 154 cycles
net_packet_cycles_qemu = 9000   # source: assumption: QEMU virtio-net over tap: one readv/writev syscall on the tap fd (~2-3k with mitigations) + virtio_net_receive_rcu or virtio_net_flush_tx (header handling, iov mapping, virtqueue_push) + main-loop dispatch; ~3 us at 3 GHz, not measured
net_packet_cycles_vhost = 3000   # source: assumption: vhost-net handle_tx/handle_rx: tun_sendmsg/tun_recvmsg in the host kernel without a user/kernel crossing, vhost_get_vq_desc, vhost_add_used; ~1 us at 3 GHz, not measured
link_gbps = 10   # source: assumption: a 10 GbE host link, the setting of the vIOMMU study this model is compared with (Amit et al., ATC'11)
link_latency_ns = 5000   # source: assumption: one-way host link + peer stack latency of a 10 GbE back-to-back link, ~5 us (not measured)
