#!/usr/bin/env bash
# Sweeps on a real Spark standalone cluster (README, "A Spark cluster on this machine"): starts a master and
# two workers (scripts/spark-cluster.sh), and runs a corpus sweep through them from a driver in a mount
# namespace of its own (unshare -m) whose traces (block and network: a packet trace, a virtio-net lab capture)
# and profile file are on a tmpfs only it sees, so the executors get them only by shipping. Checks that
# sweep.arrow is byte-identical to the local engine's
#   1. with `vqsim sweep --master spark://…` (the driver in the CLI),
#   2. with spark-submit of vqsim-spark.jar (org.apache.spark.deploy.SparkSubmit),
#   3. when a worker is killed (SIGKILL) in the middle of a sweep: Spark runs its tasks again elsewhere;
# then stops the cluster and checks that none of its processes is left. The cluster is stopped on any exit.
#
#   scripts/check-spark-cluster.sh        (CI runs it; 1-3 minutes; needs root for unshare and mount)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
unshare -m --propagation private true 2>/dev/null || { echo "check-spark-cluster: needs unshare -m (root, or CAP_SYS_ADMIN) for the driver's own mount namespace"; exit 1; }
work=$(mktemp -d)
export VQSIM_SPARK_CLUSTER="$work/cluster"
driver_pid=""
cleanup() {
  local rc=$?
  [ -n "$driver_pid" ] && kill -KILL "$driver_pid" 2>/dev/null || true
  "$ROOT/scripts/spark-cluster.sh" stop >/dev/null 2>&1 || true
  if [ "$rc" != 0 ]; then
    echo "FAIL (exit $rc); the cluster's logs:"
    tail -n 20 "$VQSIM_SPARK_CLUSTER"/logs/*.log 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
"$ROOT/vqsim" --version >/dev/null # builds the CLI first if needed

echo "cluster: a master and 2 workers on loopback"
"$ROOT/scripts/spark-cluster.sh" start 2 | tee "$work/start.log"
url=$(tail -1 "$work/start.log")
[[ "$url" =~ ^spark://127\.0\.0\.1:[0-9]+$ ]] || { echo "FAIL: the last line is not a master URL: $url"; exit 1; }

# The driver's side: traces, a profile file and a file that is not a trace on a tmpfs in its own mount namespace.
mkdir -p "$work/traces" "$work/out"
cat >"$work/driver.sh" <<'EOF'
set -euo pipefail
ROOT=$1 url=$2 work=$3
cd "$work"
mount -t tmpfs -o size=64m vqsim-driver-only traces
"$ROOT/vqsim" generate --rw randread --bs 4k --iodepth 16 --count 4000 -o traces/host-a.arrow >/dev/null
"$ROOT/vqsim" generate --rw randrw --bs 4k:70,64k:30 --iodepth 32 --count 4000 -o traces/host-b.arrow >/dev/null
"$ROOT/vqsim" generate --rw write --bs 128k --iodepth 4 --count 2000 -o traces/host-c.arrow >/dev/null
cp "$ROOT/samples/qemu-lab/randread4k.direct.guest-ftrace.txt.gz" traces/
# network units beside the block ones: a generated packet trace and a lab capture of a virtio-net run
"$ROOT/vqsim" generate --net tcp-stream --direction both --msg-size 64k --count 200 -o traces/net-stream.arrow >/dev/null
cp "$ROOT/samples/qemu-lab-net/tcp-rr.viommu-strict.guest-ftrace.txt.gz" traces/
echo "captures of the test fleet" >traces/NOTES.txt
sed 's/^profile = x86-kvm/profile = x86-lab/' "$ROOT/engine/src/main/resources/org/vqsim/engine/cost/x86-kvm.profile" >traces/lab.profile
grid=(traces/ --strategy direct,bounce,viommu-strict --ring split,packed --profile traces/lab.profile)

echo "== local engine (--jobs 2): the reference"
"$ROOT/vqsim" sweep "${grid[@]}" --jobs 2 -o out/local | tail -1

echo "== 1. vqsim sweep --master $url, the traces on a tmpfs the workers cannot see"
"$ROOT/vqsim" sweep "${grid[@]}" --master "$url" -o out/cluster 2>out/cluster.err >out/cluster.out
tail -3 out/cluster.out
grep -q "IOPS|packets/s" out/cluster.out || { cat out/cluster.out; echo "FAIL: the sweep's table shows no network units"; exit 1; }
grep -q "shipping 7 files" out/cluster.err || { cat out/cluster.err; echo "FAIL: the driver shipped no traces"; exit 1; }
cmp out/local/sweep.arrow out/cluster/sweep.arrow
echo "the cluster wrote the same sweep.arrow as the local engine"

echo "== 2. spark-submit (SparkSubmit) of vqsim-spark.jar in client mode"
"$ROOT/scripts/spark-cluster.sh" submit --master "$url" --deploy-mode client --class org.vqsim.replay.Main "$ROOT/spark/target/vqsim-spark.jar" \
  sweep "${grid[@]}" --engine spark -o out/submitted 2>out/submitted.err | tail -1
cmp out/local/sweep.arrow out/submitted/sweep.arrow
echo "spark-submit wrote the same sweep.arrow"

echo "== 3. a worker killed (SIGKILL) in the middle of a sweep"
big=(traces/ --strategy direct,bounce,viommu-strict,virtio-iommu --ring split,packed --param iodepth=1,32 --profile traces/lab.profile)
"$ROOT/vqsim" sweep "${big[@]}" --jobs 2 -o out/local-big | tail -1
total=96
"$ROOT/vqsim" sweep "${big[@]}" --master "$url" -o out/killed >out/killed.out 2>out/killed.err &
pid=$!
echo "$pid" >out/driver.pid
for _ in $(seq 1 1800); do
  parts=$( (ls out/killed/.sweep-parts 2>/dev/null || true) | grep -c '^unit-.*\.ser$' || true)
  [ "$parts" -ge $((total / 4)) ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ "${parts:-0}" -lt "$total" ] || { echo "FAIL: the sweep ended before a worker could be killed"; exit 1; }
kill -KILL "$(cat "$VQSIM_SPARK_CLUSTER/worker-1.pid")"
echo "killed worker 1 (pid $(cat "$VQSIM_SPARK_CLUSTER/worker-1.pid")) with $parts of $total combinations done"
wait "$pid" || { cat out/killed.err; echo "FAIL: the sweep failed after the worker was killed"; exit 1; }
tail -4 out/killed.out
grep -q "1 lost" out/killed.out || { echo "FAIL: the closing line does not show the lost executor"; exit 1; }
cmp out/local-big/sweep.arrow out/killed/sweep.arrow
echo "the sweep that lost a worker wrote the same sweep.arrow as the local engine"
EOF
# the driver (and everything it starts) in a mount namespace of its own; the workers stay outside
unshare -m --propagation private bash "$work/driver.sh" "$ROOT" "$url" "$work" &
driver_pid=$!
wait "$driver_pid"
driver_pid=""
[ -z "$(ls -A "$work/traces")" ] || { echo "FAIL: the traces were visible outside the driver's namespace"; exit 1; }
echo "the workers' side never saw the traces ($work/traces is empty outside the driver's namespace)"

"$ROOT/scripts/spark-cluster.sh" stop
left=$(pgrep -f -- "$VQSIM_SPARK_CLUSTER/" || true)
[ -z "$left" ] || { echo "FAIL: cluster processes left running: $left"; exit 1; }
echo "cluster stopped, no process left"
