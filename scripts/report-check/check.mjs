// Loads a vqsim HTML report in headless Chromium over the DevTools protocol and checks what a
// reader's browser would do: no console errors, no network requests (only the file itself), no
// script, charts present (inline <svg> with drawn paths), and a screenshot that is not blank.
// Usage: node check.mjs REPORT.html OUT.png [--segments]
//   --segments also writes OUT-01.png, OUT-02.png, … (1100×1400 slices) for a person to look at.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import WebSocket from 'ws';

const [report, outPng, ...rest] = process.argv.slice(2);
if (!report || !outPng) { console.error('usage: node check.mjs REPORT.html OUT.png [--segments]'); process.exit(2); }
if (!existsSync(report)) { console.error(`FAIL: ${report}: no such file`); process.exit(1); }
const segments = rest.includes('--segments');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const WIDTH = 1100;
const fileUrl = pathToFileURL(resolve(report)).href;
const profile = mkdtempSync(join(tmpdir(), 'vqsim-chromium-'));
const problems = [];

const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions', '--mute-audio',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });

function cleanup() {
  try { browser.kill('SIGKILL'); } catch { /* already gone */ }
  try { rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
}
const timer = setTimeout(() => { console.error('FAIL: timed out after 60 s'); cleanup(); process.exit(1); }, 60000);

process.on('uncaughtException', (e) => { console.error('FAIL: ' + (e.stack || e)); cleanup(); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error('FAIL: ' + (e?.stack || e)); cleanup(); process.exit(1); });

const wsUrl = await new Promise((ok, fail) => {
  let buf = '';
  browser.stderr.on('data', (d) => {
    buf += d;
    const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) ok(m[1]);
  });
  browser.on('exit', (code) => fail(new Error(`chromium exited (${code}) before DevTools was ready:\n${buf}`)));
}).catch((e) => { console.error('FAIL: ' + e.message); cleanup(); process.exit(1); });

const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
let nextId = 1;
const pending = new Map();
const listeners = [];
ws.on('message', (raw) => {
  const msg = JSON.parse(raw.toString());
  if (msg.id && pending.has(msg.id)) {
    const { ok, fail } = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) fail(new Error(JSON.stringify(msg.error))); else ok(msg.result);
  } else if (msg.method) {
    for (const l of listeners) l(msg);
  }
});
const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
  const id = nextId++;
  pending.set(id, { ok, fail });
  ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
});

const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
const s = (method, params) => send(method, params, sessionId);

const requests = [];
let loaded;
const loadedP = new Promise((ok) => { loaded = ok; });
listeners.push((m) => {
  if (m.sessionId !== sessionId) return;
  const p = m.params;
  if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
    problems.push('console error: ' + p.args.map((a) => a.value ?? a.description).join(' '));
  } else if (m.method === 'Runtime.exceptionThrown') {
    problems.push('exception: ' + (p.exceptionDetails.exception?.description ?? p.exceptionDetails.text));
  } else if (m.method === 'Log.entryAdded' && p.entry.level === 'error') {
    problems.push(`console error (${p.entry.source}): ${p.entry.text} ${p.entry.url ?? ''}`.trim());
  } else if (m.method === 'Network.requestWillBeSent') {
    requests.push(p.request.url);
  } else if (m.method === 'Page.loadEventFired') {
    loaded();
  }
});
await s('Page.enable');
await s('Runtime.enable');
await s('Log.enable');
await s('Network.enable');
await s('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: 900, deviceScaleFactor: 1, mobile: false });
await s('Page.navigate', { url: fileUrl });
await loadedP;
await new Promise((ok) => setTimeout(ok, 500)); // late requests or errors

const other = requests.filter((u) => u !== fileUrl);
if (other.length) problems.push(`network requests besides the file itself: ${other.slice(0, 5).join(', ')}${other.length > 5 ? ' …' : ''}`);

const facts = JSON.parse((await s('Runtime.evaluate', { returnByValue: true, expression: `JSON.stringify((() => {
  const svgs = [...document.querySelectorAll('svg')];
  const drawn = svgs.filter((g) => {
    const r = g.getBoundingClientRect();
    const paths = [...g.querySelectorAll('path')].filter((p) => (p.getAttribute('d') || '').length > 10);
    return r.width > 100 && r.height > 100 && paths.length > 0;
  });
  return { svgs: svgs.length, drawn: drawn.length, scripts: document.scripts.length,
           external: [...document.querySelectorAll('[src],link[href]')].map((e) => e.getAttribute('src') || e.getAttribute('href')),
           tables: document.querySelectorAll('table').length, title: document.title,
           height: document.documentElement.scrollHeight };
})())` })).result.value);
if (facts.scripts > 0) problems.push(`${facts.scripts} <script> elements (the report must not need JavaScript)`);
if (facts.external.length) problems.push(`external resources: ${facts.external.join(', ')}`);
if (facts.svgs === 0) problems.push('no chart (<svg>) on the page');
if (facts.drawn < facts.svgs) problems.push(`${facts.svgs - facts.drawn} of ${facts.svgs} charts are empty or have no size`);
if (facts.tables === 0) problems.push('no table on the page');

const height = Math.min(facts.height, 30000);
const shot = await s('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: WIDTH, height, scale: 1 } });
const png = Buffer.from(shot.data, 'base64');
writeFileSync(outPng, png);
const look = pngStats(png);
if (look.colours < 16 || look.inked < 0.01) problems.push(`the screenshot looks blank (${look.colours} colours, ${(look.inked * 100).toFixed(2)}% non-white)`);
if (segments) {
  const n = Math.ceil(height / 1400);
  for (let i = 0; i < n; i++) {
    const part = await s('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true,
      clip: { x: 0, y: i * 1400, width: WIDTH, height: Math.min(1400, height - i * 1400), scale: 1 } });
    writeFileSync(outPng.replace(/\.png$/, '') + `-${String(i + 1).padStart(2, '0')}.png`, Buffer.from(part.data, 'base64'));
  }
}
clearTimeout(timer);
ws.close();
cleanup();

if (problems.length) {
  for (const p of problems) console.error('FAIL: ' + p);
  process.exit(1);
}
console.log(`report-check OK: "${facts.title}": ${facts.drawn} charts drawn, ${facts.tables} tables, no script, no console error, ` +
  `no network request; screenshot ${WIDTH}×${height} px with ${look.colours} colours (${(look.inked * 100).toFixed(1)}% non-white) → ${outPng}`);
process.exit(0);

/** Distinct colours and the share of non-white pixels of an 8-bit RGB/RGBA PNG, decoded with zlib. */
function pngStats(buf) {
  let off = 8, width = 0, height = 0, bitDepth = 0, colourType = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); bitDepth = data[8]; colourType = data[9]; }
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6)) throw new Error(`unexpected PNG: depth ${bitDepth}, colour type ${colourType}`);
  const bpp = colourType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  let prev = Buffer.alloc(stride), cur = Buffer.alloc(stride);
  const colours = new Set();
  let inked = 0;
  for (let y = 0; y < height; y++) {
    const base = y * (stride + 1), filter = raw[base];
    for (let x = 0; x < stride; x++) {
      const v = raw[base + 1 + x];
      const a = x >= bpp ? cur[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
      let r;
      switch (filter) {
        case 0: r = v; break;
        case 1: r = v + a; break;
        case 2: r = v + b; break;
        case 3: r = v + ((a + b) >> 1); break;
        case 4: { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); r = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c); break; }
        default: throw new Error('bad PNG filter ' + filter);
      }
      cur[x] = r & 0xff;
    }
    for (let x = 0; x < stride; x += bpp) {
      const rgb = (cur[x] << 16) | (cur[x + 1] << 8) | cur[x + 2];
      if (colours.size < 100000) colours.add(rgb);
      if (rgb !== 0xffffff) inked++;
    }
    [prev, cur] = [cur, prev];
  }
  return { colours: colours.size, inked: inked / (width * height) };
}
