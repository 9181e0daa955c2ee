// Reads vqsim result files with the JavaScript Arrow implementation (an independent reader) and
// checks the DESIGN.md §7 columns and types. Usage: node check.mjs OUTDIR
// OUTDIR is a block replay's folder (summary, requests, latency, locks), a network replay's (the same
// files with a row per packet: summary.arrow's vqsim.kind is net-replay), or a sweep's (sweep.arrow,
// whose network rows carry pps and gbit_per_s); each is checked against its own columns and facts.
import { readFileSync, existsSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

const dir = process.argv[2];
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };

function load(name) {
  const p = `${dir}/${name}`;
  if (!existsSync(p)) fail(`${p} missing`);
  return tableFromIPC(readFileSync(p));
}

function expectColumns(table, name, spec) {
  const fields = new Map(table.schema.fields.map((f) => [f.name, f.type.toString()]));
  for (const [col, type] of Object.entries(spec)) {
    if (!fields.has(col)) fail(`${name}: no column ${col}`);
    if (fields.get(col) !== type) fail(`${name}: ${col} is ${fields.get(col)}, expected ${type}`);
  }
}

const S = 'Utf8', I32 = 'Int32', I64 = 'Int64', F64 = 'Float64';

function checkLocks() {
  const locks = load('locks.arrow');
  expectColumns(locks, 'locks.arrow', { strategy: S, lock: S, kind: S, instances: I32, acquisitions: I64, contended: I64,
    wait_ns_total: I64, wait_ns_p99: I64, hold_ns_mean: F64 });
  if (locks.schema.metadata.get('vqsim.kind') !== 'locks') fail('locks.arrow: vqsim.kind is not locks');
  for (let i = 0; i < locks.numRows; i++) {
    const l = locks.get(i);
    if (l.contended < 0n || l.contended > l.acquisitions) fail(`locks.arrow row ${i}: ${l.contended} contended of ${l.acquisitions}`);
    if (l.kind !== 'spin' && l.kind !== 'mutex') fail(`locks.arrow row ${i}: kind ${l.kind}`);
  }
  return locks;
}

const near = (a, b, rel) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);

// A block replay's folder: a row per request.
function checkBlock(summary) {
  const sumSpec = { strategy: S, profile: S, trace: S, ring: S, backend: S, iodepth: I32, vcpus: I32, queues: I32, requests: I64, bytes: I64,
    sim_time_ns: I64, iops: F64, mib_per_s: F64, lat_p50_ns: I64, lat_p99_ns: I64, lat_p999_ns: I64,
    cycles_per_request: F64, slowdown_vs_direct: F64, lock_wait_ns_per_request: F64 };
  for (const k of ['maps', 'unmaps', 'bounces', 'bounce_bytes', 'invalidations', 'iotlb_misses', 'hypercalls', 'exits', 'interrupts'])
    sumSpec[`${k}_per_request`] = F64;
  for (const k of ['ring', 'notify', 'interrupt', 'map', 'unmap', 'invalidate', 'iotlb_walk', 'translate', 'bounce_copy',
    'bounce_alloc', 'hypercall', 'device', 'sched', 'lock_wait', 'vcpu', 'vmm', 'iommu', 'backend'])
    sumSpec[`cycles_${k}`] = F64;
  expectColumns(summary, 'summary.arrow', sumSpec);
  if (summary.numRows < 1) fail('summary.arrow has no rows');
  const meta = summary.schema.metadata;
  if (!meta.get('vqsim.version')) fail('summary.arrow: no vqsim.version metadata');

  const requests = load('requests.arrow');
  const reqSpec = { strategy: S, request: I64, op: S, offset: I64, length: I32, cpu: I32, queue: I32, submit_ns: I64, complete_ns: I64,
    latency_ns: I64, guest_cycles: I64, host_cycles: I64, maps: I32, unmaps: I32, bounces: I32, invalidations: I32,
    iotlb_misses: I32, hypercalls: I32, exits: I32, interrupts: I32, bounce_bytes: I64 };
  expectColumns(requests, 'requests.arrow', reqSpec);

  // cross-check: per strategy, the rows of requests.arrow agree with summary.arrow
  for (let i = 0; i < summary.numRows; i++) {
    const row = summary.get(i);
    const strategy = row.strategy;
    let n = 0;
    const lat = requests.getChild('latency_ns'), st = requests.getChild('strategy');
    const sub = requests.getChild('submit_ns'), com = requests.getChild('complete_ns');
    for (let r = 0; r < requests.numRows; r++) {
      if (st.get(r) !== strategy) continue;
      n++;
      if (com.get(r) - sub.get(r) !== lat.get(r)) fail(`requests.arrow row ${r}: latency_ns != complete_ns - submit_ns`);
    }
    if (BigInt(n) !== row.requests) fail(`${strategy}: ${n} request rows but summary says ${row.requests}`);
    console.log(`${strategy}: ${n} requests, ${row.iops.toFixed(0)} IOPS, p99 ${row.lat_p99_ns} ns, ${row.cycles_per_request.toFixed(0)} cycles/request`);
  }
  load('latency.arrow');
  const locks = checkLocks();
  console.log(`apache-arrow (JavaScript) read ${dir}: summary ${summary.numRows} rows, requests ${requests.numRows} rows, locks ${locks.numRows} rows — OK`);
}

// A network replay's folder: a row per packet in requests.arrow (direction, queue, buffers), packets per
// second and Gb/s in summary.arrow, which this reader recomputes from the packet rows.
function checkNet(summary) {
  expectColumns(summary, 'summary.arrow', { strategy: S, packets: I64, tx_packets: I64, rx_packets: I64, pps: F64, gbit_per_s: F64, sim_time_ns: I64,
    latency_mean_ns: F64, latency_p99_ns: I64, cycles_guest_per_packet: F64, cycles_host_per_packet: F64, maps_per_packet: F64, bounces_per_packet: F64,
    invalidations_per_packet: F64, kicks_per_packet: F64, device_interrupts_per_packet: F64, rx_buffers_per_packet: F64, refill_failures: I64, drops: I64,
    features: S, rx_buffer_kind: S });
  const requests = load('requests.arrow');
  expectColumns(requests, 'requests.arrow', { strategy: S, packet: I64, direction: S, queue: I32, frame_len: I32, buffers: I32, start_ns: I64, done_ns: I64,
    latency_ns: I64, cycles_guest: I64, cycles_host: I64, maps: I64, unmaps: I64, bounces: I64, bounce_bytes: I64, invalidations: I64, exits: I64,
    interrupts: I64 });
  if (requests.schema.metadata.get('vqsim.kind') !== 'net-replay') fail('requests.arrow: vqsim.kind is not net-replay');
  const st = requests.getChild('strategy'), dirs = requests.getChild('direction'), len = requests.getChild('frame_len'), bufs = requests.getChild('buffers');
  const start = requests.getChild('start_ns'), done = requests.getChild('done_ns'), lat = requests.getChild('latency_ns'), q = requests.getChild('queue');
  for (let i = 0; i < summary.numRows; i++) {
    const row = summary.get(i);
    let tx = 0n, rx = 0n, bytes = 0n, rxBufs = 0n;
    for (let r = 0; r < requests.numRows; r++) {
      if (st.get(r) !== row.strategy) continue;
      const d = dirs.get(r);
      if (d === 'tx') tx++;
      else if (d === 'rx') { rx++; rxBufs += BigInt(bufs.get(r)); }
      else fail(`requests.arrow row ${r}: direction ${d}`);
      if (q.get(r) < 0) fail(`requests.arrow row ${r}: queue ${q.get(r)}`);
      const l = done.get(r) - start.get(r);
      if ((l < 0n ? 0n : l) !== lat.get(r)) fail(`requests.arrow row ${r}: latency_ns != done_ns - start_ns`);
      bytes += BigInt(len.get(r));
    }
    if (tx !== row.tx_packets || rx !== row.rx_packets) fail(`${row.strategy}: ${tx} tx and ${rx} rx packet rows, summary says ${row.tx_packets} and ${row.rx_packets}`);
    if (tx + rx !== row.packets) fail(`${row.strategy}: tx + rx != packets`);
    const seconds = Number(row.sim_time_ns) / 1e9;
    if (!near(row.pps, Number(row.packets) / seconds, 1e-9)) fail(`${row.strategy}: pps ${row.pps} is not packets / sim_time`);
    if (!near(row.gbit_per_s, Number(bytes) * 8 / Number(row.sim_time_ns), 1e-9)) fail(`${row.strategy}: gbit_per_s ${row.gbit_per_s} is not the frames' bits / sim_time`);
    if (rx > 0n && !near(row.rx_buffers_per_packet, Number(rxBufs) / Number(rx), 1e-9)) fail(`${row.strategy}: rx_buffers_per_packet disagrees with the rows' buffers`);
    console.log(`${row.strategy}: ${row.packets} packets (${tx} tx, ${rx} rx), ${row.pps.toFixed(0)} packets/s, ${row.gbit_per_s.toFixed(2)} Gb/s`);
  }
  load('latency.arrow');
  const locks = checkLocks();
  const strategies = new Set(Array.from({ length: summary.numRows }, (_, i) => summary.get(i).strategy));
  const withQueues = new Set();
  const ln = locks.getChild('lock'), ls = locks.getChild('strategy');
  for (let i = 0; i < locks.numRows; i++) if (ln.get(i) === 'virtqueue') withQueues.add(ls.get(i));
  for (const s of strategies) if (!withQueues.has(s)) fail(`locks.arrow: no virtqueue lock for ${s}`);
  console.log(`apache-arrow (JavaScript) read ${dir}: network summary ${summary.numRows} rows, packets ${requests.numRows} rows, locks ${locks.numRows} rows — OK`);
}

// A sweep's folder: sweep.arrow, whose network rows (pps set) have pps = iops and Gb/s from their frame bytes.
function checkSweep() {
  const sweep = load('sweep.arrow');
  expectColumns(sweep, 'sweep.arrow', { strategy: S, trace: S, ring: S, requests: I64, bytes: I64, sim_time_ns: I64, iops: F64, mib_per_s: F64,
    cycles_per_request: F64, pps: F64, gbit_per_s: F64 });
  const fields = new Map(sweep.schema.fields.map((f) => [f.name, f]));
  for (const c of ['pps', 'gbit_per_s']) if (!fields.get(c).nullable) fail(`sweep.arrow: ${c} is not nullable`);
  let net = 0;
  for (let i = 0; i < sweep.numRows; i++) {
    const r = sweep.get(i);
    if (r.pps === null) {
      if (r.gbit_per_s !== null) fail(`sweep.arrow row ${i}: gbit_per_s without pps`);
      continue;
    }
    net++;
    if (!near(r.pps, r.iops, 1e-9)) fail(`sweep.arrow row ${i}: pps ${r.pps} != iops ${r.iops}`);
    if (!near(r.gbit_per_s, Number(r.bytes) * 8 / Number(r.sim_time_ns), 1e-9)) fail(`sweep.arrow row ${i}: gbit_per_s is not bytes * 8 / sim_time_ns`);
  }
  console.log(`apache-arrow (JavaScript) read ${dir}/sweep.arrow: ${sweep.numRows} rows, ${net} of them network units — OK`);
}

const hasSummary = existsSync(`${dir}/summary.arrow`), hasSweep = existsSync(`${dir}/sweep.arrow`);
if (!hasSummary && !hasSweep) fail(`${dir}: neither summary.arrow nor sweep.arrow`);
if (hasSummary) {
  const summary = load('summary.arrow');
  if (summary.schema.metadata.get('vqsim.kind') === 'net-replay') checkNet(summary);
  else checkBlock(summary);
}
if (hasSweep) checkSweep();
