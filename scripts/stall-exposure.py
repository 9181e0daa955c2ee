#!/usr/bin/env python3
"""Where the timing lab's guest-side tail comes from (docs/TIMING-ACCURACY.md, "Where the tail comes from").

  scripts/stall-exposure.py [LAB_DIR]      (default: samples/qemu-lab-timing)

Reads every run's guest ftrace and QEMU log (pure Python, no packages) and prints:
 1. per run: the guest-side time (latency - QEMU's virtqueue_pop -> virtqueue_fill) p50 and p99, its
    stall (guest-side - the run's median, at least 0) p99, the map phase (issue -> last iommu:map), the
    unmap phase (first iommu:unmap -> complete) and the rest, p50/p99; the spacing of consecutive
    map or unmap events (one vIOMMU trap each) p50/p99/p99.9 and the share above 50 us; service p50/p99;
 2. the least-squares slope of log(a run's stall quantile) on log(its median guest-side time) over
    the 27 runs, at p75, p90 and p99 (a sum of independent pieces along the path gives 1/2);
 3. how well a typical run's stall distribution predicts each run's p99 stall under four laws —
    none (one per strategy), sqrt of the exposure (one pooled, one per strategy), proportional —
    as the root mean square of log(predicted / observed) over the 27 runs;
 4. per run: the correlation of guest-side and service time, and the latency p99 observed against
    the p99 of guest-side + service drawn independently (the service shuffled, mean of 20 shuffles);
 5. per run: its stall p75/p90/p99 against those of a sum of (median guest-side time / median trap
    spacing) trap spacings' deviations from their median, drawn from all viommu-strict runs' spacings
    (4,000 sums per run, less their median, at least 0): stalls as independent per-step pieces;
 6. the QEMU service p99 over its run's mean, median over each workload's and each strategy's runs.
"""
import gzip
import math
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ["randread4k", "seqread64k", "seqwrite128k"]
MODES = ["direct", "bounce", "viommu-strict"]
PROBS = [i / 100 for i in range(100)] + [0.995, 0.999, 1.0]


def quantile(v, p):
    """Nearest rank, as calibrate takes it."""
    s = sorted(v)
    return s[max(0, min(len(s) - 1, math.ceil(p * len(s)) - 1))]


def guest(path):
    reqs, cur, on = [], None, False
    ev_re = re.compile(r"\s(\d+\.\d+): (\w+):")
    with gzip.open(path, "rt") as f:
        for line in f:
            if "WL-BEGIN" in line:
                on = True
                continue
            if "WL-END" in line:
                break
            if not on:
                continue
            m = ev_re.search(line)
            if not m:
                continue
            t, ev = float(m.group(1)) * 1e6, m.group(2)
            if ev == "block_rq_issue":
                cur = {"issue": t, "maps": [], "unmaps": []}
            elif cur is not None and ev == "map":
                cur["maps"].append(t)
            elif cur is not None and ev == "unmap":
                cur["unmaps"].append(t)
            elif cur is not None and ev == "block_rq_complete":
                cur["complete"] = t
                reqs.append(cur)
                cur = None
    return reqs


def service(path, n):
    """The last n requests' pop -> fill, us (the measured requests are the last n of the log)."""
    pops, out = {}, []
    line_re = re.compile(r"\d+@(\d+\.\d+):(virtqueue_pop|virtqueue_fill) .*elem (\w+)")
    with gzip.open(path, "rt") as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                continue
            t = float(m.group(1)) * 1e6
            if m.group(2) == "virtqueue_pop":
                pops[m.group(3)] = t
            elif m.group(3) in pops:
                out.append(t - pops.pop(m.group(3)))
    return out[-n:]


def slope(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / sxx, sxy * sxy / (sxx * syy)


def main():
    lab = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "samples", "qemu-lab-timing")
    runs = {}
    print("## 1. per run (us)\n")
    print("| run | guest-side p50 | p99 | stall p99 | map phase p50 | p99 | unmap phase p50 | p99 | rest p50 | p99 "
          "| trap spacing p50 | p99 | p99.9 | share > 50 us | service p50 | p99 |")
    print("|---|" + "---|" * 16)
    for w in WORKLOADS:
        for m in MODES:
            for b in (1, 2, 3):
                name = f"{w}.{m}.boot{b}"
                g = guest(os.path.join(lab, name + ".guest-ftrace.txt.gz"))
                svc = service(os.path.join(lab, name + ".qemu-trace.log.gz"), len(g))
                lat = [r["complete"] - r["issue"] for r in g]
                gs = [a - s for a, s in zip(lat, svc)]
                mp = [(r["maps"][-1] - r["issue"]) if r["maps"] else 0 for r in g]
                up = [(r["complete"] - r["unmaps"][0]) if r["unmaps"] else 0 for r in g]
                rest = [x - a - u for x, a, u in zip(gs, mp, up)]
                gaps = [L[i + 1] - L[i] for r in g for L in (r["maps"], r["unmaps"]) for i in range(len(L) - 1)]
                med = quantile(gs, 0.5)
                stall = [max(0.0, x - med) for x in gs]
                runs[name] = (med, stall, gs, svc, lat, gaps)
                gp = (f"{quantile(gaps, .5):.0f} | {quantile(gaps, .99):.0f} | {quantile(gaps, .999):.0f} | "
                      f"{sum(1 for x in gaps if x > 50) / len(gaps):.3f}") if gaps else "- | - | - | -"
                print(f"| {name} | {med:.0f} | {quantile(gs, .99):.0f} | {quantile(stall, .99):.0f} | {quantile(mp, .5):.0f} | "
                      f"{quantile(mp, .99):.0f} | {quantile(up, .5):.0f} | {quantile(up, .99):.0f} | {quantile(rest, .5):.0f} | "
                      f"{quantile(rest, .99):.0f} | {gp} | {quantile(svc, .5):.0f} | {quantile(svc, .99):.0f} |")
    names = list(runs)
    print("\n## 2. log(stall quantile) against log(median guest-side time), 27 runs\n")
    for p in (0.75, 0.9, 0.99):
        xs = [math.log(runs[n][0]) for n in names]
        ys = [math.log(max(1.0, quantile(runs[n][1], p))) for n in names]
        k, r2 = slope(xs, ys)
        print(f"p{p * 100:g}: slope {k:.2f} (R^2 {r2:.2f})")

    def typical(group, alpha):
        cols = []
        for n in group:
            t = runs[n][0]
            cols.append([quantile([x / t ** alpha for x in runs[n][1]], p) for p in PROBS])
        return [sorted(c[i] for c in cols)[len(cols) // 2] if len(cols) % 2 else
                sum(sorted(c[i] for c in cols)[len(cols) // 2 - 1:len(cols) // 2 + 1]) / 2 for i in range(len(PROBS))]

    print("\n## 3. each run's p99 stall from a typical run's distribution: rms of log(predicted / observed), 27 runs\n")
    for label, alpha, per_strategy in (("one per strategy, not scaled", 0.0, True), ("pooled, x sqrt(exposure)", 0.5, False),
                                       ("one per strategy, x sqrt(exposure)", 0.5, True), ("pooled, x exposure", 1.0, False)):
        err = []
        for n in names:
            mode = n.split(".")[1]
            group = [x for x in names if x.split(".")[1] == mode] if per_strategy else names
            d = typical(group, alpha)
            pred = d[PROBS.index(0.99)] * runs[n][0] ** alpha
            err.append(math.log(pred / quantile(runs[n][1], 0.99)))
        print(f"{label}: {math.sqrt(sum(e * e for e in err) / len(err)):.3f}")

    print("\n## 4. guest-side against service time, per run\n")
    print("| run | correlation | latency p99 observed | p99 with the service drawn independently |")
    print("|---|---|---|---|")
    rnd = random.Random(0)
    for n in names:
        _, _, gs, svc, lat, _ = runs[n]
        mg, ms = sum(gs) / len(gs), sum(svc) / len(svc)
        cov = sum((a - mg) * (b - ms) for a, b in zip(gs, svc))
        c = cov / math.sqrt(sum((a - mg) ** 2 for a in gs) * sum((b - ms) ** 2 for b in svc))
        ind = []
        for _ in range(20):
            sh = svc[:]
            rnd.shuffle(sh)
            ind.append(quantile([a + b for a, b in zip(gs, sh)], 0.99))
        print(f"| {n} | {c:+.2f} | {quantile(lat, .99):.0f} | {sum(ind) / len(ind):.0f} |")

    print("\n## 5. stall p75 / p90 / p99 observed against a sum of trap-spacing deviations, per run (us)\n")
    gaps = [x for n in names for x in runs[n][5]]
    mg = quantile(gaps, 0.5)
    dev = [x - mg for x in gaps]
    print(f"{len(gaps)} spacings, median {mg:.0f} us\n")
    print("| run | steps | observed | per-step sum |")
    print("|---|---|---|---|")
    rnd = random.Random(1)
    for n in names:
        k = max(1, round(runs[n][0] / mg))
        sums = [sum(rnd.choice(dev) for _ in range(k)) for _ in range(4000)]
        m = quantile(sums, 0.5)
        sums = [max(0.0, x - m) for x in sums]
        obs = runs[n][1]
        print(f"| {n} | {k} | {' / '.join(f'{quantile(obs, p):.0f}' for p in (.75, .9, .99))} | "
              f"{' / '.join(f'{quantile(sums, p):.0f}' for p in (.75, .9, .99))} |")

    print("\n## 6. service p99 / the run's mean service, median over the runs\n")
    ratio = {n: quantile(runs[n][3], 0.99) / (sum(runs[n][3]) / len(runs[n][3])) for n in names}
    for i, keys in ((0, WORKLOADS), (1, MODES)):
        for k in keys:
            v = sorted(ratio[n] for n in names if n.split(".")[i] == k)
            print(f"{k}: {(v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2):.2f} (runs {', '.join(f'{x:.2f}' for x in v)})")


if __name__ == "__main__":
    main()
