#!/usr/bin/env bash
# The netperf-like comparison of DMA strategies for virtio-net (docs/NET-NOTES.md):
# tcp-stream tx and rx (64 KiB writes), tcp-rr (64-byte transactions) and udp-stream (64-byte
# datagrams) replayed under every strategy of x86-kvm and power9-kvm, with QEMU's userspace
# virtio-net and with vhost-net. Results go to net-comparison/ (replaced), one folder per
# workload × profile × backend, and a combined table to net-comparison/table.txt.
#   scripts/net-comparison.sh [COUNT_SCALE]   (1 = the note's sizes; 0.1 for a quick look)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
out=net-comparison
rm -rf "$out"; mkdir -p "$out"
n() { awk -v a="$1" -v s="$scale" 'BEGIN{v=int(a*s); if (v<1) v=1; print v}'; }
./vqsim generate --net tcp-stream --direction tx --msg-size 64k --count "$(n 2000)" -o "$out/tcp-stream-tx.arrow" >/dev/null
./vqsim generate --net tcp-stream --direction rx --msg-size 64k --count "$(n 2000)" -o "$out/tcp-stream-rx.arrow" >/dev/null
./vqsim generate --net tcp-rr --msg-size 64 --count "$(n 20000)" -o "$out/tcp-rr.arrow" >/dev/null
./vqsim generate --net udp-stream --msg-size 64 --count "$(n 200000)" -o "$out/udp-64.arrow" >/dev/null
: > "$out/table.txt"
for w in tcp-stream-tx tcp-stream-rx tcp-rr udp-64; do
  for p in x86-kvm power9-kvm; do
    for b in qemu vhost; do
      d="$out/$w.$p.$b"
      ./vqsim replay "$out/$w.arrow" --profile "$p" --strategy all --backend "$b" --summary-only -o "$d" > "$d.txt"
      { echo "== $w, $p, $b"; sed -n '2,100p' "$d.txt" | grep -v '^Wrote\|^Replayed'; echo; } >> "$out/table.txt"
    done
  done
done
cat "$out/table.txt"
