#!/bin/sh
# Capture a virtio-net run for vqsim (validate, replay, inspect) — the net lab's capture
# (samples/qemu-lab-net/README.md §3) as one script. Two halves:
#
#  In the guest (as root, busybox sh is enough), around any workload command:
#     scripts/capture-net.sh guest OUT.guest-ftrace.txt -- netperf -H 10.0.0.1 -t TCP_RR
#  It enables the tracepoints and function-tracer entries vqsim reads, writes the WL-BEGIN and
#  WL-END markers around the command, and saves the trace (gzip it before copying it out).
#  Load virtio_net before (the initial fill then lies outside the window anyway).
#
#  On the host, the QEMU trace events to pass with -trace events=FILE,file=OUT.qemu-trace.log:
#     scripts/capture-net.sh qemu-events > net.events
#  (QEMU must be built with the "log" trace backend, as distribution packages are; add
#  -msg timestamp=on to see the log's clock in the console.) A pcap of the same run:
#     -object filter-dump,id=fd0,netdev=NETDEV,file=OUT.pcap
#  (QEMU 7.2's filter-dump writes the 12-byte virtio-net header in front of each frame: strip it
#  as the lab's pcap-strip-vnet.py does before reading the file with vqsim.)
#
# Then: vqsim validate OUT.guest-ftrace.txt.gz OUT.qemu-trace.log.gz --strategy S [--net-features ...]
set -eu
mode=${1:-}
case "$mode" in
qemu-events)
  # the device side: pops, flushes, kicks, interrupts, VT-d invalidation descriptors, virtio-iommu requests
  for e in virtqueue_pop virtqueue_flush virtio_queue_notify virtio_notify virtio_notify_irqfd \
           vtd_inv_desc_iotlb_pages vtd_inv_desc_iotlb_domain vtd_inv_desc_iotlb_global \
           virtio_iommu_map virtio_iommu_unmap; do echo "$e"; done
  ;;
guest)
  out=${2:?usage: capture-net.sh guest OUT.txt -- COMMAND...}
  shift 2
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || { echo "usage: capture-net.sh guest OUT.txt -- COMMAND..." >&2; exit 64; }
  T=/sys/kernel/tracing
  [ -d $T/events ] || mount -t tracefs tracefs $T 2>/dev/null || T=/sys/kernel/debug/tracing
  [ -d $T/events ] || { echo "no tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing" >&2; exit 69; }
  echo 0 > $T/tracing_on
  echo > $T/trace
  echo 65536 > $T/buffer_size_kb
  echo > $T/set_ftrace_filter
  for f in virtqueue_add_inbuf virtqueue_add_inbuf_ctx virtqueue_add_outbuf virtqueue_notify swiotlb_tbl_unmap_single \
           try_fill_recv refill_work; do
    echo $f >> $T/set_ftrace_filter 2>/dev/null || echo "capture-net: no ftrace function $f (inlined?)" >&2
  done
  echo function > $T/current_tracer
  for e in net/net_dev_xmit net/net_dev_queue net/netif_receive_skb net/napi_gro_receive_entry napi/napi_poll \
           iommu/map iommu/unmap swiotlb/swiotlb_bounced irq/irq_handler_entry; do
    if [ -e $T/events/$e/enable ]; then echo 1 > $T/events/$e/enable; else echo "capture-net: no event $e" >&2; fi
  done
  echo 'name ~ "virtio*"' > $T/events/irq/irq_handler_entry/filter
  echo 1 > $T/tracing_on
  echo "WL-BEGIN $*" > $T/trace_marker
  rc=0
  "$@" || rc=$?
  echo "WL-END" > $T/trace_marker
  echo 0 > $T/tracing_on
  cat $T/trace > "$out"
  grep -q 'overrun\|LOST' "$out" && echo "capture-net: the trace buffer overran: raise buffer_size_kb or shorten the run" >&2
  echo "capture-net: $(wc -l < "$out") lines in $out (workload exit $rc)"
  exit $rc
  ;;
*)
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 64
  ;;
esac
