/**
 * audioclock.js against what each engine really reports: the fixtures are
 * readings recorded from Chromium 156, Firefox ESR 153 and WebKitGTK 2.50 on a
 * private PulseAudio server at 44.1 and 48 kHz, with the context at the
 * device's rate and forced to 48 kHz (python -m bench.acoustic.readings).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { AudioClock, LIMITS, timestampFault, fallbackLatency, fitLine, fitEnvelope, latencyReadsCanBlock } from '../../client_web/js/audioclock.js';
import { rng } from './netsim.mjs';

const DIR = new URL('./fixtures/', import.meta.url);
const fixtures = (engine) => readdirSync(DIR).filter((f) => f.startsWith(`readings-${engine}-`))
  .map((f) => ({ name: f, ...JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) }));

/** Replay a fixture into a fresh AudioClock; returns the clock and the faults per reading. */
function replay(fx) {
  const clock = new AudioClock();
  const faults = [];
  for (const r of fx.readings) {
    const ts = r.performanceTime === null ? null : { contextTime: r.contextTime, performanceTime: r.performanceTime };
    faults.push(clock.add({ ts, currentTime: r.currentTime, perfNow: r.after, outputLatency: r.outputLatency,
      baseLatency: r.baseLatency, sampleRate: fx.info.sampleRate }));
  }
  return { clock, faults };
}

test('the fixtures cover three engines, two sound-server rates, two context rates', () => {
  for (const e of ['chromium', 'firefox', 'webkit']) {
    const fx = fixtures(e);
    assert.equal(fx.length, 4, e);
    for (const f of fx) assert.ok(f.readings.length >= 50, `${f.name}: ${f.readings.length} readings`);
  }
});

test('WebKitGTK: performanceTime in the future (≈ now + contextTime): never trusted, the middle of the unknown used', () => {
  for (const fx of fixtures('webkit')) {
    const { clock, faults } = replay(fx);
    const late = fx.readings.map((r, i) => [r, faults[i]]).filter(([r]) => r.currentTime > 0.05);
    // every stamp once the context has run 50 ms is impossible: in the future (and at twice the rate)
    for (const [r, f] of late) assert.ok(['future', 'rate'].includes(f), `${fx.name} ct ${r.currentTime}: ${f}`);
    assert.equal(clock.source, 'default', fx.name);
    assert.ok(clock.settled);
    const last = fx.readings.at(-1);
    const lat = clock.latencyMs(last.currentTime, last.after);
    // outputLatency is 0 in WebKitGTK: baseLatency (one quantum) + half the 100 ms unknown, minus the envelope's lag
    assert.ok(lat > 30 && lat < 60, `${fx.name}: latency ${lat}`);
    assert.ok(clock.boundMs() >= 50, `${fx.name}: bound ${clock.boundMs()}`);
  }
});

test('Gecko: stamps built from currentTime and now minus one latency ("heard now") are rejected; outputLatency is used', () => {
  for (const fx of fixtures('firefox')) {
    const { clock, faults } = replay(fx);
    const judged = faults.filter((f, i) => fx.readings[i].contextTime > 0);
    assert.ok(judged.length > 40, fx.name);
    for (const f of judged) assert.equal(f, 'no-latency', fx.name);
    assert.equal(clock.source, 'outputLatency', fx.name);
    const ol = fx.readings.at(-1).outputLatency;
    assert.ok(ol > 0.02 && ol < 0.1, `${fx.name}: outputLatency ${ol}`);
    // the bound says what is not known: half that latency at least
    assert.ok(clock.boundMs() >= ol * 500, `${fx.name}: bound ${clock.boundMs()}`);
  }
});

test('Chromium: stamps trusted while they pass, impossible ones (and an impossible line) rejected', () => {
  for (const fx of fixtures('chromium')) {
    const clock = new AudioClock();
    let accepted = 0, judged = 0, onStamps = 0;
    for (const r of fx.readings) {
      const ts = { contextTime: r.contextTime, performanceTime: r.performanceTime };
      const f = clock.add({ ts, currentTime: r.currentTime, perfNow: r.after, outputLatency: r.outputLatency,
        baseLatency: r.baseLatency, sampleRate: fx.info.sampleRate });
      if (r.contextTime > 0.02) {
        judged++;
        if (f === null) accepted++;
        if (clock.source === 'timestamp') onStamps++;
      }
      // on stamps, the clock never says the frame being rendered is heard before now (on
      // currentTime it can: while the render thread stalls, currentTime stands still)
      if (clock.settled && clock.source === 'timestamp') {
        const lat = clock.latencyMs(r.currentTime, r.after);
        assert.ok(lat > 0 && lat < 1000, `${fx.name} ct ${r.currentTime}: latency ${lat} (${clock.source})`);
      }
    }
    // a context forced to 48 kHz on a 44.1 kHz device is resampled by Blink: its stamps then
    // run at the wrong rate now and then (AudioDestination stamps device frames)
    if (fx.info.sampleRate !== fx.info.paRate) assert.ok(clock.faults.rate > 0, `${fx.name}: ${JSON.stringify(clock.faults)}`);
    // (recorded on a loaded machine: the render thread glitched every few hundred ms, each
    // glitch moving the line - held back until three stamps agree - so not all pass)
    assert.ok(accepted / judged >= 0.5, `${fx.name}: ${accepted}/${judged} accepted (${JSON.stringify(clock.faults)})`);
    assert.ok(onStamps / judged >= 0.5, `${fx.name}: on stamps ${onStamps}/${judged}`);
  }
});

test('timestampFault: each impossibility has its reason', () => {
  const ok = { contextTime: 10, performanceTime: 5000 };
  assert.equal(timestampFault(ok, 10.05, 5030, 48000), null); // heard 5050: 20 ms of latency
  assert.equal(timestampFault(null, 10, 5000, 48000), 'missing');
  assert.equal(timestampFault({ contextTime: 0, performanceTime: 0 }, 10, 5000, 48000), 'zero');
  assert.equal(timestampFault({ contextTime: 10, performanceTime: 5100 }, 10.05, 5030, 48000), 'future');
  assert.equal(timestampFault({ contextTime: 10, performanceTime: 1000 }, 10, 5000, 48000), 'stale');
  assert.equal(timestampFault({ contextTime: 10.5, performanceTime: 5000 }, 10.05, 5030, 48000), 'ahead-of-currentTime');
  assert.equal(timestampFault({ contextTime: 9.97, performanceTime: 4970 }, 10, 5000, 48000), 'no-latency');
  assert.equal(timestampFault({ contextTime: 8, performanceTime: 4999 }, 10, 5000, 48000), 'latency-too-large');
  assert.equal(timestampFault(ok, 10.05, 5030, 48000, { contextTime: 10.01, performanceTime: 4990 }), 'non-monotonic');
  assert.equal(timestampFault(ok, 10.05, 5030, 48000, null, { contextTime: 9.5, performanceTime: 4000 }), 'rate');
  assert.equal(timestampFault(ok, 10.05, 5030, 48000, null, { contextTime: 9.5, performanceTime: 4500.2 }), null);
});

test('fallbackLatency: outputLatency when plausible, else the middle of [baseLatency, baseLatency + 100 ms]', () => {
  assert.deepEqual(fallbackLatency(0.04, 0.01), { latencyS: 0.04, source: 'outputLatency', baseS: 0.01 });
  assert.equal(fallbackLatency(0, 0.0027).source, 'default');
  assert.ok(Math.abs(fallbackLatency(3.5, 0.01).latencyS - (0.01 + LIMITS.unknownLatencyS / 2)) < 1e-12);
  assert.ok(Math.abs(fallbackLatency(undefined, undefined).latencyS - LIMITS.unknownLatencyS / 2) < 1e-12);
});

test('AudioClock: 150 ppm audio clock, ±2 ms stamp jitter and 5% outliers: heard time within 0.3 ms', () => {
  const rand = rng(42);
  const clock = new AudioClock();
  const truePerf = (ctx) => 123_456 + ctx * 1000 * (1 + 150e-6) + 40; // 40 ms latency
  for (let ctx = 1; ctx <= 60; ctx += 0.25) {
    let perf = truePerf(ctx) + (rand() * 2 - 1) * 2;
    if (rand() < 0.05) perf += 30 + rand() * 50; // a late timer
    clock._push('timestamp', { ctx, perf });
  }
  clock.source = 'timestamp';
  for (const ctx of [30, 60, 70]) {
    const err = Math.abs(clock.perfAt(ctx) - truePerf(ctx));
    assert.ok(err <= 0.3, `ctx ${ctx}: error ${err.toFixed(3)} ms`);
    assert.ok(Math.abs(clock.ctxAt(truePerf(ctx)) - ctx) <= 0.0003);
  }
  assert.ok(Math.abs(clock.driftPpm - 150) < 20, `drift ${clock.driftPpm.toFixed(1)} ppm`);
});

test('fitEnvelope: currentTime read at random moments after each 10 ms render: the render line within 0.6 ms', () => {
  const rand = rng(7);
  const obs = [];
  for (let i = 0; i < 200; i++) {
    const perf = 1000 + i * 23.3 + rand() * 5;
    const rendered = Math.floor((perf - 1000) / 10) * 10; // the last 10 ms block started here
    obs.push({ ctx: rendered / 1000, perf });
  }
  const f = fitEnvelope(obs);
  const err = f.p0 + (1 - f.c0) * f.k - 2000; // ctx 1 s was rendered at perf 2000
  assert.ok(Math.abs(err) < 0.6, `envelope off by ${err}`);
  // a mean line would be half a block (5 ms) late
  const m = fitLine(obs);
  assert.ok(m.p0 + (1 - m.c0) * m.k - 2000 > 3);
});

test('AudioClock: stamps that stop passing (20 in a row) hand over to currentTime + outputLatency', () => {
  const clock = new AudioClock();
  let perf = 1000;
  for (let i = 0; i < 10; i++, perf += 100) {
    const ct = (perf - 1000) / 1000 + 0.1;
    clock.add({ ts: { contextTime: ct - 0.03, performanceTime: perf - 5 }, currentTime: ct, perfNow: perf,
      outputLatency: 0.03, baseLatency: 0.01, sampleRate: 48000 });
  }
  assert.equal(clock.source, 'timestamp');
  for (let i = 0; i < 20; i++, perf += 100) {
    const ct = (perf - 1000) / 1000 + 0.1;
    clock.add({ ts: { contextTime: ct, performanceTime: perf + 500 }, currentTime: ct, perfNow: perf,
      outputLatency: 0.03, baseLatency: 0.01, sampleRate: 48000 });
  }
  assert.equal(clock.source, 'outputLatency');
  assert.equal(clock.faults.future, 20);
});

test('AudioClock.stable: a first start waits for 0.5 s of stamps in a row; a fault restarts the wait; pending stamps hold the fallback back', () => {
  const clock = new AudioClock();
  let perf = 1000;
  const read = (ts) => {
    const ct = (perf - 1000) / 1000 + 1;
    clock.add({ ts: ts === undefined ? undefined : ts(ct), currentTime: ct, perfNow: perf, outputLatency: 0.03,
      baseLatency: 0.01, sampleRate: 48000 });
    perf += 100;
  };
  for (let i = 0; i < 6; i++) read(undefined); // currentTime only (no stamps read yet)
  assert.equal(clock.source, 'outputLatency');
  assert.ok(clock.settled && clock.stable, 'no stamps: the fallback is settled');
  const good = (ct) => ({ contextTime: ct - 0.02, performanceTime: perf - 5 });
  read(good);
  assert.ok(!clock.settled && !clock.stable, 'a stamp passed: the fallback is not scheduled on while they come');
  for (let i = 0; i < 4; i++) read(good);
  assert.equal(clock.source, 'timestamp');
  assert.ok(clock.settled && !clock.stable, '5 stamps over 0.4 s: settled, not yet steady');
  read(good);
  assert.ok(clock.stable, '6 stamps over 0.5 s: steady');
  read((ct) => ({ contextTime: ct, performanceTime: perf + 500 })); // in the future
  assert.ok(clock.settled && !clock.stable, 'a faulty stamp restarts the wait');
  for (let i = 0; i < 6; i++) read(good);
  assert.ok(clock.stable);
});

test('latencyReadsCanBlock: Gecko on desktop Linux only (its latency reads deadlock with the audio callback)', () => {
  const cases = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0', true],
    ['Mozilla/5.0 (X11; Ubuntu; Linux i686; rv:128.0) Gecko/20100101 Firefox/128.0', true],
    ['Mozilla/5.0 (Android 14; Mobile; rv:153.0) Gecko/153.0 Firefox/153.0', false],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:153.0) Gecko/20100101 Firefox/153.0', false],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:153.0) Gecko/20100101 Firefox/153.0', false],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36', false],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15', false],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36', false],
    ['', false],
    [undefined, false],
  ];
  for (const [ua, want] of cases) assert.equal(latencyReadsCanBlock(ua), want, String(ua));
});

/**
 * currentTime readings of a context rendering in `stepMs` blocks, read at random moments
 * `everyMs` apart with up to `delayMs` of main-thread delay; `shiftAt(perf)` is how much
 * later than the start's line the output runs from that moment (a glitch, a start).
 */
function currentReadings({ n, everyMs = 100, stepMs = 10, delayMs = 5, seed = 3, shiftAt = () => 0 }) {
  const rand = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const perf = 1000 + i * everyMs + rand() * delayMs;
    const shift = shiftAt(perf);
    const rendered = Math.floor((perf - 1000 - shift) / stepMs) * stepMs; // the last block rendered
    out.push({ currentTime: 1 + rendered / 1000, perfNow: perf, shift });
  }
  return out;
}

function feedCurrent(clock, readings) {
  for (const r of readings) clock.add({ ts: undefined, currentTime: r.currentTime, perfNow: r.perfNow, sampleRate: 48000 });
}

test('AudioClock: a currentTime line that moves later (a glitch, a start) restarts within shiftCount readings', () => {
  for (const shiftMs of [27, 173]) {
    const clock = new AudioClock();
    const rs = currentReadings({ n: 80, shiftAt: (p) => (p >= 1000 + 3000 ? shiftMs : 0) });
    feedCurrent(clock, rs.slice(0, 30 + LIMITS.shiftCount));
    assert.equal(clock.faults.shift, 1, `${shiftMs} ms: restarted once`);
    feedCurrent(clock, rs.slice(30 + LIMITS.shiftCount));
    assert.equal(clock.faults.shift, 1, `${shiftMs} ms: and only once`);
    // ctx 5 s (4 s of rendering after ctx 1) is rendered at perf 1000 + 4000 + shift: heard 50 ms later
    const err = clock.perfAt(5) - (1000 + 4000 + shiftMs + LIMITS.unknownLatencyS * 500);
    // the new line rests on shiftCount readings: within a render step (10 ms) of the truth
    assert.ok(Math.abs(err) < 5, `${shiftMs} ms shift: heard time off by ${err.toFixed(2)} ms`);
  }
});

test('AudioClock: stationary currentTime readings never restart the line (10 ms and 40 ms render steps, main-thread delays)', () => {
  for (const [stepMs, delayMs, everyMs] of [[10, 5, 100], [40, 5, 100], [10, 30, 100], [2.67, 2, 1000], [40, 60, 50]]) {
    for (const seed of [1, 2, 3, 4, 5]) {
      const clock = new AudioClock();
      feedCurrent(clock, currentReadings({ n: 2000, stepMs, delayMs, everyMs, seed }));
      assert.equal(clock.faults.shift, undefined, `step ${stepMs} ms, delay ${delayMs} ms, seed ${seed}`);
    }
  }
});

test('AudioClock: the engines\' recorded readings (a context\'s first seconds, with its stalls): the currentTime line follows them', () => {
  // these readings hold real stalls - currentTime falling behind the wall clock by 25-300 ms
  // at a time (Blink and Gecko at the device's rate); the line must end on the latest readings'
  // lower envelope, not on the earliest ones
  let restarts = 0;
  for (const e of ['chromium', 'firefox', 'webkit']) {
    for (const fx of fixtures(e)) {
      const { clock } = replay(fx);
      restarts += clock.faults.shift || 0;
      const f = clock.fits.current;
      const last = fx.readings.slice(-LIMITS.shiftCount);
      const lo = Math.min(...last.map((r) => r.after - (f.p0 + (r.currentTime - f.c0) * f.k)));
      assert.ok(lo > -5 && lo < 25, `${fx.name}: the latest readings lie ${lo.toFixed(1)} ms off the line`);
    }
  }
  assert.ok(restarts > 0, 'the recorded stalls restart the line');
});
