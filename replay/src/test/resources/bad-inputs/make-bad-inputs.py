#!/usr/bin/env python3
"""Writes the text and gzip files of the bad-input corpus (BadInputsTest), deterministically.

Run from anywhere: python3 make-bad-inputs.py. The Arrow files of the corpus are written by
BadInputsCorpus (replay/src/test/java/org/vqsim/replay/BadInputsCorpus.java), which needs Arrow.
Every file is small; the expected exit code and message of each live in BadInputsTest.
"""
import gzip
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = os.path.join(HERE, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return gzip.compress(data, mtime=0)


# ---- well-formed requests, one builder per format --------------------------------------------

FTRACE_HEAD = "# tracer: nop\n#\n"


def ftrace_issue(t, sector, sectors=8, rwbs="RS", nbytes=None):
    nbytes = sectors * 512 if nbytes is None else nbytes
    return f"    kworker/0:1H-37      [000] .....     {t:.6f}: block_rq_issue: 254,0 {rwbs} {nbytes} () {sector} + {sectors} [kworker/0:1H]\n"


def ftrace_insert(t, sector, sectors=8, rwbs="RS", cpu="001"):
    """block_rq_insert on the submitting task's CPU: it names the request's CPU."""
    return f"             fio-201     [{cpu}] ...1.     {t:.6f}: block_rq_insert: 254,0 {rwbs} {sectors * 512} () {sector} + {sectors} [fio]\n"


def ftrace_complete(t, sector, sectors=8, rwbs="RS"):
    return f"          <idle>-0       [000] d.h2.     {t:.6f}: block_rq_complete: 254,0 {rwbs} () {sector} + {sectors} [0]\n"


def ftrace(n=10, t0=3.0):
    s = FTRACE_HEAD
    for i in range(n):
        s += ftrace_issue(t0 + i * 0.001, i * 8) + ftrace_complete(t0 + i * 0.001 + 0.0005, i * 8)
    return s


def qemu_rq(t, req, sector, nsectors=8, op="read"):
    return (f"6178@{t:.6f}:virtio_queue_notify vdev 0x1 n 0 vq 0x2\n"
            f"6178@{t + 0.000010:.6f}:virtio_blk_handle_{op} vdev 0x1 req 0x{req:x} sector {sector} nsectors {nsectors}\n"
            f"6178@{t + 0.000100:.6f}:virtio_blk_rw_complete vdev 0x1 req 0x{req:x} ret 0\n"
            f"6178@{t + 0.000110:.6f}:virtio_blk_req_complete vdev 0x1 req 0x{req:x} status 0\n"
            f"6178@{t + 0.000120:.6f}:virtio_notify_irqfd vdev 0x1 vq 0x2\n")


def qemu(n=10, t0=100.0):
    return "".join(qemu_rq(t0 + i * 0.001, 0xa0 + i, i * 8) for i in range(n))


def blk(t, action, sector, sectors=8, rwbs="R", seq=1, cpu=0):
    return f"  8,0 {cpu:4d} {seq:8d} {t:14.9f}   697  {action}   {rwbs} {sector} + {sectors} [dd]\n"


def blkparse(n=10, t0=0.0):
    s = ""
    for i in range(n):
        s += blk(t0 + i * 0.001, "D", i * 8, seq=2 * i + 1) + blk(t0 + i * 0.001 + 0.0004, "C", i * 8, seq=2 * i + 2)
    return s


def fio2(n=10):
    return "fio version 2 iolog\n/tmp/f add\n/tmp/f open\n" + "".join(f"/tmp/f read {i * 4096} 4096\n" for i in range(n)) + "/tmp/f close\n"


def fio3(n=10):
    return ("fio version 3 iolog\n24 /tmp/f add\n222 /tmp/f open\n"
            + "".join(f"{300 + i * 100} /tmp/f read {i * 4096} 4096\n" for i in range(n)) + f"{400 + n * 100} /tmp/f close\n")


MSR_HEAD = "Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\n"


def msr_row(ticks, offset, size=4096, typ="Read", resp=1953):
    return f"{ticks},hm,1,{typ},{offset},{size},{resp}\n"


def msr(n=10, t0=128166372003061629):
    return MSR_HEAD + "".join(msr_row(t0 + i * 10000, i * 4096) for i in range(n))


def lines(text):
    return text.splitlines(keepends=True)


def cut_line(text, index, keep):
    """The file with line `index` (0-based) cut after `keep` characters: a line ended mid-write."""
    ls = lines(text)
    ls[index] = ls[index][:keep] + "\n"
    return "".join(ls)


def replace_line(text, index, new):
    ls = lines(text)
    ls[index] = new
    return "".join(ls)


def insert_line(text, index, new):
    ls = lines(text)
    ls.insert(index, new)
    return "".join(ls)


# ---- format-independent ----------------------------------------------------------------------

rnd = random.Random(8)
garbage = bytes(rnd.randrange(256) for _ in range(4096))
write("empty.txt", b"")
write("garbage.bin", garbage)
write("unknown-format.txt", "hello,\nthis is a letter and not a trace\n")
write("empty.gz", gz(b""))
write("truncated.txt.gz", gz(ftrace(200))[:700])
write("corrupt.txt.gz", (lambda b: b[:40] + bytes(x ^ 0x5a for x in b[40:80]) + b[80:])(gz(ftrace(50))))

# ---- per format: the same defects, each in the format's own words ----------------------------

FORMATS = {
    "ftrace": (ftrace, 2),   # builder, index of the first request line
    "qemu": (qemu, 0),
    "blkparse": (blkparse, 0),
    "fio2": (fio2, 3),
    "fio3": (fio3, 3),
    "msr": (msr, 1),
}

# where the cut-line files cut their line: inside a field the reader needs
CUT_AT = {"ftrace": (4, 20), "qemu": (6, 60), "blkparse": (4, 20), "fio2": (4, 15), "fio3": (4, 19), "msr": (4, 20)}

for fmt, (build, first) in FORMATS.items():
    good = build()
    write(f"{fmt}/one-request.txt", build(1))
    write(f"{fmt}/truncated.gz", gz(build(400))[:900])
    write(f"{fmt}/garbage-after-header.txt", "".join(lines(good)[:first + 2]).encode() + garbage[:300].replace(b"\n", b" ") + b"\n")
    # the first field of a request line cut short: a line ended mid-write
    write(f"{fmt}/cut-line.txt", cut_line(good, first + CUT_AT[fmt][0], CUT_AT[fmt][1]))
    write(f"{fmt}/cut-last-line.txt", good[: len(good) - 12])

# ftrace ---------------------------------------------------------------------------------------
g = ftrace()
write("ftrace/non-utf8.txt", replace_line(g, 6, ftrace_issue(3.002, 16).replace("4096", "40\xff\xfe96")).encode("latin-1"))
write("ftrace/non-utf8-task-name.txt", replace_line(g, 6, ftrace_issue(3.002, 16).replace("kworker/0:1H-37", "kw\xe9rker-37")).encode("latin-1"))
write("ftrace/negative-size.txt", replace_line(g, 6, ftrace_issue(3.002, 16, nbytes=-4096)))
write("ftrace/zero-size.txt", replace_line(g, 6, ftrace_issue(3.002, 16, sectors=0, nbytes=0)))
write("ftrace/absurd-size.txt", replace_line(g, 6, ftrace_issue(3.002, 16, nbytes=1 << 40)))
write("ftrace/negative-offset.txt", replace_line(g, 6, ftrace_issue(3.002, -16)))
write("ftrace/absurd-offset.txt", replace_line(g, 6, ftrace_issue(3.002, 1 << 60)))
write("ftrace/timestamps-backwards.txt", FTRACE_HEAD + ftrace_issue(3.0, 0) + ftrace_complete(3.0005, 0)
      + ftrace_issue(2.0, 8) + ftrace_complete(2.0005, 8) + ftrace_issue(3.001, 16) + ftrace_complete(3.0015, 16))
write("ftrace/absurd-timestamp.txt", FTRACE_HEAD + ftrace_issue(3.0, 0) + ftrace_complete(3.0005, 0)
      + ftrace_issue(8999999999.0, 8) + ftrace_complete(8999999999.0005, 8))
write("ftrace/completion-without-issue.txt", insert_line(g, 4, ftrace_complete(3.0015, 999)))
write("ftrace/issue-without-completion.txt", "".join(l for l in lines(g) if "block_rq_complete: 254,0 RS () 24 " not in l))
write("ftrace/unknown-events.txt", insert_line(g, 4, "    kworker/0:1H-37      [000] .....     3.001100: sched_switch: prev_comm=kworker next_comm=swapper\n"))
# the submitting CPU: block_rq_insert on CPUs 1 and 2 for some requests only (tolerated: import spreads the rest), and a CPU field no kernel has
write("ftrace/cpu-for-some-requests.txt", insert_line(insert_line(g, 8, ftrace_insert(3.00295, 24, cpu="002")), 4, ftrace_insert(3.00095, 8)))
write("ftrace/absurd-cpu.txt", insert_line(g, 6, ftrace_insert(3.00195, 16, cpu="99999")))
write("ftrace/huge-request.txt", FTRACE_HEAD + ftrace_issue(3.0, 0, sectors=2048) + ftrace_complete(3.01, 0, sectors=2048)
      + ftrace_issue(3.02, 8192, sectors=2048) + ftrace_complete(3.03, 8192, sectors=2048))

# qemu -----------------------------------------------------------------------------------------
g = qemu()
write("qemu/non-utf8.txt", replace_line(g, 6, lines(g)[6].replace("sector 8", "sector 8\xff\xfe")).encode("latin-1"))
write("qemu/negative-size.txt", replace_line(g, 6, lines(g)[6].replace("nsectors 8", "nsectors -8")))
write("qemu/zero-size.txt", replace_line(g, 6, lines(g)[6].replace("nsectors 8", "nsectors 0")))
write("qemu/absurd-size.txt", replace_line(g, 6, lines(g)[6].replace("nsectors 8", "nsectors 4294967296")))
write("qemu/negative-offset.txt", replace_line(g, 6, lines(g)[6].replace("sector 8 ", "sector -8 ")))
write("qemu/absurd-offset.txt", replace_line(g, 6, lines(g)[6].replace("sector 8 ", f"sector {1 << 60} ")))
write("qemu/timestamps-backwards.txt", qemu_rq(100.0, 0xa0, 0) + qemu_rq(99.9995, 0xa1, 8) + qemu_rq(100.002, 0xa2, 16))
write("qemu/completion-without-issue.txt", insert_line(g, 5, "6178@100.000900:virtio_blk_req_complete vdev 0x1 req 0xdead status 0\n"))
write("qemu/issue-without-completion.txt", "".join(l for l in lines(g) if "req 0xa3 " not in l or "handle_read" in l))
write("qemu/unknown-events.txt", insert_line(g, 5, "6178@100.000900:memory_region_ops_read cpu 0 mr 0x1 addr 0x10 value 0x0 size 4\n"))
write("qemu/huge-request.txt", qemu_rq(100.0, 0xa0, 0, nsectors=2048, op="write") + qemu_rq(100.1, 0xa1, 8192, nsectors=2048))

# blkparse -------------------------------------------------------------------------------------
g = blkparse()
write("blkparse/non-utf8.txt", replace_line(g, 4, blk(0.002, "D", 16, seq=5).replace("+ 8", "+ 8\xff")).encode("latin-1"))
write("blkparse/negative-size.txt", replace_line(g, 4, blk(0.002, "D", 16, sectors=-8, seq=5)))
write("blkparse/zero-size.txt", replace_line(g, 4, blk(0.002, "D", 16, sectors=0, seq=5)))
write("blkparse/absurd-size.txt", replace_line(g, 4, blk(0.002, "D", 16, sectors=1 << 40, seq=5)))
write("blkparse/negative-offset.txt", replace_line(g, 4, blk(0.002, "D", -16, seq=5)))
write("blkparse/absurd-offset.txt", replace_line(g, 4, blk(0.002, "D", 1 << 60, seq=5)))
write("blkparse/timestamps-backwards.txt", blk(1.0, "D", 0) + blk(1.0004, "C", 0) + blk(0.5, "D", 8) + blk(0.5004, "C", 8) + blk(1.001, "D", 16) + blk(1.0014, "C", 16))
write("blkparse/completion-without-issue.txt", insert_line(g, 2, blk(0.0012, "C", 9999)))
write("blkparse/issue-without-completion.txt", "".join(l for l in lines(g) if not (" C " in l and " 24 + 8" in l)))
write("blkparse/unknown-events.txt", insert_line(g, 2, blk(0.0011, "Q", 16, seq=99) + blk(0.0011, "X", 16, seq=99)))
write("blkparse/cpu-for-some-requests.txt", insert_line(insert_line(g, 4, blk(0.0019, "Q", 16, seq=97, cpu=3)), 2, blk(0.0009, "Q", 8, seq=98, cpu=1)))
write("blkparse/absurd-cpu.txt", insert_line(g, 4, blk(0.0019, "Q", 16, seq=97, cpu=70000)))
write("blkparse/huge-request.txt", blk(0.0, "D", 0, sectors=2048) + blk(0.01, "C", 0, sectors=2048) + blk(0.02, "D", 4096, sectors=1024, rwbs="W") + blk(0.03, "C", 4096, sectors=1024, rwbs="W"))

# fio ------------------------------------------------------------------------------------------
for v, g in (("fio2", fio2()), ("fio3", fio3())):
    pre = "310 " if v == "fio3" else ""
    write(f"{v}/non-utf8.txt", replace_line(g, 5, f"{pre}/tmp/f read 81\xff92 4096\n").encode("latin-1"))
    write(f"{v}/negative-size.txt", replace_line(g, 5, f"{pre}/tmp/f read 8192 -4096\n"))
    write(f"{v}/zero-size.txt", replace_line(g, 5, f"{pre}/tmp/f read 8192 0\n"))
    write(f"{v}/absurd-size.txt", replace_line(g, 5, f"{pre}/tmp/f read 8192 {1 << 40}\n"))
    write(f"{v}/negative-offset.txt", replace_line(g, 5, f"{pre}/tmp/f read -8192 4096\n"))
    write(f"{v}/absurd-offset.txt", replace_line(g, 5, f"{pre}/tmp/f read {1 << 64} 4096\n"))
    write(f"{v}/unknown-events.txt", insert_line(g, 5, f"{pre}/tmp/f frobnicate 0 4096\n"))
    write(f"{v}/huge-request.txt", g.replace("read 0 4096", "write 0 1048576"))
write("fio3/timestamps-backwards.txt", "fio version 3 iolog\n10 /tmp/f add\n500 /tmp/f read 0 4096\n100 /tmp/f read 4096 4096\n600 /tmp/f read 8192 4096\n")

# msr ------------------------------------------------------------------------------------------
g = msr()
T = 128166372003061629
write("msr/non-utf8.txt", replace_line(g, 4, msr_row(T + 30000, 12288).replace("hm", "h\xffm").replace("12288", "122\xff88")).encode("latin-1"))
write("msr/negative-size.txt", replace_line(g, 4, msr_row(T + 30000, 12288, size=-4096)))
write("msr/zero-size.txt", replace_line(g, 4, msr_row(T + 30000, 12288, size=0)))
write("msr/absurd-size.txt", replace_line(g, 4, msr_row(T + 30000, 12288, size=1 << 40)))
write("msr/negative-offset.txt", replace_line(g, 4, msr_row(T + 30000, -12288)))
write("msr/absurd-offset.txt", replace_line(g, 4, msr_row(T + 30000, 1 << 64)))
write("msr/timestamps-backwards.txt", MSR_HEAD + msr_row(T, 0) + msr_row(T - 5_000_000, 4096) + msr_row(T + 10000, 8192))
write("msr/absurd-timestamp.txt", MSR_HEAD + msr_row(1, 0) + msr_row(9_000_000_000_000_000_000, 4096))
write("msr/unknown-events.txt", insert_line(g, 4, msr_row(T + 25000, 0, typ="Trim")))
write("msr/huge-request.txt", MSR_HEAD + msr_row(T, 0, size=1 << 20, typ="Write") + msr_row(T + 10000, 0, size=1 << 20))
write("msr/header-only.txt", MSR_HEAD)


# ---- the right content for another format: --format names the wrong one ---------------------
write("wrong-format/fio-log.txt", fio3())
write("wrong-format/ftrace.txt", ftrace())
write("wrong-format/msr.csv", msr())
write("wrong-format/blkparse.txt", blkparse())
