#!/usr/bin/env python3
"""Prints the block events of blk-tracer.txt (the kernel's blk tracer) as blkparse's default output
(blkparse.txt) and as MSR Cambridge CSV (msr.csv). Standard library only; deterministic.

    to-formats.py blk-tracer.txt OUTDIR

blkparse(1) default format, per event: "%D %2c %8s %5T.%9t %5p %2a %3d " then the action's details
("SECTOR + SECTORS [COMM]"; for C the error code in brackets; P/U "[COMM]" (U adds the request count)).
Times are relative to the first event; sequence numbers count per CPU, as blkparse's do.

MSR Cambridge (SNIA IOTTA), per completed request: Timestamp (Windows FILETIME of the issue, 100 ns
ticks since 1601-01-01), Hostname, DiskNumber, Type (Read/Write), Offset (bytes), Size (bytes),
ResponseTime (issue to completion, 100 ns ticks). The issue is the D event, the completion its C.
"""
import re
import sys
from datetime import datetime, timezone

LINE = re.compile(r"^\s*(\S+)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+)\.(\d+):\s+(\d+),(\d+)\s+(\w+)\s+(\S+)\s+(.*)$")


def main():
    src, out = sys.argv[1], sys.argv[2]
    header = open(src, encoding="utf-8").readline()
    m = re.search(r"wall clock at uptime ([\d.]+) s: ([\d.]+)", header)
    uptime0, wall0 = float(m.group(1)), float(m.group(2))
    events = []
    for line in open(src, encoding="utf-8"):
        if line.startswith("#"):
            continue
        e = LINE.match(line)
        if not e:
            raise SystemExit(f"{src}: cannot read: {line.rstrip()}")
        comm, pid, cpu, sec, frac, maj, mnr, action, rwbs, rest = e.groups()
        ns = int(sec) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
        events.append((ns, comm, int(pid), int(cpu), int(maj), int(mnr), action, rwbs, rest.strip()))
    t0 = events[0][0]
    seq = {}
    with open(f"{out}/blkparse.txt", "w", encoding="utf-8") as f:
        for ns, comm, pid, cpu, maj, mnr, action, rwbs, rest in events:
            seq[cpu] = seq.get(cpu, 0) + 1
            rel = ns - t0
            f.write(f"{maj:3d},{mnr:<3d} {cpu:2d} {seq[cpu]:8d} {rel // 1_000_000_000:5d}.{rel % 1_000_000_000:09d} {pid:5d}  {action:<1s} {rwbs:>3s} {rest}\n")
    issued = {}
    rows = []
    for ns, comm, pid, cpu, maj, mnr, action, rwbs, rest in events:
        if action not in ("D", "C") or "+" not in rest:
            continue
        sector, _, count = rest.split()[:3]
        key = (int(sector), int(count), "W" in rwbs)
        if action == "D":
            issued[key] = ns
        elif key in issued:
            d = issued.pop(key)
            wall = wall0 + (d / 1e9 - uptime0)
            filetime = int(round((wall + 11644473600) * 10_000_000))
            rows.append((filetime, "Write" if key[2] else "Read", key[0] * 512, key[1] * 512, round((ns - d) / 100)))
    with open(f"{out}/msr.csv", "w", encoding="utf-8") as f:
        for ft, typ, off, size, resp in sorted(rows):
            f.write(f"{ft},vqsimlab,0,{typ},{off},{size},{resp}\n")


if __name__ == "__main__":
    main()
