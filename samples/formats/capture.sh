#!/usr/bin/env bash
# Captures the real-format samples of this folder on a Linux machine: one fio run (4 KiB and 64 KiB
# random I/O, 70% reads, libaio, queue depth 4, O_DIRECT) against a loop device, recorded twice at
# once — by fio itself (--write_iolog: fio-iolog.log, fio's iolog v3) and by the kernel's blk tracer
# (blk-tracer.txt, the block layer's Q/G/P/U/D/C events). to-formats.py then prints the block
# events in blkparse's default output format (blkparse.txt) and as MSR Cambridge CSV (msr.csv).
#
#   sudo samples/formats/capture.sh       (needs root, fio and tracefs; writes into this folder)
#
# Why the blk tracer and not blktrace: blktrace reads the relay files under debugfs, which the
# machine these samples were made on refuses (EPERM); the ftrace blk tracer records the same
# events from the same kernel hooks (kernel/trace/blktrace.c), and blkparse would print them alike.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T"
work=$(mktemp -d)
trap 'echo nop > $T/current_tracer 2>/dev/null || true; [ -n "${loop:-}" ] && losetup -d "$loop"; rm -rf "$work"' EXIT
truncate -s 256M "$work/disk.img"
loop=$(losetup -f --show "$work/disk.img")
dev=$(basename "$loop")
echo blk > "$T/current_tracer"
echo 1 > "/sys/block/$dev/trace/enable"
echo > "$T/trace"
date -u +%s.%N > "$work/start"
awk '{print $1}' /proc/uptime >> "$work/start"
fio --name=mix --filename="$loop" --direct=1 --rw=randrw --rwmixread=70 --bssplit=4k/70:64k/30 --iodepth=4 \
    --ioengine=libaio --size=64m --io_size=4m --randseed=42 --write_iolog="$here/fio-iolog.log" > "$work/fio.out"
echo 0 > "/sys/block/$dev/trace/enable"
{ echo "# blk tracer of Linux $(uname -r | cut -d- -f1), device $loop ($(cat /sys/block/$dev/dev)); wall clock at uptime $(sed -n 2p "$work/start") s: $(sed -n 1p "$work/start")"
  grep -v '^#' "$T/trace"; } > "$here/blk-tracer.txt"
echo nop > "$T/current_tracer"
python3 "$here/to-formats.py" "$here/blk-tracer.txt" "$here"
echo "fio $(fio --version), $(grep -c -E ' (read|write) ' "$here/fio-iolog.log") I/Os; blk-tracer.txt, blkparse.txt, msr.csv, fio-iolog.log written to $here"
