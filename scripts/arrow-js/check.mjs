// Reads vqsim result files with the JavaScript Arrow implementation (an independent reader) and
// checks the DESIGN.md §7 columns and types. Usage: node check.mjs OUTDIR
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
const summary = load('summary.arrow');
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
const locks = load('locks.arrow');
expectColumns(locks, 'locks.arrow', { strategy: S, lock: S, kind: S, instances: I32, acquisitions: I64, contended: I64,
  wait_ns_total: I64, wait_ns_p99: I64, hold_ns_mean: F64 });
for (let i = 0; i < locks.numRows; i++) {
  const l = locks.get(i);
  if (l.contended < 0n || l.contended > l.acquisitions) fail(`locks.arrow row ${i}: ${l.contended} contended of ${l.acquisitions}`);
}
console.log(`apache-arrow (JavaScript) read ${dir}: summary ${summary.numRows} rows, requests ${requests.numRows} rows, locks ${locks.numRows} rows — OK`);
