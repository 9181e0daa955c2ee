#!/usr/bin/env bash
# How each DMA strategy scales with vCPUs: 4 KiB random reads, one fio-style job per vCPU at iodepth 32,
# vcpus = 1, 2, 4, 8, 16, 32 (one virtio-blk queue per vCPU), on vhost (a worker per queue) and on QEMU
# with 4 iothreads, with a RAM-speed backend (so the device is not the limit) and with the profile's SSD.
#   scripts/scaling-sweep.sh [OUTDIR] [REQUESTS_PER_JOB]      (default scaling/ and 10000)
# Writes OUTDIR/{ram,ssd}/{x86,x86-one-area,power}/sweep.arrow (+ report.html each) and prints, per
# point, IOPS, the busiest vCPU and VMM thread, lock wait per request and the lock waited for most.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-scaling}"
count="${2:-10000}"
vq="$here/vqsim"
# RAM speed: 1 us and 100 GiB/s, an assumption for this experiment only (a null_blk-like device), not a
# model figure: it moves the limit from the device to the guest, the VMM threads and the locks.
ram=(--param cost.backend_latency_ns=1000 --param cost.backend_mib_per_s=102400)
common=(--generate "--rw randread --bs 4k --iodepth 32 --count $count" --param vcpus=1,2,4,8,16,32 --param backend=vhost,qemu
  --replay "--iothreads 4" --report --force)
for dev in ram ssd; do
  extra=(); [ "$dev" = ram ] && extra=("${ram[@]}")
  "$vq" sweep "${common[@]}" "${extra[@]}" --strategy direct,bounce,viommu-strict,virtio-iommu -o "$out/$dev/x86" | tail -1
  "$vq" sweep "${common[@]}" "${extra[@]}" --strategy bounce --param swiotlb.areas=1 -o "$out/$dev/x86-one-area" | tail -1
  "$vq" sweep "${common[@]}" "${extra[@]}" --profile power9-kvm --strategy tce --param tce-pools=1,4 -o "$out/$dev/power" | tail -1
done
python3 - "$vq" "$out" <<'EOF'
import csv, io, subprocess, sys
vq, out = sys.argv[1], sys.argv[2]
for dev in ("ram", "ssd"):
    for part in ("x86", "x86-one-area", "power"):
        rows = list(csv.DictReader(io.StringIO(subprocess.run([vq, "show", f"{out}/{dev}/{part}/sweep.arrow", "--csv"],
                                                               capture_output=True, text=True, check=True).stdout)))
        variant = lambda r: r["strategy"] + ("" if part != "x86-one-area" else " (1 area)") + \
            (f" (tce-pools {r['tce-pools']})" if "tce-pools" in r else "")
        for backend in ("vhost", "qemu"):
            print(f"\n== {dev} backend, {'vhost' if backend == 'vhost' else 'QEMU, 4 iothreads'}, {part}")
            print(f"{'strategy':28} {'vcpus':>5} {'kIOPS':>8} {'vcpu max':>8} {'vmm max':>8} {'wait ns/req':>11}  most waited")
            for r in sorted((r for r in rows if r["backend"] == backend), key=lambda r: (variant(r), int(r["vcpus"]))):
                print(f"{variant(r):28} {r['vcpus']:>5} {float(r['iops']) / 1e3:8.1f} {float(r['vcpu_util_max']):8.2f} "
                      f"{float(r['vmm_util_max']):8.2f} {float(r['lock_wait_ns_per_request']):11.0f}  {r['most_waited_lock']}")
EOF
