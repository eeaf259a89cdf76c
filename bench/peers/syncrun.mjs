/**
 * The simulated phones of the side-by-side sync benchmark (bench/sync drives it).
 *
 *   node bench/peers/syncrun.mjs CONFIG.json
 *
 * CONFIG: {epochOffsetUs, originUs, seconds, sampleMs, staggerMs, libs: [...],
 *          phones: [{index, offsetUs, driftPpm, urls: {lib: ws URL}}], calibrate: ws URL, out: path}
 *
 * Every phone has one virtual clock (clocks.mjs) shared by its clients, one per
 * library, started at the same instant, each over its own relay route with the
 * phone's seed. Every `sampleMs`, for every phone and library, the error
 * estimate(c) - true time is recorded (µs; null before the library has an
 * estimate). First, `calibrate` (a direct socket to the conductor) checks that
 * true time is the conductor's time: the offset of its best of 30 exchanges.
 * Writes {calibration, sampleMs, ticks, phones: [{index, startS, errors: {lib: [...]}}]} to `out`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { WebSocket } from './deps.mjs';
import { trueClock, virtualClock, virtualReading } from './clocks.mjs';
import { CLIENTS } from './clients.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const trueNow = trueClock(cfg.epochOffsetUs);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function calibrate(url, n = 30) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  const best = { rttUs: Infinity, offsetUs: null, n: 0 };
  ws.on('message', (data) => {
    const t3 = trueNow();
    const m = JSON.parse(data.toString());
    if (m.type !== 'sync_reply') return;
    const rtt = (t3 - m.t0) - (m.t2 - m.t1);
    best.n++;
    if (rtt < best.rttUs) Object.assign(best, { rttUs: rtt, offsetUs: ((m.t1 - m.t0) + (m.t2 - t3)) / 2 });
  });
  for (let i = 0; i < n; i++) {
    ws.send(JSON.stringify({ type: 'sync', id: i + 1, t0: Math.round(trueNow()) }));
    await sleep(20);
  }
  await sleep(200);
  ws.terminate();
  return best;
}

const calibration = cfg.calibrate ? await calibrate(cfg.calibrate) : null;

const runStart = trueNow();
const phones = cfg.phones.map((p) => ({ ...p, startS: null, clients: {}, errors: Object.fromEntries(cfg.libs.map((l) => [l, []])) }));
const ticks = [];

phones.forEach((p, k) => {
  setTimeout(() => {
    const t0Us = trueNow();
    p.startS = (t0Us - runStart) / 1e6;
    p.params = { offsetUs: p.offsetUs, driftPpm: p.driftPpm, t0Us };
    p.now = virtualClock(trueNow, p.params);
    for (const lib of cfg.libs) {
      const c = CLIENTS[lib]({ url: p.urls[lib], now: p.now, originUs: cfg.originUs, client: `bench-sync/${p.index}` });
      p.clients[lib] = c;
      c.start();
    }
  }, k * (cfg.staggerMs ?? 100));
});

const sampler = setInterval(() => {
  const t = trueNow();
  ticks.push((t - runStart) / 1e6);
  for (const p of phones) {
    const c = p.params ? virtualReading(t, p.params) : null; // the phone's clock at the same instant
    for (const lib of cfg.libs) {
      const est = c === null ? null : p.clients[lib].estimateUs(c);
      p.errors[lib].push(est === null || !Number.isFinite(est) ? null : Math.round((est - t) * 10) / 10);
    }
  }
}, cfg.sampleMs ?? 100);

await sleep(cfg.seconds * 1000);
clearInterval(sampler);
for (const p of phones) for (const c of Object.values(p.clients)) c.stop();
writeFileSync(cfg.out, JSON.stringify({
  calibration, sampleMs: cfg.sampleMs ?? 100, ticks,
  phones: phones.map((p) => ({ index: p.index, offsetUs: p.offsetUs, driftPpm: p.driftPpm, startS: p.startS, errors: p.errors })),
}));
process.exit(0);
