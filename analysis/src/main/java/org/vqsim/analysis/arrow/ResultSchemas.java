package org.vqsim.analysis.arrow;

import static org.vqsim.analysis.arrow.Columns.FLOAT64;
import static org.vqsim.analysis.arrow.Columns.INT32;
import static org.vqsim.analysis.arrow.Columns.INT64;
import static org.vqsim.analysis.arrow.Columns.UTF8;
import static org.vqsim.analysis.arrow.Columns.col;
import static org.vqsim.analysis.arrow.Columns.nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.engine.cost.Actor;
import org.vqsim.engine.cost.Category;
import org.vqsim.engine.cost.EventKind;

/**
 * The schemas of vqsim's result files (DESIGN.md §7), as documented constants: every column has a
 * unit and a description in its field metadata.
 */
public final class ResultSchemas {
  private ResultSchemas() {}

  public static final String KIND_REQUESTS = "requests", KIND_SUMMARY = "summary", KIND_LATENCY = "latency";

  /** requests.arrow: one row per request per strategy. */
  public static Schema requests(Map<String, String> metadata) {
    List<Field> f = new ArrayList<>();
    f.add(col("strategy", UTF8, "", "DMA strategy id"));
    f.add(col("request", INT64, "", "request index in trace order, from 0"));
    f.add(col("op", UTF8, "", "R read, W write, F flush, D discard"));
    f.add(col("offset", INT64, "bytes", "device offset"));
    f.add(col("length", INT32, "bytes", "request length"));
    f.add(col("cpu", INT32, "", "the vCPU that submitted it"));
    f.add(col("queue", INT32, "", "the virtio-blk queue it went through"));
    f.add(col("submit_ns", INT64, "ns", "simulated submission time"));
    f.add(col("complete_ns", INT64, "ns", "simulated completion time (guest reclaimed the used entry)"));
    f.add(col("latency_ns", INT64, "ns", "complete_ns - submit_ns"));
    f.add(col("guest_cycles", INT64, "cycles", "cycles the guest vCPU spent on this request"));
    f.add(col("host_cycles", INT64, "cycles", "cycles the host (VMM, IOMMU emulation, backend) spent on this request"));
    for (EventKind e : EventKind.values()) {
      f.add(col(e.id, e == EventKind.BOUNCE_BYTES ? INT64 : INT32, e == EventKind.BOUNCE_BYTES ? "bytes" : "count", e.description));
    }
    return Columns.schema(f, metadata);
  }

  /**
   * Bytes one row of {@code schema} takes in an Arrow IPC file, for size estimates: the fixed width of
   * each column, a 4-byte offset plus {@code stringBytes.applyAsInt(column)} for each utf8 column, and a
   * validity bit per column (Arrow writes validity buffers for every column). Batch headers and padding
   * add about 1%.
   */
  public static double estimatedRowBytes(Schema schema, java.util.function.ToIntFunction<String> stringBytes) {
    double b = 0;
    for (Field f : schema.getFields()) {
      org.apache.arrow.vector.types.pojo.ArrowType t = f.getType();
      if (t instanceof org.apache.arrow.vector.types.pojo.ArrowType.Int i) b += i.getBitWidth() / 8.0;
      else if (t instanceof org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint) b += 8;
      else if (t instanceof org.apache.arrow.vector.types.pojo.ArrowType.Utf8) b += 4 + stringBytes.applyAsInt(f.getName());
      else b += 1.0 / 8;
      b += 1.0 / 8;
    }
    return b * 1.01;
  }

  /** summary.arrow: one row per strategy. */
  public static Schema summary(Map<String, String> metadata) {
    List<Field> f = new ArrayList<>();
    f.add(col("strategy", UTF8, "", "DMA strategy id"));
    f.add(col("profile", UTF8, "", "cost profile name"));
    f.add(col("trace", UTF8, "", "trace file name or generated workload"));
    f.add(col("ring", UTF8, "", "virtqueue layout: split or packed"));
    f.add(col("backend", UTF8, "", "device model: qemu or vhost"));
    f.add(col("iodepth", INT32, "requests", "closed-loop depth per job (per CPU the trace names, or over the whole trace), or the in-flight limit per queue of an open-loop replay"));
    f.add(col("vcpus", INT32, "count", "guest vCPUs"));
    f.add(col("queues", INT32, "count", "virtio-blk queues"));
    f.add(col("requests", INT64, "count", "requests completed"));
    f.add(col("bytes", INT64, "bytes", "data bytes read and written"));
    f.add(col("sim_time_ns", INT64, "ns", "simulated time from first submission to last completion"));
    f.add(col("iops", FLOAT64, "requests/s", "requests / simulated time"));
    f.add(col("mib_per_s", FLOAT64, "MiB/s", "bytes / simulated time"));
    f.add(col("lat_mean_ns", FLOAT64, "ns", "mean latency"));
    f.add(col("lat_p50_ns", INT64, "ns", "median latency (HdrHistogram, 3 significant digits)"));
    f.add(col("lat_p99_ns", INT64, "ns", "99th percentile latency"));
    f.add(col("lat_p999_ns", INT64, "ns", "99.9th percentile latency"));
    f.add(col("lat_max_ns", INT64, "ns", "largest latency"));
    f.add(col("cycles_per_request", FLOAT64, "cycles", "all cycles (guest and host) per request"));
    f.add(col("cycles_per_kib", FLOAT64, "cycles/KiB", "all cycles per KiB of data (NaN without data)"));
    f.add(col("guest_cycles_per_request", FLOAT64, "cycles", "guest vCPU cycles per request"));
    f.add(col("host_cycles_per_request", FLOAT64, "cycles", "host cycles per request"));
    f.add(nullable("slowdown_vs_direct", FLOAT64, "ratio", "direct's IOPS / this strategy's IOPS on the same trace and profile (1 = as fast; null when direct was not run)"));
    f.add(nullable("cycles_vs_direct", FLOAT64, "ratio", "cycles per request / direct's cycles per request (null when direct was not run)"));
    for (EventKind e : EventKind.values()) {
      f.add(col(e.id + "_per_request", FLOAT64, e == EventKind.BOUNCE_BYTES ? "bytes" : "count", "mean per request: " + e.description));
    }
    f.add(col("kicks_suppressed_per_request", FLOAT64, "count", "publishes after which notification was suppressed (event index)"));
    f.add(col("ring_full_stalls", INT64, "count", "times a request waited for free descriptors"));
    f.add(col("map_stalls", INT64, "count", "times a request waited because a DMA mapping failed (swiotlb pool full)"));
    f.add(col("vcpu_util_max", FLOAT64, "fraction", "busiest guest vCPU's busy time / simulated time"));
    f.add(col("vcpu_util_mean", FLOAT64, "fraction", "guest vCPUs' mean busy time / simulated time"));
    f.add(col("vmm_util_max", FLOAT64, "fraction", "busiest VMM thread's (QEMU or vhost) busy time / simulated time: near 1, it limits throughput"));
    f.add(col("lock_wait_ns_per_request", FLOAT64, "ns", "time spent waiting for locks (guest spinlocks and QEMU mutexes) per request"));
    f.add(col("most_waited_lock", UTF8, "", "the lock waited for longest in total (as named in locks.arrow); empty when no lock was waited for"));
    for (Category c : Category.values()) f.add(col("cycles_" + c.id, FLOAT64, "cycles", "per request: " + c.description));
    for (Actor a : Actor.values()) f.add(col("cycles_" + a.id, FLOAT64, "cycles", "per request: " + a.description));
    return Columns.schema(f, metadata);
  }

  public static final String KIND_FLEET = "fleet", KIND_SWEEP = "sweep", KIND_LOCKS = "locks", KIND_REPRODUCE = "reproduce";

  /** reproduce.arrow: one row per published figure of the scenarios run (vqsim reproduce). */
  public static Schema reproduce(Map<String, String> metadata) {
    return Columns.schema(List.of(
        col("scenario", UTF8, "", "scenario id: its file name in published/ without .toml"),
        col("figure", UTF8, "", "figure id within the scenario"),
        col("published_kind", UTF8, "", "value, ratio, bound (\"up to 80%\") or qualitative (\"close to bypass\")"),
        col("published", UTF8, "", "the figure exactly as published, with its unit"),
        col("published_value", FLOAT64, "as unit", "the number compared with: the published figure, or for a qualitative one the threshold its rule states"),
        col("unit", UTF8, "", "unit of published_value and modelled"),
        col("relative_to", UTF8, "", "what the published figure is relative to"),
        nullable("modelled", FLOAT64, "as unit", "the model's value of the corresponding metric; null when not yet reproducible"),
        nullable("error_pct", FLOAT64, "%", "(modelled - published_value) / |published_value| x 100; null when not yet reproducible"),
        col("tolerance_pct", FLOAT64, "%", "what counts as reproduced, fixed in the scenario file before its first run"),
        col("judge", UTF8, "", "within (|error| <= tolerance), at_most (modelled <= published x (1 + tolerance)) or at_least (modelled >= published x (1 - tolerance))"),
        col("status", UTF8, "", "reproduced, off, or not yet reproducible"),
        col("reason", UTF8, "", "why it is off, or which capability the model lacks; empty when reproduced"),
        col("verified", Columns.BOOL, "", "whether the figure was read in the source text itself (false: second-hand or not checked)"),
        col("citation", UTF8, "", "authors, venue and year of the source"),
        col("metric", UTF8, "", "the modelled metric's formula over the scenario's runs (RUN.COLUMN of summary.arrow); empty when not modelled")), metadata);
  }

  /** locks.arrow: one row per strategy and lock (its instances together). */
  public static Schema locks(Map<String, String> metadata) {
    return Columns.schema(List.of(
        col("strategy", UTF8, "", "DMA strategy id"),
        col("lock", UTF8, "", "stable lock name: virtqueue, mq_deadline, swiotlb.area, iova.rbtree, iova.depot, vtd.qi_lock, qemu.bql, vtd.iommu_lock, "
            + "virtio_iommu.request_lock, virtio_iommu.mutex, tce.pool"),
        col("kind", UTF8, "", "spin (a guest spinlock: waits are vCPU cycles) or mutex (a QEMU mutex: waits add latency, no cycles)"),
        col("instances", INT32, "count", "how many locks of this name (queues, areas, pools)"),
        col("acquisitions", INT64, "count", "holds taken"),
        col("contended", INT64, "count", "holds that had to wait"),
        col("wait_ns_total", INT64, "ns", "time spent waiting for it"),
        col("wait_ns_p99", INT64, "ns", "99th percentile of the waits (within about 3%)"),
        col("hold_ns_mean", FLOAT64, "ns", "mean time it was held")), metadata);
  }

  /**
   * sweep.arrow: one utf8 column per swept parameter (named as in --param), then every summary column,
   * then the network units' own: {@code pps} and {@code gbit_per_s}, null in a block unit's row (a
   * network unit's summary columns count a packet as a request: iops is its packets per second).
   */
  public static Schema sweep(List<String> paramColumns, Map<String, String> metadata) {
    List<Field> f = new ArrayList<>();
    for (String p : paramColumns) f.add(col(p, UTF8, "", "swept parameter " + p + " as given on the command line"));
    f.addAll(summary(Map.of()).getFields());
    f.add(nullable("pps", FLOAT64, "packets/s", "network units: packets (transmitted + received) per simulated second, = iops; null for block units"));
    f.add(nullable("gbit_per_s", FLOAT64, "Gb/s", "network units: frame bits per simulated second; null for block units"));
    return Columns.schema(f, metadata);
  }

  /** fleet.arrow: one row per platform × ACCESS_PLATFORM offered or not × guest kind. */
  public static Schema fleet(Map<String, String> metadata) {
    return Columns.schema(List.of(
        col("platform", UTF8, "", "host configuration (x86-intel-iommu, …, pseries-tce-bypass)"),
        col("access_platform", Columns.BOOL, "", "whether the host offers VIRTIO_F_ACCESS_PLATFORM"),
        col("guest", UTF8, "", "guest kind (legacy, modern, modern-virtio-iommu, secure, secure-old)"),
        col("outcome", UTF8, "", "OK, FAILED (the device does not come up) or BROKEN (it comes up and cannot work)"),
        col("strategy", UTF8, "", "the DMA strategy the guest ends up with; empty when it does not run"),
        col("reason", UTF8, "", "why, in words"),
        col("profile", UTF8, "", "cost profile the platform was replayed with"),
        nullable("iops", FLOAT64, "requests/s", "replayed throughput; null when the guest does not run"),
        nullable("slowdown_vs_direct", FLOAT64, "ratio", "direct's IOPS / this IOPS on the same profile; null when the guest does not run")), metadata);
  }

  /** latency.arrow: HdrHistogram buckets per strategy. */
  public static Schema latency(Map<String, String> metadata) {
    return Columns.schema(List.of(
        col("strategy", UTF8, "", "DMA strategy id"),
        col("bucket_low_ns", INT64, "ns", "lowest latency counted in this bucket"),
        col("bucket_high_ns", INT64, "ns", "highest latency counted in this bucket (HdrHistogram equivalent range)"),
        col("count", INT64, "count", "requests in this bucket"),
        col("cumulative_count", INT64, "count", "requests with latency ≤ bucket_high_ns"),
        col("cumulative_fraction", FLOAT64, "fraction", "cumulative_count / requests: the latency CDF")), metadata);
  }
}
