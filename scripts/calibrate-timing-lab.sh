#!/usr/bin/env bash
# Makes the shipped qemu-tcg-x86 profile: vqsim calibrate on every run of samples/qemu-lab-timing
# (3 workloads x 3 modes x 3 boots, guest ftrace + QEMU log each), base profile x86-kvm; the network
# figures measured from the net lab's timestamps (samples/qemu-lab-net, same TCG lab: tcp-tx, tcp-rx
# and tcp-rr under direct, bounce, virtio-iommu-bypass, and virtio-iommu-strict for the notes only;
# tcp-rx.bounce.nooffload for the GRO figure); the virtio-iommu request's pieces from the strict runs of
# samples/qemu-lab-virtio-iommu.
#   scripts/calibrate-timing-lab.sh [OUT.profile]   (default: the shipped resource)
# Extra arguments after OUT are passed to vqsim calibrate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/engine/src/main/resources/org/vqsim/engine/cost/qemu-tcg-x86.profile}"
shift || true
S="$ROOT/samples/qemu-lab-timing"
args=()
for w in randread4k seqread64k seqwrite128k; do
  for m in direct bounce viommu-strict; do
    for b in 1 2 3; do
      args+=(--run "$S/$w.$m.boot$b.guest-ftrace.txt.gz,$S/$w.$m.boot$b.qemu-trace.log.gz=$m")
    done
  done
done
N="$ROOT/samples/qemu-lab-net"
for w in tcp-tx tcp-rx tcp-rr; do
  for m in direct bounce virtio-iommu-bypass virtio-iommu-strict; do
    s="$m"
    [[ "$m" == virtio-iommu-strict ]] && s=virtio-iommu
    args+=(--net-run "$N/$w.$m.guest-ftrace.txt.gz,$N/$w.$m.qemu-trace.log.gz=$s")
  done
done
# the virtio-iommu request's pieces: the strict virtio-blk runs of samples/qemu-lab-virtio-iommu (same TCG
# lab; strict-bounce is strict too: nothing bounces behind the IOMMU)
V="$ROOT/samples/qemu-lab-virtio-iommu"
for w in randread4k seqread64k seqwrite128k; do
  for m in virtio-iommu-strict virtio-iommu-strict-bounce; do
    args+=(--viommu-run "$V/$w.$m.guest-ftrace.txt.gz,$V/$w.$m.qemu-trace.log.gz")
  done
done
# the receive run without offloads (MTU frames that GRO merges): net_rx_gro_cycles
args+=(--net-run "$N/tcp-rx.bounce.nooffload.guest-ftrace.txt.gz,$N/tcp-rx.bounce.nooffload.qemu-trace.log.gz=bounce")
exec "$ROOT/vqsim" calibrate --base x86-kvm --name qemu-tcg-x86 --force -o "$OUT" \
  --description "TCG emulation (QEMU 7.2, no KVM) on the timing lab's shared 2-vCPU virtualised host, Linux 6.1 guest, virtio-blk and virtio-net: calibrated from samples/qemu-lab-timing, samples/qemu-lab-net and samples/qemu-lab-virtio-iommu by scripts/calibrate-timing-lab.sh; NOT a KVM host and not hardware" \
  "${args[@]}" "$@"
