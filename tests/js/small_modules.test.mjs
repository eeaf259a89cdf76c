/** audioclock.js, showstate.js and sha256.js: pure helpers of the pages. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AudioClock, observe, fitLine } from '../../client_web/js/audioclock.js';
import * as SS from '../../client_web/js/showstate.js';
import { sha256HexJs, sha256Hex } from '../../client_web/js/sha256.js';
import { rng } from './netsim.mjs';

test('observe: timestamps when valid, outputLatency when plausible, a default otherwise', () => {
  assert.deepEqual(observe({ contextTime: 10, performanceTime: 5000 }, 10.05, 5030, 0.03, 0.01),
    { ctx: 10, perf: 5000, source: 'timestamp' });
  // stale or zero timestamps (Safari before start, some Androids) fall back
  assert.equal(observe({ contextTime: 0, performanceTime: 0 }, 10, 5000, 0.04, 0.01).source, 'outputLatency');
  assert.equal(observe({ contextTime: 10, performanceTime: 1000 }, 10, 5000, 0.04, 0.01).perf, 5040);
  const d = observe(null, 10, 5000, 3.5, 0.01); // implausible outputLatency
  assert.equal(d.source, 'default');
  assert.ok(Math.abs(d.perf - 5030) < 1e-9);
  assert.equal(observe(null, 0, 5000, 0.01, 0.01), null);
});

test('AudioClock: 150 ppm audio clock, ±2 ms stamp jitter and 5% outliers: heard time within 0.3 ms', () => {
  const rand = rng(42);
  const clock = new AudioClock();
  const truePerf = (ctx) => 123_456 + ctx * 1000 * (1 + 150e-6) + 40; // 40 ms latency
  for (let ctx = 1; ctx <= 60; ctx += 0.25) {
    let perf = truePerf(ctx) + (rand() * 2 - 1) * 2;
    if (rand() < 0.05) perf += 30 + rand() * 50; // a late timer
    clock.add({ ctx, perf, source: 'timestamp' });
  }
  for (const ctx of [30, 60, 70]) {
    const err = Math.abs(clock.perfAt(ctx) - truePerf(ctx));
    assert.ok(err <= 0.3, `ctx ${ctx}: error ${err.toFixed(3)} ms`);
    assert.ok(Math.abs(clock.ctxAt(truePerf(ctx)) - ctx) <= 0.0003);
  }
  assert.ok(Math.abs(clock.driftPpm - 150) < 20, `drift ${clock.driftPpm.toFixed(1)} ppm`);
});

test('fitLine: slope 1000 until 10 s of observations; a source change restarts the fit', () => {
  const f = fitLine([{ ctx: 1, perf: 1001.5 }, { ctx: 2, perf: 2002.5 }, { ctx: 3, perf: 3003.5 }]);
  assert.equal(f.k, 1000);
  const clock = new AudioClock();
  clock.add({ ctx: 1, perf: 100, source: 'default' });
  clock.add({ ctx: 1.1, perf: 205, source: 'timestamp' });
  assert.equal(clock.obs.length, 1);
  // once on timestamps, a few fallback observations are ignored
  clock.add({ ctx: 1.2, perf: 305, source: 'default' });
  assert.equal(clock.source, 'timestamp');
  for (let i = 0; i < 20; i++) clock.add({ ctx: 1.3 + i / 10, perf: 400 + i * 100, source: 'default' });
  assert.equal(clock.source, 'default');
});

test('phaseAt: lobby, countdown, playing, ended from the clock, aborted', () => {
  const show = { state: 'armed', start_at_us: 10_000_000, duration_us: 5_000_000, revision: 1 };
  assert.equal(SS.phaseAt(null, 0).phase, 'lobby');
  assert.deepEqual(SS.phaseAt(show, 7_500_000), { phase: 'countdown', positionUs: -2_500_000, untilStartUs: 2_500_000, remainingUs: 5_000_000 });
  assert.equal(SS.phaseAt(show, 10_000_000).phase, 'playing');
  // a "running" message arriving early changes nothing: time decides
  assert.equal(SS.phaseAt({ ...show, state: 'running' }, 9_000_000).phase, 'countdown');
  // "ended" is not shown before the end of the sound even if the message says so
  assert.equal(SS.phaseAt({ ...show, state: 'ended' }, 14_999_999).phase, 'playing');
  assert.equal(SS.phaseAt(show, 15_000_000).phase, 'ended');
  assert.equal(SS.phaseAt({ ...show, state: 'aborted' }, 12_000_000).phase, 'aborted');
  assert.equal(SS.phaseAt({ ...show, state: 'lobby', start_at_us: null }, 12_000_000).phase, 'lobby');
  assert.equal(SS.newerShow(show, { ...show, revision: 0, state: 'lobby' }), show);
});

test('cues, countdown and clock formatting', () => {
  const cues = [{ start_ms: 0, end_ms: 2500, text: 'Welcome', vibrate: [200] },
    { start_ms: 3000, end_ms: 6000, text: 'Walk', vibrate: null }, { start_ms: 5000, end_ms: 5500, text: 'Clap' }];
  assert.equal(SS.cueAt(cues, 100).text, 'Welcome');
  assert.equal(SS.cueAt(cues, 2700), null);
  assert.equal(SS.cueAt(cues, 5200).text, 'Clap');
  assert.equal(SS.cueAt(cues, 5700).text, 'Walk');
  assert.deepEqual(SS.cuesStartingBetween(cues, 2000, 3000).map((c) => c.text), ['Walk']);
  assert.equal(SS.countdownSeconds(2_000_001), 3);
  assert.equal(SS.countdownSeconds(1), 1);
  assert.deepEqual(SS.countdownVibration(1), [300]);
  assert.equal(SS.countdownVibration(6), null);
  assert.equal(SS.formatClock(3_723_000_000), '1:02:03');
  assert.equal(SS.formatClock(65_500_000), '1:05');
  assert.equal(SS.formatClock(1_000_001, { up: true }), '0:02');
});

test('groupPalette: text always reaches WCAG AA (4.5:1) on the group colour', () => {
  for (const c of ['#d32f2f', '#1976d2', '#ffeb3b', '#4caf50', '#ff9800', '#9c27b0', '#00bcd4', '#ffffff', '#000000', 'bad']) {
    const p = SS.groupPalette(c);
    assert.ok(SS.contrast(p.bg, p.fg) >= 4.5, `${c}: ${p.bg} / ${p.fg} = ${SS.contrast(p.bg, p.fg).toFixed(2)}`);
  }
  assert.equal(SS.groupPalette('#ffeb3b').fg, '#111111');
});

test('sha256: pure JS equals node:crypto for lengths around the block edges and 1 MB', async () => {
  const rand = rng(1);
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 1 << 20]) {
    const buf = new Uint8Array(n).map(() => Math.floor(rand() * 256));
    const want = createHash('sha256').update(buf).digest('hex');
    assert.equal(sha256HexJs(buf), want, `length ${n}`);
    assert.equal(sha256HexJs(buf.buffer), want);
    assert.equal(await sha256Hex(buf), want);
  }
});
