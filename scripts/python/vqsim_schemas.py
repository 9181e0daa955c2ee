"""The columns of every vqsim output file, in file order: the one list the Python check compares files with.

Written from the Java schema definitions:
  * requests, summary, locks, latency, fleet, sweep: analysis/src/main/java/org/vqsim/analysis/arrow/ResultSchemas.java
    (the event, category and actor columns follow the order of engine/.../cost/EventKind, Category and Actor)
  * validation: replay/src/main/java/org/vqsim/replay/ValidateCommand.java (write)
  * reproduce: ResultSchemas.java as well (ResultSchemas.reproduce)
  * the canonical trace: capture/src/main/java/org/vqsim/capture/canonical/CanonicalTrace.java
A column renamed, moved, added or removed there, or a type, nullability or unit changed, fails
scripts/check-python.sh until this list (and the README's description of the file) follows.

Each column is (name, Arrow type, nullable, unit). Types: "utf8", "int32", "int64", "float64", "bool".
The unit is the field metadata's "unit" ("" for none); None means the column carries no field metadata.
"""

UTF8, INT32, INT64, FLOAT64, BOOL = "utf8", "int32", "int64", "float64", "bool"

TRACE = [
    ("ts_ns", INT64, False, None),
    ("op", UTF8, False, None),
    ("offset", INT64, False, None),
    ("length", INT32, False, None),
]

REQUESTS = [
    ("strategy", UTF8, False, ""),
    ("request", INT64, False, ""),
    ("op", UTF8, False, ""),
    ("offset", INT64, False, "bytes"),
    ("length", INT32, False, "bytes"),
    ("cpu", INT32, False, ""),
    ("queue", INT32, False, ""),
    ("submit_ns", INT64, False, "ns"),
    ("complete_ns", INT64, False, "ns"),
    ("latency_ns", INT64, False, "ns"),
    ("guest_cycles", INT64, False, "cycles"),
    ("host_cycles", INT64, False, "cycles"),
    ("maps", INT32, False, "count"),
    ("unmaps", INT32, False, "count"),
    ("bounces", INT32, False, "count"),
    ("bounce_bytes", INT64, False, "bytes"),
    ("invalidations", INT32, False, "count"),
    ("iotlb_misses", INT32, False, "count"),
    ("hypercalls", INT32, False, "count"),
    ("exits", INT32, False, "count"),
    ("interrupts", INT32, False, "count"),
]

# the cycles per request by category and by actor, in summary order
CATEGORIES = ["ring", "notify", "interrupt", "map", "unmap", "invalidate", "iotlb_walk", "translate",
              "bounce_copy", "bounce_alloc", "hypercall", "device", "sched", "lock_wait"]
ACTORS = ["vcpu", "vmm", "iommu", "backend"]

SUMMARY = [
    ("strategy", UTF8, False, ""),
    ("profile", UTF8, False, ""),
    ("trace", UTF8, False, ""),
    ("ring", UTF8, False, ""),
    ("backend", UTF8, False, ""),
    ("iodepth", INT32, False, "requests"),
    ("vcpus", INT32, False, "count"),
    ("queues", INT32, False, "count"),
    ("requests", INT64, False, "count"),
    ("bytes", INT64, False, "bytes"),
    ("sim_time_ns", INT64, False, "ns"),
    ("iops", FLOAT64, False, "requests/s"),
    ("mib_per_s", FLOAT64, False, "MiB/s"),
    ("lat_mean_ns", FLOAT64, False, "ns"),
    ("lat_p50_ns", INT64, False, "ns"),
    ("lat_p99_ns", INT64, False, "ns"),
    ("lat_p999_ns", INT64, False, "ns"),
    ("lat_max_ns", INT64, False, "ns"),
    ("cycles_per_request", FLOAT64, False, "cycles"),
    ("cycles_per_kib", FLOAT64, False, "cycles/KiB"),
    ("guest_cycles_per_request", FLOAT64, False, "cycles"),
    ("host_cycles_per_request", FLOAT64, False, "cycles"),
    ("slowdown_vs_direct", FLOAT64, True, "ratio"),
    ("cycles_vs_direct", FLOAT64, True, "ratio"),
    ("maps_per_request", FLOAT64, False, "count"),
    ("unmaps_per_request", FLOAT64, False, "count"),
    ("bounces_per_request", FLOAT64, False, "count"),
    ("bounce_bytes_per_request", FLOAT64, False, "bytes"),
    ("invalidations_per_request", FLOAT64, False, "count"),
    ("iotlb_misses_per_request", FLOAT64, False, "count"),
    ("hypercalls_per_request", FLOAT64, False, "count"),
    ("exits_per_request", FLOAT64, False, "count"),
    ("interrupts_per_request", FLOAT64, False, "count"),
    ("kicks_suppressed_per_request", FLOAT64, False, "count"),
    ("ring_full_stalls", INT64, False, "count"),
    ("map_stalls", INT64, False, "count"),
    ("vcpu_util_max", FLOAT64, False, "fraction"),
    ("vcpu_util_mean", FLOAT64, False, "fraction"),
    ("vmm_util_max", FLOAT64, False, "fraction"),
    ("lock_wait_ns_per_request", FLOAT64, False, "ns"),
    ("most_waited_lock", UTF8, False, ""),
    ("cycles_ring", FLOAT64, False, "cycles"),
    ("cycles_notify", FLOAT64, False, "cycles"),
    ("cycles_interrupt", FLOAT64, False, "cycles"),
    ("cycles_map", FLOAT64, False, "cycles"),
    ("cycles_unmap", FLOAT64, False, "cycles"),
    ("cycles_invalidate", FLOAT64, False, "cycles"),
    ("cycles_iotlb_walk", FLOAT64, False, "cycles"),
    ("cycles_translate", FLOAT64, False, "cycles"),
    ("cycles_bounce_copy", FLOAT64, False, "cycles"),
    ("cycles_bounce_alloc", FLOAT64, False, "cycles"),
    ("cycles_hypercall", FLOAT64, False, "cycles"),
    ("cycles_device", FLOAT64, False, "cycles"),
    ("cycles_sched", FLOAT64, False, "cycles"),
    ("cycles_lock_wait", FLOAT64, False, "cycles"),
    ("cycles_vcpu", FLOAT64, False, "cycles"),
    ("cycles_vmm", FLOAT64, False, "cycles"),
    ("cycles_iommu", FLOAT64, False, "cycles"),
    ("cycles_backend", FLOAT64, False, "cycles"),
]

LOCKS = [
    ("strategy", UTF8, False, ""),
    ("lock", UTF8, False, ""),
    ("kind", UTF8, False, ""),
    ("instances", INT32, False, "count"),
    ("acquisitions", INT64, False, "count"),
    ("contended", INT64, False, "count"),
    ("wait_ns_total", INT64, False, "ns"),
    ("wait_ns_p99", INT64, False, "ns"),
    ("hold_ns_mean", FLOAT64, False, "ns"),
]

LATENCY = [
    ("strategy", UTF8, False, ""),
    ("bucket_low_ns", INT64, False, "ns"),
    ("bucket_high_ns", INT64, False, "ns"),
    ("count", INT64, False, "count"),
    ("cumulative_count", INT64, False, "count"),
    ("cumulative_fraction", FLOAT64, False, "fraction"),
]

FLEET = [
    ("platform", UTF8, False, ""),
    ("access_platform", BOOL, False, ""),
    ("guest", UTF8, False, ""),
    ("outcome", UTF8, False, ""),
    ("strategy", UTF8, False, ""),
    ("reason", UTF8, False, ""),
    ("profile", UTF8, False, ""),
    ("iops", FLOAT64, True, "requests/s"),
    ("slowdown_vs_direct", FLOAT64, True, "ratio"),
]
FLEET_PLATFORMS = ["x86-intel-iommu", "x86-virtio-iommu", "x86-virtio-iommu-bypass",
                   "pseries-tce", "pseries-ddw", "pseries-tce-bypass"]
FLEET_GUESTS = ["legacy", "modern", "modern-virtio-iommu", "secure", "secure-old"]
FLEET_OUTCOMES = ["OK", "FAILED", "BROKEN"]


SWEEP_NET = [
    ("pps", FLOAT64, True, "packets/s"),
    ("gbit_per_s", FLOAT64, True, "Gb/s"),
]


def sweep(params):
    """sweep.arrow: a utf8 column per swept parameter that is not already a summary column, then the summary's,
    then the network units' pps and gbit_per_s (null in a block unit's row)."""
    names = {c[0] for c in SUMMARY}
    return [(p, UTF8, False, "") for p in params if p not in names] + SUMMARY + SWEEP_NET


VALIDATION = [
    ("metric", UTF8, False, ""),
    ("source", UTF8, False, ""),
    ("strategy", UTF8, False, ""),
    ("observed_per_request", FLOAT64, False, "count"),
    ("modelled_per_request", FLOAT64, False, "count"),
    ("error_pct", FLOAT64, True, "percent"),
]



REPRODUCE = [
    ("scenario", UTF8, False, ""),
    ("figure", UTF8, False, ""),
    ("published_kind", UTF8, False, ""),
    ("published", UTF8, False, ""),
    ("published_value", FLOAT64, False, "as unit"),
    ("unit", UTF8, False, ""),
    ("relative_to", UTF8, False, ""),
    ("modelled", FLOAT64, True, "as unit"),
    ("error_pct", FLOAT64, True, "%"),
    ("tolerance_pct", FLOAT64, False, "%"),
    ("judge", UTF8, False, ""),
    ("status", UTF8, False, ""),
    ("reason", UTF8, False, ""),
    ("verified", BOOL, False, ""),
    ("citation", UTF8, False, ""),
    ("metric", UTF8, False, ""),
]
REPRODUCE_STATUSES = ["not yet reproducible", "off", "reproduced"]
REPRODUCE_KINDS = ["bound", "qualitative", "ratio", "value"]
