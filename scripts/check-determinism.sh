#!/usr/bin/env bash
# Determinism across JDKs (issue 8): generate, import, replay, fleet, sweep and reproduce run under JDK 17
# and JDK 25 with the same inputs, options and seed must write byte-identical Arrow files.
# (Same-JVM determinism is DeterminismTest in mvn verify.) Skips with a message without JDK 25.
#
#   scripts/check-determinism.sh [JDK25_HOME]      (CI runs it; under a minute)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
J25="${1:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x "$J25/bin/java" ]; then
  echo "determinism: JDK 25 not found at $J25; skipped"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lab="$ROOT/samples/qemu-lab/seqread64k.viommu-strict-bounce.guest-ftrace.txt.gz"

run_all() { # run_all OUT: every Arrow-writing command into OUT, with the JDK JAVA_HOME names
  local o=$1
  mkdir -p "$o"
  "$ROOT/vqsim" generate --rw randrw --bs 4k:70,64k:20,1m:10 --iodepth 16 --count 10000 --seed 7 -o "$o/gen.arrow" >/dev/null
  "$ROOT/vqsim" generate --rw randread --count 5000 --rate 80000 --seed 9 -o "$o/open.arrow" >/dev/null
  "$ROOT/vqsim" generate --rw randrw --numjobs 4 --iodepth 8 --count 2500 --rate 20000 --seed 5 -o "$o/jobs.arrow" >/dev/null
  "$ROOT/vqsim" import "$lab" -o "$o/imported.arrow" >/dev/null
  "$ROOT/vqsim" import "$ROOT/samples/formats/blkparse.txt" -o "$o/imported-cpus.arrow" >/dev/null
  "$ROOT/vqsim" replay "$o/gen.arrow" --strategy all -o "$o/replay-split" >/dev/null
  "$ROOT/vqsim" replay "$o/gen.arrow" --strategy all --ring packed -o "$o/replay-packed" >/dev/null
  "$ROOT/vqsim" replay "$o/open.arrow" --strategy all --profile power9-kvm -o "$o/replay-ppc" >/dev/null
  "$ROOT/vqsim" replay "$lab" --strategy viommu-strict+bounce -o "$o/replay-lab" >/dev/null
  "$ROOT/vqsim" fleet "$o/gen.arrow" -o "$o/fleet" >/dev/null
  "$ROOT/vqsim" sweep --generate "--rw randread --count 3000" --strategy direct,bounce,viommu-strict --param bs=4k,64k --param iodepth=1,16 -o "$o/sweep" >/dev/null
  "$ROOT/vqsim" reproduce -o "$o/reproduce" >/dev/null || [ $? -eq 3 ]   # 3: a figure is off, the outputs are written
}

run_all "$work/jdk17"
JAVA_HOME="$J25" run_all "$work/jdk25"
n=0
while IFS= read -r f; do
  rel=${f#"$work/jdk17/"}
  cmp -s "$f" "$work/jdk25/$rel" || { echo "FAIL: $rel differs between JDK 17 and JDK 25"; exit 1; }
  n=$((n + 1))
done < <(find "$work/jdk17" -name '*.arrow' | sort)
[ "$n" -ge 20 ] || { echo "FAIL: only $n Arrow files compared"; exit 1; }
echo "determinism: $n Arrow files byte-identical on JDK 17 and JDK 25"
