#!/usr/bin/env bash
# Validates every bundled net lab run (samples/qemu-lab-net, 24 runs) under its mode's strategy and
# prints one markdown row per run: kicks and interrupts per packet, observed / modelled (error).
#   scripts/validate-net-lab.sh [PROFILE]   (default: qemu-tcg-x86, the lab's own TCG speeds)
# The mode → strategy mapping and the nooffload features are those of docs/NET-NOTES.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PROFILE="${1:-qemu-tcg-x86}"
S="$ROOT/samples/qemu-lab-net"
NOOFFLOAD="-CSUM,-GUEST_CSUM,-HOST_TSO4,-HOST_TSO6,-HOST_ECN,-HOST_UFO,-GUEST_TSO4,-GUEST_TSO6,-GUEST_ECN,-GUEST_UFO"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "| run ($PROFILE) | packets | kicks / packet | interrupts / packet |"
echo "|---|---|---|---|"
for w in tcp-tx tcp-rx tcp-rr; do
  for run in $w.direct $w.bounce $w.viommu-strict $w.viommu-strict-bounce $w.virtio-iommu-strict \
             $w.virtio-iommu-bypass $w.viommu-strict.nooffload $w.bounce.nooffload; do
    mode="$(echo "$run" | cut -d. -f2)"
    case "$mode" in
      viommu-strict-bounce) s=viommu-strict ;;   # swiotlb=force behind the vIOMMU bounces nothing (lab README §6.5)
      virtio-iommu-strict) s=virtio-iommu ;;
      *) s="$mode" ;;
    esac
    feat=()
    [[ "$run" == *.nooffload ]] && feat=(--net-features "$NOOFFLOAD")
    text="$("$ROOT/vqsim" validate "$S/$run.guest-ftrace.txt.gz" "$S/$run.qemu-trace.log.gz" -s "$s" \
      -p "$PROFILE" "${feat[@]}" -o "$OUT/$run")"
    pk="$(echo "$text" | sed -n 's/.*network run, \([0-9]*\) packets.*/\1/p')"
    row() { echo "$text" | awk -v m="$1" '$1 == m { printf "%s / %s (%s)", $3, $4, $5 }'; }
    echo "| $run | $pk | $(row kicks) | $(row interrupts) |"
  done
done
