"""Reads every kind of vqsim output with pyarrow, Polars and DuckDB, and runs the README's Python snippets.

scripts/check-python.sh runs it in the pinned venv:  python check_outputs.py REPO [--keep DIR]

1. Produces small real outputs with REPO/vqsim in a folder laid out like the README's tour: randread.arrow
   (generate), out/ (replay: requests, summary, latency), fleet/ (fleet.arrow, and each profile's summary
   and latency), sweep/ (sweep.arrow), validation/ (validate on a bundled lab trace) and reproduce/
   (reproduce.arrow, the published-results suite).
2. Reads each file with each library: the column names, order, Arrow types (and in pyarrow nullability
   and units) against vqsim_schemas.py, the row counts, and facts that must hold, which each library
   computes on its own; then the same with the strings dictionary-encoded, which DESIGN.md §7 allows.
3. Executes verbatim, in that folder, every ```python block of the repository's Markdown files; each must
   follow a <!-- python-check: NAME --> line.

Prints a line per check and closes with "check-python: N passed, M failed"; exits 1 when any failed.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

import vqsim_schemas as S

# What the check produces (small, so that it runs in seconds; the README's tour uses larger counts).
COUNT = 3000                                      # requests of the generated trace
STRATEGIES = ["direct", "bounce", "viommu-strict", "virtio-iommu"]
SWEEP_COUNT = 2000
SWEEP_STRATEGIES = ["direct", "bounce", "viommu-strict"]
SWEEP_BS = ["4k", "64k"]
SWEEP_IODEPTH = [1, 32]
LAB = "samples/qemu-lab/randread4k.viommu-strict"  # + .guest-ftrace.txt.gz and .qemu-trace.log.gz
LAB_STRATEGY = "viommu-strict"
VALIDATION_METRICS = ["maps", "unmaps", "bounces", "bounce_bytes", "invalidations", "iotlb_misses",
                      "hypercalls", "interrupts"]   # the guest trace's four, then the QEMU log's


def commands(repo):
    guest, qemu = (f"{repo}/{LAB}.guest-ftrace.txt.gz", f"{repo}/{LAB}.qemu-trace.log.gz")
    return [
        ["generate", "--rw", "randread", "--bs", "4k", "--iodepth", "32", "--count", str(COUNT), "-o", "randread.arrow"],
        ["replay", "randread.arrow", "--strategy", ",".join(STRATEGIES), "-o", "out/"],
        ["fleet", "randread.arrow", "-o", "fleet/"],
        ["sweep", "--generate", f"--rw randread --count {SWEEP_COUNT}", "--strategy", ",".join(SWEEP_STRATEGIES),
         "--param", "bs=" + ",".join(SWEEP_BS), "--param", "iodepth=" + ",".join(map(str, SWEEP_IODEPTH)),
         "-o", "sweep/"],
        ["validate", guest, qemu, "--strategy", LAB_STRATEGY, "-o", "validation/"],
        # the published-results suite; --baseline makes its exit 0 unless a reproduced figure regressed
        ["reproduce", "--baseline", f"{repo}/published/reproduced.baseline", "-o", "reproduce/"],
    ]


# the files, their kind (vqsim.kind) and expected columns
FILES = [
    ("randread.arrow", "trace", S.TRACE),
    ("out/requests.arrow", "requests", S.REQUESTS),
    ("out/summary.arrow", "summary", S.SUMMARY),
    ("out/latency.arrow", "latency", S.LATENCY),
    ("out/locks.arrow", "locks", S.LOCKS),
    ("fleet/fleet.arrow", "fleet", S.FLEET),
    ("fleet/x86-kvm/summary.arrow", "summary", S.SUMMARY),
    ("fleet/x86-kvm/latency.arrow", "latency", S.LATENCY),
    ("fleet/power9-kvm/summary.arrow", "summary", S.SUMMARY),
    ("fleet/power9-kvm/latency.arrow", "latency", S.LATENCY),
    ("sweep/sweep.arrow", "sweep", S.sweep(["bs", "iodepth"])),
    ("validation/validation.arrow", "validation", S.VALIDATION),
    ("reproduce/reproduce.arrow", "reproduce", S.REPRODUCE),
]
DICTIONARY_COPIES = ["out/summary.arrow", "out/requests.arrow", "fleet/fleet.arrow", "validation/validation.arrow"]


class Failed(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failed(message)


def close(a, b, rel=1e-9):
    """Equal, with floats compared to a relative tolerance (the libraries sum in different orders)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    return a == b


# --- reading: the three libraries ---------------------------------------------------------------------

def read_pyarrow(path):
    with pa.OSFile(str(path), "rb") as f:
        return pa.ipc.open_file(f).read_all()


def read_polars(path):
    return pl.read_ipc(path, memory_map=False)   # Polars' own IPC reader


def read_duckdb(path):
    # DuckDB has no Arrow IPC file reader without its arrow extension (downloaded at run time): it queries
    # the Arrow data pyarrow hands it, with DuckDB's own type mapping and SQL engine.
    con = duckdb.connect()
    con.register("t", read_pyarrow(path))
    return con


PA_TYPES = {S.UTF8: pa.string(), S.INT32: pa.int32(), S.INT64: pa.int64(), S.FLOAT64: pa.float64(), S.BOOL: pa.bool_()}
PL_TYPES = {S.UTF8: pl.String, S.INT32: pl.Int32, S.INT64: pl.Int64, S.FLOAT64: pl.Float64, S.BOOL: pl.Boolean}
DUCK_TYPES = {S.UTF8: "VARCHAR", S.INT32: "INTEGER", S.INT64: "BIGINT", S.FLOAT64: "DOUBLE", S.BOOL: "BOOLEAN"}


def compare_columns(name, actual, expected):
    """actual, expected: lists of (column, description); says what differs, column by column."""
    names, want = [c for c, _ in actual], [c for c, _ in expected]
    missing = [c for c in want if c not in names]
    extra = [c for c in names if c not in want]
    expect(not missing and not extra,
           f"{name}: " + "; ".join(filter(None, [
               missing and "missing " + ", ".join(missing),
               extra and "not in vqsim_schemas.py: " + ", ".join(extra)])))
    expect(names == want, f"{name}: columns in the order {names}, expected {want}")
    for (col, got), (_, exp) in zip(actual, expected):
        expect(got == exp, f"{name}: column {col} is {got}, expected {exp}")


def describe(typ, nullable, unit):
    return f"{typ}{' nullable' if nullable else ' not null'}" + (" without field metadata" if unit is None else f" in {unit!r}")


def schema_pyarrow(name, t, kind, spec, dictionary=False):
    names = {v: k for k, v in PA_TYPES.items()}

    def actual(f):
        typ = f.type.value_type if dictionary and pa.types.is_dictionary(f.type) else f.type
        meta = f.metadata or {}
        return describe(names.get(typ, str(typ)), f.nullable, meta[b"unit"].decode() if b"unit" in meta else None)
    compare_columns(name, [(f.name, actual(f)) for f in t.schema], [(c, describe(*rest)) for c, *rest in spec])
    for f in t.schema:
        if pa.types.is_dictionary(f.type):
            expect(dictionary, f"{name}: column {f.name} is {f.type}, expected plain {f.type.value_type}")
        meta = f.metadata or {}
        if next(s for s in spec if s[0] == f.name)[3] is not None:
            expect(meta.get(b"description"), f"{name}: column {f.name} has no description in its field metadata")
    meta = t.schema.metadata or {}
    expect(meta.get(b"vqsim.kind", b"").decode() == kind,
           f"{name}: schema metadata vqsim.kind is {meta.get(b'vqsim.kind')!r}, expected {kind!r}")
    for key in (b"vqsim.version", b"vqsim.command"):
        expect(meta.get(key), f"{name}: no {key.decode()} in the schema metadata")


def schema_polars(name, df, spec, dictionary=False):
    def want(typ):
        return "Categorical" if dictionary and typ == S.UTF8 else str(PL_TYPES[typ])
    compare_columns(name, [(c, str(t)) for c, t in df.schema.items()], [(c, want(typ)) for c, typ, _, _ in spec])


def schema_duckdb(name, con, spec):
    rows = con.execute("DESCRIBE SELECT * FROM t").fetchall()
    compare_columns(name, [(r[0], r[1]) for r in rows], [(c, DUCK_TYPES[typ]) for c, typ, _, _ in spec])


# --- facts: each library computes them on its own; they must agree with each other and with what holds ----

CATEGORY_COLUMNS = ["cycles_" + c for c in S.CATEGORIES]
ACTOR_COLUMNS = ["cycles_" + a for a in S.ACTORS]


def facts_pyarrow(kind, t):
    d = t.to_pydict()   # dictionary-encoded columns come out as their values
    n = t.num_rows
    rows = [dict(zip(d, v)) for v in zip(*d.values())]
    by = lambda key: sorted({r[key] for r in rows})
    if kind == "trace":
        return {"rows": n, "ops": by("op"), "lengths": by("length"), "ts_max": max(d["ts_ns"])}
    if kind == "requests":
        f = {"rows": n, "ops": by("op"), "per_strategy": {}, "index": {}, "maps": {}, "cycles": {},
             "bad_latency": sum(1 for r in rows if r["latency_ns"] != r["complete_ns"] - r["submit_ns"])}
        for s in by("strategy"):
            mine = [r for r in rows if r["strategy"] == s]
            ids = [r["request"] for r in mine]
            f["per_strategy"][s] = len(mine)
            f["index"][s] = [min(ids), max(ids), len(set(ids))]
            f["maps"][s] = sum(r["maps"] for r in mine) / len(mine)
            f["cycles"][s] = sum(r["guest_cycles"] + r["host_cycles"] for r in mine) / len(mine)
        return f
    if kind in ("summary", "sweep"):
        gap = lambda cols: max(abs(sum(r[c] for c in cols) - r["cycles_per_request"]) / r["cycles_per_request"] for r in rows)
        f = {"rows": n, "strategies": by("strategy"),
             "category_gap": gap(CATEGORY_COLUMNS), "actor_gap": gap(ACTOR_COLUMNS),
             "guest_host_gap": gap(["guest_cycles_per_request", "host_cycles_per_request"])}
        if kind == "summary":
            for key in ("requests", "maps_per_request", "cycles_per_request", "slowdown_vs_direct", "iops"):
                f[key] = {r["strategy"]: r[key] for r in rows}
        else:
            f.update(bs=by("bs"), iodepth=by("iodepth"), requests=by("requests"),
                     combinations=len({(r["bs"], r["iodepth"], r["strategy"], r["ring"]) for r in rows}),
                     net_rows=sum(1 for r in rows if r["pps"] is not None or r["gbit_per_s"] is not None))
        return f
    if kind == "latency":
        f = {"strategies": by("strategy"), "last_fraction": {}, "total": {}, "last_cumulative": {}, "running_sum": {}}
        for s in f["strategies"]:
            mine = sorted((r for r in rows if r["strategy"] == s), key=lambda r: r["bucket_high_ns"])
            running, ok = 0, True
            for r in mine:
                running += r["count"]
                ok &= r["cumulative_count"] == running
            f["last_fraction"][s] = mine[-1]["cumulative_fraction"]
            f["total"][s] = running
            f["last_cumulative"][s] = mine[-1]["cumulative_count"]
            f["running_sum"][s] = ok
        return f
    if kind == "locks":
        return {"strategies": by("strategy"), "kinds": by("kind"),
                "virtqueue": {r["strategy"]: r["acquisitions"] for r in rows if r["lock"] == "virtqueue"},
                "impossible": sum(1 for r in rows if not (0 <= r["contended"] <= r["acquisitions"] and r["wait_ns_total"] >= 0
                                                           and (r["contended"] > 0 or r["wait_ns_total"] == 0)))}
    if kind == "fleet":
        return {"rows": n, "platforms": by("platform"), "guests": by("guest"), "outcomes": by("outcome"),
                "access_platform": by("access_platform"),
                "distinct": len({(r["platform"], r["access_platform"], r["guest"]) for r in rows}),
                "inconsistent": sum(1 for r in rows if (r["outcome"] == "OK") != (
                    r["strategy"] != "" and r["iops"] is not None and r["slowdown_vs_direct"] is not None)),
                "ok": sorted({(r["profile"], r["strategy"], r["iops"]) for r in rows if r["outcome"] == "OK"})}
    if kind == "validation":
        def wrong(r):
            o, m, e = r["observed_per_request"], r["modelled_per_request"], r["error_pct"]
            if o != 0:
                return e is None or not math.isclose(e, (m - o) / o * 100, rel_tol=1e-9, abs_tol=1e-9)
            return e is not None if m == 0 else e != 100
        return {"rows": n, "metrics": d["metric"], "sources": by("source"), "strategies": by("strategy"),
                "observed_rows": sum(1 for r in rows if r["observed_per_request"] != 0),
                "wrong_error_pct": sum(1 for r in rows if wrong(r))}
    if kind == "reproduce":
        def wrong(r):
            m, p, e = r["modelled"], r["published_value"], r["error_pct"]
            if m is None:
                return e is not None or r["status"] != "not yet reproducible"
            return r["status"] == "not yet reproducible" or e is None or not math.isclose(e, (m - p) / abs(p) * 100, rel_tol=1e-9, abs_tol=1e-9)
        return {"rows": n, "scenarios": len({r["scenario"] for r in rows}), "statuses": by("status"), "kinds": by("published_kind"),
                "modelled_scenarios": len({r["scenario"] for r in rows if r["modelled"] is not None}),
                "reasonless": sum(1 for r in rows if (r["status"] == "reproduced") == (r["reason"] != "")),
                "wrong": sum(1 for r in rows if wrong(r))}
    raise ValueError(kind)


def facts_polars(kind, df):
    s = lambda c: pl.col(c).cast(pl.String)  # a dictionary column is Categorical in Polars
    uniq = lambda c: sorted(df.get_column(c).cast(pl.String).unique().to_list()) if df.schema[c] in (pl.String, pl.Categorical) \
        else sorted(df.get_column(c).unique().to_list())
    if kind == "trace":
        return {"rows": df.height, "ops": uniq("op"), "lengths": uniq("length"), "ts_max": df.get_column("ts_ns").max()}
    if kind == "requests":
        g = df.group_by(s("strategy").alias("s")).agg(
            pl.len().alias("n"), pl.col("request").min().alias("lo"), pl.col("request").max().alias("hi"),
            pl.col("request").n_unique().alias("u"), pl.col("maps").mean().alias("maps"),
            (pl.col("guest_cycles") + pl.col("host_cycles")).mean().alias("cycles")).rows(named=True)
        return {"rows": df.height, "ops": uniq("op"),
                "per_strategy": {r["s"]: r["n"] for r in sorted(g, key=lambda r: r["s"])},
                "index": {r["s"]: [r["lo"], r["hi"], r["u"]] for r in sorted(g, key=lambda r: r["s"])},
                "maps": {r["s"]: r["maps"] for r in sorted(g, key=lambda r: r["s"])},
                "cycles": {r["s"]: r["cycles"] for r in sorted(g, key=lambda r: r["s"])},
                "bad_latency": df.filter(pl.col("latency_ns") != pl.col("complete_ns") - pl.col("submit_ns")).height}
    if kind in ("summary", "sweep"):
        cpr = pl.col("cycles_per_request")
        gap = lambda cols: df.select(((pl.sum_horizontal(cols) - cpr).abs() / cpr).max()).item()
        f = {"rows": df.height, "strategies": uniq("strategy"),
             "category_gap": gap(CATEGORY_COLUMNS), "actor_gap": gap(ACTOR_COLUMNS),
             "guest_host_gap": gap(["guest_cycles_per_request", "host_cycles_per_request"])}
        if kind == "summary":
            for key in ("requests", "maps_per_request", "cycles_per_request", "slowdown_vs_direct", "iops"):
                f[key] = dict(sorted(df.select(s("strategy"), key).iter_rows()))
        else:
            f.update(bs=uniq("bs"), iodepth=uniq("iodepth"), requests=uniq("requests"),
                     combinations=df.select("bs", "iodepth", "strategy", "ring").unique().height,
                     net_rows=df.filter(pl.col("pps").is_not_null() | pl.col("gbit_per_s").is_not_null()).height)
        return f
    if kind == "latency":
        g = (df.sort("bucket_high_ns").group_by(s("strategy").alias("s"), maintain_order=True)
             .agg(pl.col("cumulative_fraction").last().alias("frac"), pl.col("count").sum().alias("total"),
                  pl.col("cumulative_count").last().alias("cum"),
                  (pl.col("count").cum_sum() == pl.col("cumulative_count")).all().alias("ok"))
             .sort("s").rows(named=True))
        return {"strategies": [r["s"] for r in g], "last_fraction": {r["s"]: r["frac"] for r in g},
                "total": {r["s"]: r["total"] for r in g}, "last_cumulative": {r["s"]: r["cum"] for r in g},
                "running_sum": {r["s"]: r["ok"] for r in g}}
    if kind == "locks":
        vq = df.filter(pl.col("lock").cast(pl.String) == "virtqueue").select(s("strategy"), "acquisitions")
        c, a, w = pl.col("contended"), pl.col("acquisitions"), pl.col("wait_ns_total")
        return {"strategies": uniq("strategy"), "kinds": uniq("kind"), "virtqueue": dict(sorted(vq.iter_rows())),
                "impossible": df.filter(~((c >= 0) & (c <= a) & (w >= 0) & ((c > 0) | (w == 0)))).height}
    if kind == "fleet":
        runs = (s("strategy") != "") & pl.col("iops").is_not_null() & pl.col("slowdown_vs_direct").is_not_null()
        ok = df.filter(pl.col("outcome").cast(pl.String) == "OK").select(s("profile"), s("strategy"), "iops").unique()
        return {"rows": df.height, "platforms": uniq("platform"), "guests": uniq("guest"), "outcomes": uniq("outcome"),
                "access_platform": uniq("access_platform"),
                "distinct": df.select("platform", "access_platform", "guest").unique().height,
                "inconsistent": df.filter((pl.col("outcome").cast(pl.String) == "OK") != runs).height,
                "ok": sorted(ok.iter_rows())}
    if kind == "validation":
        o, m, e = pl.col("observed_per_request"), pl.col("modelled_per_request"), pl.col("error_pct")
        right = (pl.when(o != 0).then(e.is_not_null() & ((e - (m - o) / o * 100).abs() <= 1e-9 * pl.max_horizontal(e.abs(), 1)))
                 .when(m == 0).then(e.is_null())
                 .otherwise(e == 100)).fill_null(False)
        return {"rows": df.height, "metrics": df.get_column("metric").cast(pl.String).to_list(),
                "sources": uniq("source"), "strategies": uniq("strategy"),
                "observed_rows": df.filter(o != 0).height, "wrong_error_pct": df.filter(~right).height}
    if kind == "reproduce":
        m, p, e, st = pl.col("modelled"), pl.col("published_value"), pl.col("error_pct"), s("status")
        right = (pl.when(m.is_null()).then(e.is_null() & (st == "not yet reproducible"))
                 .otherwise((st != "not yet reproducible") & e.is_not_null()
                            & ((e - (m - p) / p.abs() * 100).abs() <= 1e-9 * pl.max_horizontal(e.abs(), 1)))).fill_null(False)
        return {"rows": df.height, "scenarios": df.get_column("scenario").n_unique(), "statuses": uniq("status"),
                "kinds": uniq("published_kind"), "modelled_scenarios": df.filter(m.is_not_null()).get_column("scenario").n_unique(),
                "reasonless": df.filter((st == "reproduced") == (s("reason") != "")).height, "wrong": df.filter(~right).height}
    raise ValueError(kind)


def facts_duckdb(kind, con):
    q = lambda sql: con.execute(sql).fetchall()
    one = lambda sql: q(sql)[0][0]
    col = lambda sql: [r[0] for r in q(sql)]
    uniq = lambda c: col(f"SELECT DISTINCT {c} FROM t ORDER BY {c}")
    by_strategy = lambda expr: dict(q(f"SELECT strategy, {expr} FROM t GROUP BY strategy ORDER BY strategy"))
    if kind == "trace":
        return {"rows": one("SELECT count(*) FROM t"), "ops": uniq("op"), "lengths": uniq("length"),
                "ts_max": one("SELECT max(ts_ns) FROM t")}
    if kind == "requests":
        return {"rows": one("SELECT count(*) FROM t"), "ops": uniq("op"),
                "per_strategy": by_strategy("count(*)"),
                "index": {s: [lo, hi, u] for s, lo, hi, u in q(
                    "SELECT strategy, min(request), max(request), count(DISTINCT request) FROM t GROUP BY strategy ORDER BY strategy")},
                "maps": by_strategy("avg(maps)"), "cycles": by_strategy("avg(guest_cycles + host_cycles)"),
                "bad_latency": one("SELECT count(*) FROM t WHERE latency_ns <> complete_ns - submit_ns")}
    if kind in ("summary", "sweep"):
        gap = lambda cols: one(f"SELECT max(abs(({' + '.join(cols)}) - cycles_per_request) / cycles_per_request) FROM t")
        f = {"rows": one("SELECT count(*) FROM t"), "strategies": uniq("strategy"),
             "category_gap": gap(CATEGORY_COLUMNS), "actor_gap": gap(ACTOR_COLUMNS),
             "guest_host_gap": gap(["guest_cycles_per_request", "host_cycles_per_request"])}
        if kind == "summary":
            for key in ("requests", "maps_per_request", "cycles_per_request", "slowdown_vs_direct", "iops"):
                f[key] = dict(q(f"SELECT strategy, {key} FROM t ORDER BY strategy"))
        else:
            f.update(bs=uniq("bs"), iodepth=uniq("iodepth"), requests=uniq("requests"),
                     combinations=one("SELECT count(*) FROM (SELECT DISTINCT bs, iodepth, strategy, ring FROM t)"),
                     net_rows=one("SELECT count(*) FROM t WHERE pps IS NOT NULL OR gbit_per_s IS NOT NULL"))
        return f
    if kind == "latency":
        g = q("""SELECT strategy, arg_max(cumulative_fraction, bucket_high_ns), sum(count)::BIGINT,
                        arg_max(cumulative_count, bucket_high_ns), bool_and(cumulative_count = running)
                 FROM (SELECT *, sum(count) OVER (PARTITION BY strategy ORDER BY bucket_high_ns) AS running FROM t)
                 GROUP BY strategy ORDER BY strategy""")
        return {"strategies": [r[0] for r in g], "last_fraction": {r[0]: r[1] for r in g}, "total": {r[0]: r[2] for r in g},
                "last_cumulative": {r[0]: r[3] for r in g}, "running_sum": {r[0]: r[4] for r in g}}
    if kind == "locks":
        return {"strategies": uniq("strategy"), "kinds": uniq("kind"),
                "virtqueue": dict(q("SELECT strategy, acquisitions FROM t WHERE lock = 'virtqueue' ORDER BY strategy")),
                "impossible": one("""SELECT count(*) FROM t WHERE NOT (contended BETWEEN 0 AND acquisitions AND wait_ns_total >= 0
                                     AND (contended > 0 OR wait_ns_total = 0))""")}
    if kind == "fleet":
        return {"rows": one("SELECT count(*) FROM t"), "platforms": uniq("platform"), "guests": uniq("guest"),
                "outcomes": uniq("outcome"), "access_platform": uniq("access_platform"),
                "distinct": one("SELECT count(*) FROM (SELECT DISTINCT platform, access_platform, guest FROM t)"),
                "inconsistent": one("""SELECT count(*) FROM t WHERE (outcome = 'OK') <>
                                       coalesce(strategy <> '' AND iops IS NOT NULL AND slowdown_vs_direct IS NOT NULL, false)"""),
                "ok": [tuple(r) for r in q("SELECT DISTINCT profile, strategy, iops FROM t WHERE outcome = 'OK' ORDER BY ALL")]}
    if kind == "validation":
        right = """CASE WHEN observed_per_request <> 0 THEN error_pct IS NOT NULL AND
                        abs(error_pct - (modelled_per_request - observed_per_request) / observed_per_request * 100)
                          <= 1e-9 * greatest(abs(error_pct), 1)
                        WHEN modelled_per_request = 0 THEN error_pct IS NULL
                        ELSE error_pct = 100 END"""
        return {"rows": one("SELECT count(*) FROM t"), "metrics": col("SELECT metric FROM t"),
                "sources": uniq("source"), "strategies": uniq("strategy"),
                "observed_rows": one("SELECT count(*) FROM t WHERE observed_per_request <> 0"),
                "wrong_error_pct": one(f"SELECT count(*) FROM t WHERE NOT coalesce({right}, false)")}
    if kind == "reproduce":
        right = """CASE WHEN modelled IS NULL THEN error_pct IS NULL AND status = 'not yet reproducible'
                        ELSE status <> 'not yet reproducible' AND error_pct IS NOT NULL AND
                          abs(error_pct - (modelled - published_value) / abs(published_value) * 100) <= 1e-9 * greatest(abs(error_pct), 1) END"""
        return {"rows": one("SELECT count(*) FROM t"), "scenarios": one("SELECT count(DISTINCT scenario) FROM t"),
                "statuses": uniq("status"), "kinds": uniq("published_kind"),
                "modelled_scenarios": one("SELECT count(DISTINCT scenario) FROM t WHERE modelled IS NOT NULL"),
                "reasonless": one("SELECT count(*) FROM t WHERE (status = 'reproduced') = (reason <> '')"),
                "wrong": one(f"SELECT count(*) FROM t WHERE NOT coalesce({right}, false)")}
    raise ValueError(kind)


def facts_must_hold(name, kind, f, context):
    """What must hold in a file, given what produced it; context has the pyarrow facts of other files."""
    if kind == "trace":
        expect(f["rows"] == COUNT, f"{name}: {f['rows']} rows, expected {COUNT} (generate --count {COUNT})")
        expect(f["ops"] == ["R"] and f["lengths"] == [4096], f"{name}: ops {f['ops']}, lengths {f['lengths']}, expected R of 4096 bytes")
        expect(f["ts_max"] == 0, f"{name}: a closed-loop trace with ts_ns up to {f['ts_max']}, expected 0")
    elif kind == "requests":
        expect(f["rows"] == COUNT * len(STRATEGIES), f"{name}: {f['rows']} rows, expected requests × strategies = {COUNT} × {len(STRATEGIES)}")
        expect(f["per_strategy"] == {s: COUNT for s in sorted(STRATEGIES)}, f"{name}: rows per strategy {f['per_strategy']}")
        expect(all(v == [0, COUNT - 1, COUNT] for v in f["index"].values()),
               f"{name}: request index (min, max, distinct) per strategy {f['index']}, expected 0..{COUNT - 1} once each")
        expect(f["bad_latency"] == 0, f"{name}: {f['bad_latency']} rows where latency_ns != complete_ns - submit_ns")
        expect(f["ops"] == ["R"], f"{name}: ops {f['ops']}, the trace has only R")
        expect(f["maps"]["direct"] == 0, f"{name}: direct maps {f['maps']['direct']} per request, expected 0 (no DMA API)")
        summary = context["out/summary.arrow"]
        expect(close(f["maps"], summary["maps_per_request"]),
               f"{name}: mean maps per strategy {f['maps']} differ from summary.arrow's maps_per_request {summary['maps_per_request']}")
        expect(close(f["cycles"], summary["cycles_per_request"]),
               f"{name}: mean guest+host cycles {f['cycles']} differ from summary.arrow's cycles_per_request {summary['cycles_per_request']}")
    elif kind in ("summary", "sweep"):
        for gap in ("category_gap", "actor_gap", "guest_host_gap"):
            expect(f[gap] < 1e-9, f"{name}: the cycles by {gap.replace('_gap', '')} do not add up to cycles_per_request (off by {f[gap]:.3g})")
        if kind == "sweep":
            n = len(SWEEP_BS) * len(SWEEP_IODEPTH) * len(SWEEP_STRATEGIES)
            expect(f["rows"] == n and f["combinations"] == n, f"{name}: {f['rows']} rows, {f['combinations']} distinct combinations, expected {n}")
            expect(f["bs"] == sorted(SWEEP_BS), f"{name}: bs {f['bs']}, expected {SWEEP_BS}")
            expect(f["iodepth"] == SWEEP_IODEPTH, f"{name}: iodepth {f['iodepth']}, expected {SWEEP_IODEPTH}")
            expect(f["strategies"] == sorted(SWEEP_STRATEGIES), f"{name}: strategies {f['strategies']}")
            expect(f["requests"] == [SWEEP_COUNT], f"{name}: requests {f['requests']}, expected {SWEEP_COUNT}")
            expect(f["net_rows"] == 0, f"{name}: {f['net_rows']} rows with pps or gbit_per_s set, expected none (block units only: null)")
        elif name == "out/summary.arrow":
            expect(f["rows"] == len(STRATEGIES) and f["strategies"] == sorted(STRATEGIES),
                   f"{name}: {f['rows']} rows for {f['strategies']}, expected one per strategy replayed: {STRATEGIES}")
            expect(f["requests"] == {s: COUNT for s in STRATEGIES}, f"{name}: requests {f['requests']}")
            expect(f["slowdown_vs_direct"]["direct"] == 1.0, f"{name}: direct's slowdown_vs_direct is {f['slowdown_vs_direct']['direct']}")
        else:   # a fleet profile's summary: one row per strategy some guest ends up with on that profile
            profile = name.split("/")[1]
            ran = sorted({s for p, s, _ in context["fleet/fleet.arrow"]["ok"] if p == profile})
            expect(f["strategies"] == ran, f"{name}: strategies {f['strategies']}, fleet.arrow's OK rows on {profile} have {ran}")
    elif kind == "latency":
        replay = context[name.replace("latency.arrow", "summary.arrow")]
        expect(f["strategies"] == replay["strategies"], f"{name}: strategies {f['strategies']}, summary.arrow has {replay['strategies']}")
        bad = {s: v for s, v in f["last_fraction"].items() if not math.isclose(v, 1.0, abs_tol=1e-12)}
        expect(not bad, f"{name}: cumulative_fraction does not end at 1.0 for {bad}")
        expect(all(f["running_sum"].values()), f"{name}: cumulative_count is not the running sum of count for {f['running_sum']}")
        expect(f["total"] == f["last_cumulative"] == replay["requests"],
               f"{name}: counts per strategy {f['total']}, last cumulative_count {f['last_cumulative']}, summary's requests {replay['requests']}")
    elif kind == "locks":
        replay = context[name.replace("locks.arrow", "summary.arrow")]
        expect(f["strategies"] == replay["strategies"], f"{name}: strategies {f['strategies']}, summary.arrow has {replay['strategies']}")
        expect(set(f["kinds"]) <= {"spin", "mutex"}, f"{name}: lock kinds {f['kinds']}, expected spin or mutex")
        expect(f["impossible"] == 0, f"{name}: {f['impossible']} rows with contended outside 0..acquisitions or waits without contention")
        # the driver takes the virtqueue lock at least once to add each request (and again in each interrupt)
        short = {s: a for s, a in f["virtqueue"].items() if a < replay["requests"][s]}
        expect(set(f["virtqueue"]) == set(replay["strategies"]) and not short,
               f"{name}: virtqueue lock acquisitions {f['virtqueue']}, expected at least 1 per request ({replay['requests']})")
    elif kind == "fleet":
        n = len(S.FLEET_PLATFORMS) * 2 * len(S.FLEET_GUESTS)
        expect(f["rows"] == n and f["distinct"] == n, f"{name}: {f['rows']} rows, {f['distinct']} distinct (platform, access_platform, guest); expected {n}")
        expect(f["platforms"] == sorted(S.FLEET_PLATFORMS), f"{name}: platforms {f['platforms']}")
        expect(f["guests"] == sorted(S.FLEET_GUESTS), f"{name}: guests {f['guests']}")
        expect(set(f["outcomes"]) <= set(S.FLEET_OUTCOMES) and "OK" in f["outcomes"],
               f"{name}: outcomes {f['outcomes']}, expected some of {S.FLEET_OUTCOMES}, OK among them")
        expect(f["access_platform"] == [False, True], f"{name}: access_platform values {f['access_platform']}")
        expect(f["inconsistent"] == 0, f"{name}: {f['inconsistent']} rows where outcome OK does not go with a strategy, iops and slowdown (or the reverse)")
        for profile, strategy, iops in f["ok"]:
            summary = context[f"fleet/{profile}/summary.arrow"]["iops"]
            expect(strategy in summary and close(iops, summary[strategy]),
                   f"{name}: {strategy} on {profile} has iops {iops}, fleet/{profile}/summary.arrow has {summary.get(strategy)}")
    elif kind == "validation":
        expect(f["metrics"] == VALIDATION_METRICS, f"{name}: metrics {f['metrics']}, expected {VALIDATION_METRICS}")
        expect(f["sources"] == ["guest", "qemu"] and f["strategies"] == [LAB_STRATEGY], f"{name}: sources {f['sources']}, strategies {f['strategies']}")
        expect(f["observed_rows"] > 0, f"{name}: nothing observed in {LAB}")
        expect(f["wrong_error_pct"] == 0,
               f"{name}: {f['wrong_error_pct']} rows whose error_pct is not (modelled - observed) / observed × 100 (null when both are 0, 100 when only the model has it)")
    elif kind == "reproduce":
        expect(f["scenarios"] >= 8 and f["modelled_scenarios"] >= 3,
               f"{name}: {f['scenarios']} scenarios, {f['modelled_scenarios']} with modelled values; expected at least 8 and 3")
        expect(set(f["statuses"]) <= set(S.REPRODUCE_STATUSES) and set(f["kinds"]) <= set(S.REPRODUCE_KINDS),
               f"{name}: statuses {f['statuses']}, kinds {f['kinds']}")
        expect(f["reasonless"] == 0, f"{name}: {f['reasonless']} rows where a reason is given for a reproduced figure, or missing for another")
        expect(f["wrong"] == 0,
               f"{name}: {f['wrong']} rows whose error_pct is not (modelled - published_value) / |published_value| × 100, or whose status does not go with a null modelled")


# --- the README's snippets ---------------------------------------------------------------------------------

MARKER = re.compile(r"^\s*<!--\s*python-check:\s*([A-Za-z0-9_.-]+)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)```\s*([A-Za-z0-9_+-]*)\s*$")


def markdown_files(repo):
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "target", "node_modules") and not d.startswith("."))
        for f in sorted(filenames):
            if f.endswith(".md"):
                yield Path(dirpath, f)


def snippets(repo):
    """Every ```python block of the repository's Markdown: (file:line, name or None, code)."""
    found = []
    for md in markdown_files(repo):
        lines = md.read_text(encoding="utf-8").splitlines()
        i, last = 0, ""
        while i < len(lines):
            m = FENCE.match(lines[i])
            if m and m.group(2):
                indent, lang, start = m.group(1), m.group(2), i
                i += 1
                body = []
                while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
                    body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
                    i += 1
                if lang in ("python", "py", "python3"):
                    marker = MARKER.match(last)
                    found.append((f"{md.relative_to(repo)}:{start + 1}", marker.group(1) if marker else None, "\n".join(body) + "\n"))
                last = ""
            elif lines[i].strip():
                last = lines[i]
            i += 1
    return found


def run_snippet(where, name, code, tour, scratch):
    path = Path(scratch, f"snippet-{name}.py")   # not NAME.py: a snippet named polars would shadow the module
    path.write_text(f"# {where}\n" + code, encoding="utf-8")
    p = subprocess.run([sys.executable, str(path)], cwd=tour, capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0, f"{where}: the snippet failed (exit {p.returncode}) in a folder laid out like the README's tour:\n"
           + indent(p.stderr.strip().splitlines()[-30:]))
    out = p.stdout.strip().splitlines()
    expect(out, f"{where}: the snippet printed nothing")
    print(indent(out[:8] + ([f"… ({len(out) - 8} more lines)"] if len(out) > 8 else [])))


def indent(lines):
    return "\n".join("        " + line for line in lines)


# --- main ---------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--keep", type=Path, help="produce the outputs in this (new or empty) folder and keep them")
    args = ap.parse_args()
    repo = args.repo.resolve()
    passed, failed = [], []

    def check(name, fn, *a):
        try:
            fn(*a)
            passed.append(name)
            print(f"ok    {name}", flush=True)
        except Failed as e:
            failed.append(name)
            print(f"FAIL  {name}: {e}", flush=True)
        except Exception as e:   # a library that cannot read a file is a failure of this check, not a crash
            failed.append(name)
            print(f"FAIL  {name}: {type(e).__name__}: {e}", flush=True)

    with tempfile.TemporaryDirectory(prefix="vqsim-python-check.") as scratch:
        tour = args.keep.resolve() if args.keep else Path(scratch, "tour")
        tour.mkdir(parents=True, exist_ok=True)
        if any(tour.iterdir()):
            sys.exit(f"check-python: {tour} is not empty")
        start = time.monotonic()
        for cmd in commands(repo):
            p = subprocess.run([str(repo / "vqsim"), *cmd], cwd=tour, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"check-python: vqsim {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stdout[-2000:]}{p.stderr[-4000:]}")
        print(f"produced the outputs with {repo}/vqsim in {time.monotonic() - start:.1f} s ({tour})", flush=True)

        # pyarrow's facts first: the other files' checks refer to them
        start = time.monotonic()
        context = {}
        for name, kind, spec in FILES:
            path = tour / name
            check(f"{name}: pyarrow reads {kind} columns and types", lambda: schema_pyarrow(name, read_pyarrow(path), kind, spec))
            try:
                context[name] = facts_pyarrow(kind, read_pyarrow(path))
            except Exception as e:
                context[name] = None
                print(f"      ({name}: pyarrow could not compute its facts: {type(e).__name__}: {e})")
        for name, kind, spec in FILES:
            path = tour / name
            check(f"{name}: Polars reads the same columns and types", lambda: schema_polars(name, read_polars(path), spec))
            check(f"{name}: DuckDB reads the same columns and types", lambda: schema_duckdb(name, read_duckdb(path), spec))
            for lib, facts in (("pyarrow", lambda: facts_pyarrow(kind, read_pyarrow(path))),
                               ("Polars", lambda: facts_polars(kind, read_polars(path))),
                               ("DuckDB", lambda: facts_duckdb(kind, read_duckdb(path)))):
                def holds():
                    expect(context[name] is not None, f"{name}: no pyarrow facts to compare with")
                    f = facts()
                    expect(close(f, context[name]), f"{name}: {lib} computes {f}, pyarrow {context[name]}")
                    facts_must_hold(name, kind, f, context)
                check(f"{name}: {lib}: row counts and the facts that must hold", holds)

        # the same files with every string column dictionary-encoded (DESIGN.md §7 allows either)
        for name in DICTIONARY_COPIES:
            kind, spec = next((k, s) for n, k, s in FILES if n == name)
            copy = Path(scratch, "dictionary", name)

            def dictionary_reads():
                copy.parent.mkdir(parents=True, exist_ok=True)
                t = read_pyarrow(tour / name)
                fields = [pa.field(f.name, pa.dictionary(pa.int32(), f.type), f.nullable, f.metadata)
                          if pa.types.is_string(f.type) else f for f in t.schema]
                t = pa.table([c.dictionary_encode() if pa.types.is_string(c.type) else c for c in t.columns],
                             schema=pa.schema(fields, metadata=t.schema.metadata))
                with pa.OSFile(str(copy), "wb") as sink, pa.ipc.new_file(sink, t.schema) as w:
                    w.write_table(t)
                schema_pyarrow(name + " (dictionary strings)", read_pyarrow(copy), kind, spec, dictionary=True)
                schema_polars(name + " (dictionary strings)", read_polars(copy), spec, dictionary=True)
                schema_duckdb(name + " (dictionary strings)", read_duckdb(copy), spec)
                for lib, f in (("pyarrow", facts_pyarrow(kind, read_pyarrow(copy))), ("Polars", facts_polars(kind, read_polars(copy))),
                               ("DuckDB", facts_duckdb(kind, read_duckdb(copy)))):
                    expect(close(f, context[name]), f"{name} with dictionary strings: {lib} computes {f}, expected {context[name]}")
            check(f"{name} with dictionary-encoded strings: all three read the same values", dictionary_reads)
        print(f"read {len(FILES)} files with pyarrow {pa.__version__}, Polars {pl.__version__}, DuckDB {duckdb.__version__} "
              f"in {time.monotonic() - start:.1f} s", flush=True)

        # the README's snippets, verbatim, in the tour folder
        start = time.monotonic()
        found = snippets(repo)
        for where, name, code in found:
            if name is None:
                failed.append(where)
                print(f"FAIL  {where}: a ```python block without a <!-- python-check: NAME --> line before it; mark it so that CI runs it")
        names = [n for _, n, _ in found if n]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            failed.append("snippet names")
            print(f"FAIL  snippet names used twice: {', '.join(dupes)}")
        for lib in ("pyarrow", "polars", "duckdb"):
            if not any(re.search(rf"^\s*import\b.*\b{lib}\b", code, re.M) for _, n, code in found if n):
                failed.append(f"a {lib} snippet")
                print(f"FAIL  no marked README snippet imports {lib}")
        for where, name, code in found:
            if name:
                check(f"snippet {name} ({where}) runs", run_snippet, where, name, code, tour, scratch)
        print(f"ran {len(names)} snippets in {time.monotonic() - start:.1f} s", flush=True)

    print(f"check-python: {len(passed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
