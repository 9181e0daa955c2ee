#!/bin/sh
# Captures a run for `vqsim calibrate` / `vqsim validate --timing` on your own host (see README,
# "Calibrating a profile for your host"). Based on the timing lab's guest init and QEMU event list.
#
#   On the host:   scripts/capture-timing.sh qemu-events > vqsim.events
#                  then start the guest's QEMU with  -trace events=vqsim.events,file=RUN.qemu-trace.log
#                  (QEMU's 'log' trace backend, as in Debian's and Fedora's builds; with vhost or a vhost-user
#                  backend QEMU sees no requests: the QEMU log will then be empty and the run is latency-only)
#   In the guest:  sudo sh capture-timing.sh guest RUN.guest-ftrace.txt -- fio --name=x --rw=randread ...
#                  (POSIX sh, so it can be copied into a minimal guest; it needs tracefs or debugfs)
#   Then:          gzip RUN.guest-ftrace.txt RUN.qemu-trace.log (optional) and
#                  vqsim calibrate --run RUN.guest-ftrace.txt.gz,RUN.qemu-trace.log.gz=STRATEGY -o my-host.profile
set -eu

GUEST_EVENTS="block/block_rq_issue block/block_rq_complete block/block_rq_insert iommu/map iommu/unmap swiotlb/swiotlb_bounced"
QEMU_EVENTS="virtqueue_pop virtqueue_fill virtqueue_flush virtio_queue_notify virtio_notify virtio_notify_irqfd
virtio_blk_handle_read virtio_blk_handle_write virtio_blk_rw_complete virtio_blk_req_complete virtio_blk_submit_multireq
vtd_inv_desc_iotlb_pages vtd_inv_desc_iotlb_domain vtd_inv_desc_iotlb_global vtd_inv_desc_wait_sw vtd_inv_desc_wait_irq
virtio_iommu_map virtio_iommu_unmap spapr_iommu_put spapr_iommu_indirect spapr_iommu_stuff"

usage() {
  echo "usage: $0 qemu-events | $0 guest OUT -- COMMAND [ARGS...]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
case "$1" in
  qemu-events)
    for e in $QEMU_EVENTS; do echo "$e"; done
    ;;
  guest)
    [ $# -ge 4 ] && [ "$3" = "--" ] || usage
    out="$2"
    shift 3
    T=/sys/kernel/tracing
    [ -d $T/events ] || mount -t tracefs tracefs $T 2>/dev/null || true
    [ -d $T/events ] || T=/sys/kernel/debug/tracing
    [ -d $T/events ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
    [ -d $T/events ] || { echo "$0: no tracefs (mount tracefs on /sys/kernel/tracing, as root)" >&2; exit 1; }
    echo 0 > $T/tracing_on
    echo > $T/trace
    echo 65536 > $T/buffer_size_kb
    echo local > $T/trace_clock
    for e in $GUEST_EVENTS; do
      if [ -e $T/events/$e/enable ]; then echo 1 > $T/events/$e/enable; else echo "$0: note: this kernel has no $e event" >&2; fi
    done
    echo 1 > $T/tracing_on
    rc=0
    "$@" || rc=$?
    echo 0 > $T/tracing_on
    cat $T/trace > "$out"
    for e in $GUEST_EVENTS; do [ -e $T/events/$e/enable ] && echo 0 > $T/events/$e/enable; done
    # an overrun buffer loses events: say so rather than hand over a trace with holes
    over=$(grep -h '^overrun' $T/per_cpu/cpu*/stats 2>/dev/null | awk '{s+=$2} END{print s+0}')
    [ "$over" = 0 ] || echo "$0: warning: $over events lost (buffer overrun); raise buffer_size_kb or capture fewer requests" >&2
    echo "wrote $(wc -l < "$out") lines to $out (command exit $rc)" >&2
    exit $rc
    ;;
  *) usage ;;
esac
