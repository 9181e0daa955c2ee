#!/usr/bin/env bash
# A corpus sweep on the local Spark standalone cluster against the local engine (README, "A Spark cluster on
# this machine"): TRACES generated traces of REQUESTS requests each (default 500 × 20,000; varied read/write
# mixes, block sizes, queue depths and seeds, canonical Arrow), every one under 4 strategies.
#   1. the local engine, --jobs 2;
#   2. a cluster of 2 workers × 1 core (scripts/spark-cluster.sh), the driver in this shell's ./vqsim;
# each timed as a whole command, then sweep.arrow compared byte for byte. The cluster is stopped on any exit.
#
#   scripts/spark-corpus-bench.sh [TRACES] [REQUESTS]
#
# The corpus is kept in $VQSIM_CORPUS (default ${TMPDIR:-/tmp}/vqsim-corpus-TRACES-REQUESTS) for later runs;
# the sweeps go to a temporary folder, removed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n=${1:-500} count=${2:-20000}
corpus="${VQSIM_CORPUS:-${TMPDIR:-/tmp}/vqsim-corpus-$n-$count}"
work=$(mktemp -d)
export VQSIM_SPARK_CLUSTER="$work/cluster"
trap '"$ROOT/scripts/spark-cluster.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$ROOT/vqsim" --version >/dev/null

mkdir -p "$corpus"
rws=(randread randwrite randrw read write) bss=(4k 16k 64k 4k:70,64k:30) depths=(1 8 32)
for i in $(seq 1 "$n"); do # the traces not there yet (generate writes each under a temporary name first)
  f=$(printf '%s/trace-%04d.arrow' "$corpus" "$i")
  [ -f "$f" ] || echo "--rw ${rws[i % 5]} --bs ${bss[i % 4]} --iodepth ${depths[i % 3]} --seed $i --count $count -o $f"
done >"$work/todo"
if [ -s "$work/todo" ]; then
  echo "generating $(wc -l <"$work/todo") of $n traces of $count requests in $corpus"
  xargs -P 2 -L 1 "$ROOT/vqsim" generate <"$work/todo" >/dev/null
fi
du -sh "$corpus"
grid=("$corpus/" --strategy direct,bounce,viommu-strict,virtio-iommu)

timed() { # timed NAME COMMAND…: runs it, prints its wall time
  local name=$1 t0 t1; shift
  t0=$(date +%s.%N)
  "$@" >"$work/$name.out" 2>"$work/$name.err" || { tail -20 "$work/$name.err"; echo "FAIL: $name"; exit 1; }
  t1=$(date +%s.%N)
  printf '%-8s %6.1f s   %s\n' "$name" "$(awk "BEGIN{print $t1 - $t0}")" "$(grep -E 'combinations .* in ' "$work/$name.out")"
}

echo "== local engine, --jobs 2"
timed local "$ROOT/vqsim" sweep "${grid[@]}" --jobs 2 -o "$work/local"
echo "== Spark standalone cluster, 2 workers × 1 core"
url=$("$ROOT/scripts/spark-cluster.sh" start 2 | tail -1)
timed cluster "$ROOT/vqsim" sweep "${grid[@]}" --master "$url" -o "$work/cluster"
grep -E '^Spark ' "$work/cluster.err" || true
"$ROOT/scripts/spark-cluster.sh" stop >/dev/null
cmp "$work/local/sweep.arrow" "$work/cluster/sweep.arrow"
echo "the cluster wrote the same sweep.arrow as the local engine"
