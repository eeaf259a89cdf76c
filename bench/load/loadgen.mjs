/**
 * The load generator of bench.load: K lightweight phones and one console
 * against one conductor, speaking the real protocol (docs/protocol.md).
 *
 *   node bench/load/loadgen.mjs CONFIG.json
 *
 * CONFIG: {url, consoleUrl, token, phones, concurrency, epochOffsetUs, joinTimeoutS,
 *          steadyS, leadMs, afterS, burst, burstSpacingMs, periodicBurst, periodMs,
 *          statusMs, consoleProbeMs, out, urls?}
 *
 * With `urls` (several conductor nodes of one show, bench/load/fleet.py) phone i opens
 * urls[i % urls.length]; the output then has the armed `show`'s arrivals per node and
 * every distinct start time the phones were given.
 *
 * A phone does what the web client does (clocksync.js defaults, participant.js):
 * open /ws, `hello`; on `welcome` a burst of `burst` sync requests `burstSpacingMs`
 * apart, then `periodicBurst` every `periodMs` (the client's warm-up period), and a
 * `status` every `statusMs` (random phases; a settled phone's status does not change, so
 * this is the client's "at most every 10 s otherwise" period, client_web/js/statuscadence.js).
 * At most `concurrency` handshakes are in flight while joining.  During the steady phase
 * the console sends a command every `consoleProbeMs` that the conductor refuses at once
 * without a write (`cancel` in the lobby -> `error illegal_transition` with its ref): its
 * round trip is the console's command latency under the phones' load.
 *
 * Phases (marks printed as JSON lines {"mark", "t"}; t = true µs = conductor time):
 * join -> 1.6 s for the last join bursts -> steady (`steadyS`) -> the console arms with `leadMs` lead -> `afterS`
 * past the start -> close. Measured: join times, every sync reply's service time
 * (t2 - t1, server receive -> send, from the reply itself) and round trip, arrival
 * of the armed `show` at every phone, errors and close codes, arrivals of the
 * console's feeds. Writes JSON to `out`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { WebSocket } from '../peers/deps.mjs';
import { trueClock } from '../peers/clocks.mjs';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const URLS = cfg.urls?.length ? cfg.urls : [cfg.url];
const now = trueClock(cfg.epochOffsetUs);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let finish = null; // set once the phones exist: writes what was measured so far
const hardStop = setTimeout(() => {
  console.error('loadgen: hard deadline: writing what was measured');
  if (finish) finish(3);
  process.exit(3);
}, (cfg.joinTimeoutS + cfg.steadyS + cfg.leadMs / 1000 + cfg.afterS + 60) * 1000);

const marks = {};
const mark = (name) => { marks[name] = now(); console.log(JSON.stringify({ mark: name, t: marks[name] })); };
let phase = 'join';
const rec = { join: { service: [], rtt: [] }, steady: { service: [], rtt: [] }, arm: { service: [], rtt: [] } };
const sent = { join: 0, steady: 0, arm: 0 };
const statusSent = { join: 0, steady: 0, arm: 0 };
const worstBySecond = new Map(); // whole seconds since the start -> worst service time (µs) of that second
const t00 = now();
const errors = {};
const closes = {};
let connectFailures = 0;

// ------------------------------------------------------------- timing wheel (10 ms buckets)
const WHEEL_MS = 10;
const wheel = new Map();
let wheelNext = Math.floor(performance.now() / WHEEL_MS);
let wheelCurrent = -1; // the bucket being run: what it schedules for now goes to the next one
function at(ms, fn) {
  const b = Math.max(Math.floor(ms / WHEEL_MS), wheelNext, wheelCurrent + 1);
  let list = wheel.get(b);
  if (!list) wheel.set(b, (list = []));
  list.push(fn);
}
const ticker = setInterval(() => {
  const until = Math.floor(performance.now() / WHEEL_MS);
  for (; wheelNext <= until; wheelNext++) {
    const list = wheel.get(wheelNext);
    if (!list) continue;
    wheel.delete(wheelNext);
    wheelCurrent = wheelNext;
    for (const fn of list) fn();
  }
  wheelCurrent = -1;
}, WHEEL_MS);

// ------------------------------------------------------------------------------- phones
class Phone {
  constructor(i) {
    this.i = i;
    this.ws = null;
    this.nextId = 1;
    this.joinedAt = null;
    this.armedAt = null;
    this.closed = false;
  }

  open() {
    return new Promise((resolve) => {
      this.openedAt = now();
      const ws = new WebSocket(URLS[this.i % URLS.length], { perMessageDeflate: false, handshakeTimeout: 20_000 });
      this.ws = ws;
      let settled = false;
      const done = (ok) => { if (!settled) { settled = true; resolve(ok); } };
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', participant_id: null, client: `bench-load/${this.i}` })));
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type === 'sync_reply') {
          const t3 = now();
          const r = rec[phase];
          r.service.push(m.t2 - m.t1);
          const sec = Math.floor((m.t1 - t00) / 1e6);
          worstBySecond.set(sec, Math.max(worstBySecond.get(sec) ?? 0, m.t2 - m.t1));
          r.rtt.push(t3 - m.t0);
        } else if (m.type === 'welcome') {
          this.joinedAt = now();
          this.start();
          done(true);
        } else if (m.type === 'show') {
          if (m.state === 'armed' && this.armedAt === null) { this.armedAt = now(); this.startAt = m.start_at_us; }
        } else if (m.type === 'error') {
          errors[m.code] = (errors[m.code] || 0) + 1;
        }
      });
      ws.on('error', () => { if (this.joinedAt === null) connectFailures++; done(false); });
      ws.on('close', (code) => {
        this.closed = true;
        if (!stopping) closes[code] = (closes[code] || 0) + 1;
        done(false);
      });
    });
  }

  send(obj) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  sync() {
    sent[phase]++;
    this.send({ type: 'sync', id: this.nextId++, t0: now() });
  }

  burst(n) {
    const t = performance.now();
    for (let k = 0; k < n; k++) at(t + k * cfg.burstSpacingMs, () => this.sync());
  }

  start() {
    this.burst(cfg.burst);
    const t = performance.now();
    const periodic = () => { if (!this.closed && !stopping) { this.burst(cfg.periodicBurst); at(performance.now() + cfg.periodMs, periodic); } };
    at(t + cfg.periodMs * (0.5 + Math.random()), periodic);
    const status = () => {
      if (this.closed || stopping) return;
      statusSent[phase]++;
      this.send({ type: 'status', verified: true, sync_error_us: 1500, engine: 'webaudio', output_latency_us: 20000 });
      at(performance.now() + cfg.statusMs, status);
    };
    at(t + Math.random() * cfg.statusMs, status);
  }
}

let stopping = false;

// ------------------------------------------------------------------------------- console
const consoleWs = new WebSocket(cfg.consoleUrl, { perMessageDeflate: false });
const feedTimes = []; // arrival of every console feed (true µs): bench.attack's feed rate
const probes = new Map(); // ref -> send time (true µs) of a console command not answered yet
const probeRtt = []; // console command round trips (µs), steady phase
let ack = null;
await new Promise((resolve, reject) => {
  consoleWs.on('open', () => consoleWs.send(JSON.stringify({ type: 'console_hello', token: cfg.token })));
  consoleWs.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'console_welcome') resolve();
    if (m.type === 'ack' && m.ref === 'bench-arm') ack = { ...m, at: now() };
    if (m.type === 'error' && typeof m.ref === 'string' && m.ref.startsWith('probe-')) {
      const sentAt = probes.get(m.ref);
      if (sentAt !== undefined) { probeRtt.push(now() - sentAt); probes.delete(m.ref); }
      return;
    }
    if (m.type === 'feed') feedTimes.push(now());
    if (m.type === 'error') console.error('console error:', m.code, m.message);
  });
  consoleWs.on('error', reject);
});

// ---------------------------------------------------------------------------------- join
mark('join_start');
const phones = Array.from({ length: cfg.phones }, (_, i) => new Phone(i));
let armSent = null;
finish = (code) => {
  const startAt = ack?.show?.start_at_us ?? null;
  const arrivals = phones.filter((p) => p.armedAt !== null).map((p) => p.armedAt);
  const joinedNow = phones.filter((p) => p.joinedAt !== null);
  const joinTimes = joinedNow.map((p) => p.joinedAt);
  const firstOpen = Math.min(...phones.map((p) => p.openedAt ?? Infinity));
  const out = {
    phones: cfg.phones,
    complete: code === 0,
    joined: joinedNow.length,
    connectFailures,
    joinSeconds: joinTimes.length ? (Math.max(...joinTimes) - firstOpen) / 1e6 : null,
    joinLatencyUs: joinedNow.map((p) => p.joinedAt - p.openedAt),
    service: Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, v.service])),
    rtt: Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, v.rtt])),
    syncsSent: sent,
    statusSent,
    worstServiceBySecond: [...worstBySecond.entries()].sort((a, b) => a[0] - b[0]),
    marks: { steadyStart: (marks.steady_start - t00) / 1e6, armSent: armSent === null ? null : (armSent - t00) / 1e6 },
    marksUs: marks,
    feedTimesUs: feedTimes,
    console: { probeRttUs: probeRtt, probesUnanswered: probes.size },
    joinTimesUs: joinTimes,
    errors,
    closes,
    arm: { sentUs: armSent, ackUs: ack?.at ?? null, startAtUs: startAt, arrivalsUs: arrivals,
      stillOpen: phones.filter((p) => !p.closed).length,
      arrivalsByNode: URLS.map((_, n) => phones.filter((p) => p.i % URLS.length === n && p.armedAt !== null)
        .map((p) => p.armedAt)),
      startsSeen: [...new Set(phones.filter((p) => p.armedAt !== null).map((p) => p.startAt))] },
  };
  writeFileSync(cfg.out, JSON.stringify(out));
};
let nextPhone = 0;
const joinDeadline = performance.now() + cfg.joinTimeoutS * 1000;
async function joiner() {
  while (nextPhone < phones.length && performance.now() < joinDeadline) {
    await phones[nextPhone++].open();
  }
}
await Promise.all(Array.from({ length: cfg.concurrency }, joiner));
mark('joined');

// -------------------------------------------------------------------------------- steady
await sleep((cfg.burst * cfg.burstSpacingMs) + 1000); // let the last join bursts pass
phase = 'steady';
mark('steady_start');
let probeN = 0;
const prober = cfg.consoleProbeMs ? setInterval(() => {
  const ref = `probe-${++probeN}`;
  probes.set(ref, now());
  consoleWs.send(JSON.stringify({ type: 'cancel', ref }));
}, cfg.consoleProbeMs) : null;
await sleep(cfg.steadyS * 1000);
if (prober) clearInterval(prober);
mark('steady_end');

// ----------------------------------------------------------------------------------- arm
phase = 'arm';
armSent = now();
consoleWs.send(JSON.stringify({ type: 'arm', in_ms: cfg.leadMs, ref: 'bench-arm' }));
mark('arm_sent');
await sleep(cfg.leadMs + cfg.afterS * 1000);
mark('done');
stopping = true;
clearInterval(ticker);

finish(0);
for (const p of phones) p.ws?.terminate();
consoleWs.terminate();
clearTimeout(hardStop);
process.exit(0);
