# vqsim cost profile: POWER9 host, KVM-HV (radix guest and host, XIVE), QEMU 7.x pseries with virtio-blk-pci, Linux 6.1 ppc64le guest.
# Units: cycles = CPU cycles at cpu_ghz; sizes in bytes; ns, MiB/s, ms as named.
# Kinds of source: "measured" = a published measurement; "derived" = arithmetic on one (shown); "assumption" = our estimate, with reasoning.
# "(not verified)" = we could not check the number against its source text when writing this file. "verified in source" = read in the code.
# Nothing here comes from traces/qemu-lab-ppc: those runs are TCG, so their timestamps are not KVM costs.
# DESIGN 5: no public figures exist for per-hcall H_PUT_TCE latency or POWER secure-VM bounce cost; those below are assumptions to calibrate.
# Weakest figures: ring_*, device_*, used_push, kick_handler_*, irq_*, bounce_*, iotlb_*_cycles, tce_put_cycles, tce_alloc_cycles.
profile = power9-kvm
platform = power
description = POWER9 KVM-HV host with QEMU pseries virtio-blk-pci and a Linux 6.1 ppc64le guest; published figures where they exist, documented assumptions elsewhere
cpu_ghz = 3.0   # source: assumption: POWER9 scale-out parts run at roughly 2.75-3.8 GHz; the hcall cycle counts below (Piggin 2021) do not name the clock
page_size = 65536   # source: Linux ppc64le distribution kernels are built with CONFIG_PPC_64K_PAGES (PAGE_SHIFT 16); lab/README.md notes the 64 KiB-page guest's O_DIRECT quirk
iommu_page_size = 4096   # source: QEMU include/hw/ppc/spapr.h SPAPR_TCE_PAGE_SHIFT 12: the default 32-bit DMA window uses 4 KiB TCEs, verified in source
ddw_page_size = 65536   # source: assumption per DESIGN 5 (pseries DDW commits): Linux picks the largest IOMMU page size QEMU offers; 64 KiB with 64 KiB-page RAM backing (16 MiB needs hugepages), i.e. 16x more per TCE
ring_desc_cycles = 50   # source: assumption: same virtqueue_add_split code as x86 (40), a little more for POWER's weaker store ordering around the descriptor writes
ring_publish_cycles = 150   # source: assumption: avail store + virtio_wmb (lwsync) + idx store + the smp_mb (hwsync, ~100 cycles on POWER9) in virtqueue_kick_prepare_split
guest_used_cycles = 250   # source: assumption: as x86 (200: cross-core cache miss + detach_buf_split) plus virtio_rmb = lwsync
device_pop_cycles = 1200   # source: assumption: same QEMU virtqueue_pop code as x86 (1000) plus real barrier instructions (smp_rmb = lwsync, smp_mb = sync) on POWER
device_desc_cycles = 300   # source: assumption: same QEMU code as x86 (vring_split_desc_read + virtqueue_map_desc); translation charged separately
device_request_cycles = 6000   # source: assumption: same QEMU virtio-blk + block layer code as x86 (~2 us at 3 GHz), not measured on POWER
used_push_cycles = 500   # source: assumption: as x86 (400) plus the smp_wmb/smp_mb barriers around the used idx update
kick_exit_cycles = 6300   # source: derived: a notify store from a radix P9 guest exits to the host kernel in virtual mode (ioeventfd on KVM_FAST_MMIO_BUS, commit "KVM: PPC: Book3S HV: Optimise mmio emulation for devices on FAST_MMIO_BUS"): 5754 full exit (Piggin 2021) + ~500 eventfd_signal assumed
kick_handler_cycles_qemu = 5000   # source: assumption: no POWER figure found; x86 value reused (iothread wakeup + context switch + eventfd read + dispatch)
kick_handler_cycles_vhost = 2000   # source: assumption: no POWER figure found; x86 value reused (vhost worker wakeup inside the host kernel; no upstream vhost-blk)
irq_inject_cycles = 1500   # source: assumption: irqfd -> kvmppc_xive_set_irq -> ESB trigger; XIVE hardware routes the interrupt to the dispatched vCPU; x86-like eventfd write cost
irq_guest_cycles = 2000   # source: assumption: XIVE native exploitation (POWER9, QEMU ic-mode=dual, Linux >= 4.20 guest): delivery without exit when dispatched, EOI by a cache-inhibited ESB load (no H_EOI hcall), ~1.5k handler + vring_interrupt
backend_latency_ns = 77000   # source: same device as x86-kvm: Intel SSD DC P4510 product specification, 4 KiB random read latency typical QD1 = 77 us (vendor datasheet figure quoted from memory, not verified)
backend_mib_per_s = 3052   # source: derived: Intel SSD DC P4510 sequential read up to 3200 MB/s (vendor datasheet, not verified): 3200e6 / 1048576 = 3051.8 MiB/s
backend_submit_cycles = 4900   # source: derived as in x86-kvm: linux-aio ~608K 4 KiB IOPS per core (J. Axboe, "Efficient IO with io_uring", 2019, x86; not verified) = 1.64 us x 3.0 GHz; assumed the same on POWER9
bounce_copy_cycles_per_kib = 307   # source: derived: assumed 10 GB/s single-thread memcpy of a cache-cold buffer into the shared pool of a PEF secure VM: 1024 B / 10e9 B/s = 102.4 ns x 3.0 GHz = 307 cycles (no published POWER figure)
bounce_alloc_cycles = 470   # source: assumption: swiotlb_tbl_map_single -> swiotlb_find_slots under the area lock, as x86 (400) plus lock barriers (lwsync/isync) on POWER; two thirds of the 700 per map+unmap this profile charged before the split
bounce_release_cycles = 230   # source: assumption: swiotlb_release_slots under the area lock, as x86 (200) plus barriers; the other third of the 700 before the split
mq_deadline_cycles = 600   # source: assumption: same block/mq-deadline.c code as x86 (500) plus lock barriers (lwsync/isync) on POWER
iova_rbtree_cycles = 0   # source: not applicable on pseries: TCE entries come from the pool bitmaps of arch/powerpc/kernel/iommu.c, not from the dma-iommu IOVA allocator
iova_depot_cycles = 0   # source: not applicable on pseries (no dma-iommu IOVA caches)
viommu_map_cycles = 0   # source: not applicable on POWER (no emulated Intel VT-d on pseries; TCE costs are tce_* and hcall_*)
viommu_unmap_cycles = 0   # source: not applicable on POWER (no emulated Intel VT-d on pseries)
viommu_inv_exit_cycles = 0   # source: not applicable on POWER (TCE updates are hypercalls, no IOTLB invalidation queue)
viommu_inv_qemu_cycles = 0   # source: not applicable on POWER (no vtd_* invalidation handling)
viommu_inv_scan_cycles = 0   # source: not applicable on POWER (no emulated VT-d IOTLB)
iotlb_hit_cycles = 200   # source: assumption: device-side TCE translation in QEMU spapr_tce_translate_iommu = one read of the TCE table (kernel table mmapped into QEMU) + the IOMMU MemoryRegion call path; no IOTLB cache
iotlb_walk_cycles = 200   # source: assumption: the TCE table is single-level, so there is no walk: a miss costs the same as a hit
vhost_iotlb_miss_cycles = 0   # source: not applicable: the sPAPR TCE model has no IOTLB, so vhost never misses (assumption: vhost device IOTLB is used only with an emulated IOMMU that caches)
iotlb_entries = 0   # source: not applicable: QEMU's sPAPR TCE model keeps no IOTLB cache; every device access reads the TCE table
flush_queue_entries = 0   # source: not applicable: pseries DMA goes through arch/powerpc/kernel/iommu.c (dma_iommu_ops), which clears TCEs at unmap by hcall; no dma-iommu flush queue
flush_queue_timeout_ms = 0   # source: not applicable on pseries (no dma-iommu flush queue, see flush_queue_entries)
virtio_iommu_req_cycles = 0   # source: not applicable: POWER strategies are tce/tce-ddw/tce-bypass; virtio-iommu is not used on pseries (assumption: QEMU spapr does not wire it up, not verified)
virtio_iommu_req_qemu_cycles = 0   # source: not applicable on pseries (see virtio_iommu_req_cycles)
hcall_realmode_cycles = 509   # source: measured: POWER9 radix NULL hcall returned at try_real_mode = 509 cycles (N. Piggin, "Guest entry/exit performance work and observations", kvm-ppc, 2021-04-26); P9 path later stopped real-mode hcalls (commit 9dc2babc)
hcall_virtmode_cycles = 5754   # source: measured: same mail, NULL hcall via full exit to the host kernel: 9587 upstream, 9333 C-ified, 5754 C-ified + optimised; 5754 chosen as that series merged before 6.1; hcalls forwarded to QEMU cost more (not measured)
tce_put_cycles = 300   # source: assumption: kvmppc_h_put_tce in arch/powerpc/kvm/book3s_64_vio.c: table lookup under RCU, kvmppc_ioba_validate, kvmppc_tce_validate, kvmppc_tce_to_ua memslot lookup, kvmppc_tce_put store; charged per TCE
tce_indirect_max = 512   # source: PAPR limit enforced in arch/powerpc/kvm/book3s_64_vio.c H_PUT_TCE_INDIRECT ("if (npages > 512) return H_PARAMETER"), verified in source; KVM commit d3695aa4f452 "multiple-TCE hcalls" (up to 512)
tce_alloc_cycles = 300   # source: assumption: guest iommu_range_alloc (arch/powerpc/kernel/iommu.c 6.1 lines 203-333): pool picked by CPU hash, spin_lock_irqsave, bitmap_find_next_zero_area + bitmap_set, unlock; 300 of the 400 per map+unmap this profile charged before the split
tce_free_cycles = 100   # source: assumption: __iommu_free (iommu.c 6.1 lines 425-445): bitmap_clear under the owning pool's lock, after the H_STUFF_TCE; the other 100 of the 400 before the split
tce_window_bytes = 1073741824   # source: QEMU hw/ppc/spapr_pci.c DEFINE_PROP_UINT64("dma_win_size", ..., 0x40000000) "Default DMA window is 0..1GB" (7.2 lines 2105-2107, 9.2 line 2046); with it, iommu_init_table makes 4 pools (iommu.c 6.1 lines 735-739: ">= 1GB")
backend_service_distribution = lognormal 0.999:2.727   # source: derived: shape of an enterprise SSD's read latency from the one datasheet found with both a typical and a tail figure, Intel SSD DC S4500/S4600 product specification: random read latency typ. 110 us, read QoS (99.9%) 300 us (text read at manualzz.com/doc/48879893): 300 / 110 = 2.727 at p99.9, as a log-normal with mean 1 (backend_latency_ns, the typical figure, is taken as the mean); the P4510's own QoS percentiles were not found
net_tx_stack_cycles = 3000   # source: assumption: tcp_sendmsg_locked + tcp_write_xmit + ip_queue_xmit + dev_queue_xmit/qdisc per skb (GSO super-packet counted once); about 1 us at 3 GHz (x86 figure reused, not measured on POWER), of the order of the per-packet sender costs in Cai et al., "Understanding host network stack overheads", SIGCOMM'21 (not verified against their tables)
net_rx_stack_cycles = 3600   # source: assumption: napi_gro_receive + ip_rcv + tcp_v4_rcv + socket wake-up per received packet (a GRO'd super-packet counted once); about 1.2 us at 3 GHz (x86 figure reused, not measured on POWER), same order as the receiver figures in Cai et al., SIGCOMM'21 (not verified)
net_copy_cycles_per_kib = 150   # source: derived: assumed 20 GB/s copy_to/from_user of cache-warm socket data: 1024 B / 20e9 B/s = 51 ns x 3.0 GHz = 154 cycles
net_packet_cycles_qemu = 9000   # source: assumption: QEMU virtio-net over tap: one readv/writev syscall on the tap fd (~2-3k with mitigations) + virtio_net_receive_rcu or virtio_net_flush_tx (header handling, iov mapping, virtqueue_push) + main-loop dispatch; ~3 us at 3 GHz (x86 figure reused, not measured on POWER), not measured
net_packet_cycles_vhost = 3000   # source: assumption: vhost-net handle_tx/handle_rx: tun_sendmsg/tun_recvmsg in the host kernel without a user/kernel crossing, vhost_get_vq_desc, vhost_add_used; ~1 us at 3 GHz (x86 figure reused, not measured on POWER), not measured
link_gbps = 10   # source: assumption: a 10 GbE host link, the setting of the vIOMMU study this model is compared with (Amit et al., ATC'11)
link_latency_ns = 5000   # source: assumption: one-way host link + peer stack latency of a 10 GbE back-to-back link, ~5 us (not measured)
