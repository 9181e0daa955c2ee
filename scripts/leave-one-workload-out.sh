#!/usr/bin/env bash
# Leave-one-workload-out check of calibrate on samples/qemu-lab-timing: for each workload, calibrate on
# the other two (all modes, all boots) and predict the held-out workload's runs; p50 must be within 20%
# or the (workload, mode)'s boot-to-boot spread.   scripts/leave-one-workload-out.sh [WORKDIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-$(mktemp -d)}"
mkdir -p "$WORK"
S="$ROOT/samples/qemu-lab-timing"
for held in randread4k seqread64k seqwrite128k; do
  args=()
  for w in randread4k seqread64k seqwrite128k; do
    [ "$w" = "$held" ] && continue
    for m in direct bounce viommu-strict; do
      for b in 1 2 3; do args+=(--run "$S/$w.$m.boot$b.guest-ftrace.txt.gz,$S/$w.$m.boot$b.qemu-trace.log.gz=$m"); done
    done
  done
  "$ROOT/vqsim" calibrate --base x86-kvm --name "without-$held" --force -o "$WORK/without-$held.profile" "${args[@]}" | tail -2 | head -1
  echo "### $held predicted from the other two workloads"
  python3 "$ROOT/scripts/timing-accuracy.py" "$WORK/without-$held.profile" "$held.*" 20
done
