/** timemap.js: the Web Audio engine's clock maths, with a known audio clock. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { idealMap, heardClientUs, heardCtxNow, sampleToUs, mayAnchor, mapEpoch, trimWindow, outputLostMs,
  START_SYNC_BOUND_US } from '../../client_web/js/timemap.js';

// an audio clock: context time c is heard at performance time p = 5000 + 1000 (c - 2) + 40 ms latency
const heardPerf = (c) => 5000 + 1000 * (c - 2) + 40;
const ctxAtPerf = (p) => (p - 40 - 5000) / 1000 + 2;

test('idealMap: sample 0 at the server start is heard then, minus the manual offset', () => {
  // server time = client time + 1 s; now: perf 6000 <-> server 1_007_000_000 µs
  const base = { perfNow: 6000, serverNowUs: 1_007_000_000, driftPpm: 0, startAtUs: 1_010_000_000,
    sampleRate: 48000, offsetMs: 0, ctxAtPerf };
  const m = idealMap(base);
  // start is 3 s after now: perf 9000, heard at context time ctxAtPerf(9000)
  assert.ok(Math.abs(m.ctx0 - ctxAtPerf(9000)) < 1e-12);
  assert.ok(Math.abs(m.ctxPerSample - 1 / 48000) < 1e-15);
  assert.ok(Math.abs(heardPerf(m.ctx0) - 9000) < 1e-9);
  // a device heard 100 ms late schedules 100 ms earlier
  const late = idealMap({ ...base, offsetMs: 100 });
  assert.ok(Math.abs((m.ctx0 - late.ctx0) - 0.1) < 1e-12);
  // a client clock running 100 ppm slow: 1 s of server time is 1/(1+1e-4) s of client time
  const drift = idealMap({ ...base, driftPpm: 100 });
  assert.ok(Math.abs(drift.ctx0 - ctxAtPerf(6000 + 3000 / 1.0001)) < 1e-12);
  assert.ok(Math.abs(drift.ctxPerSample - 1 / 48000 / 1.0001) < 1e-15);
});

test('heard client time, position and their nulls', () => {
  assert.equal(heardClientUs(1000, 1_700_000_000_000, 20), (1_700_000_000_000 + 1020) * 1000);
  assert.equal(heardClientUs(null, 1, 0), null);
  assert.equal(heardCtxNow(ctxAtPerf, 6040, 0), 3);
  assert.equal(heardCtxNow(ctxAtPerf, 6040, 1000), 2);
  assert.equal(sampleToUs(48000 * 1.5, 48000), 1_500_000);
  assert.equal(sampleToUs(1, 44100), 23);
  assert.equal(sampleToUs(null, 48000), null);
});

test('mayAnchor: settled, past the first second, steady stamps (3 s at most), a good clock (or the wait is over)', () => {
  const ok = { settled: true, stable: true, ctxTime: 2, settleS: 1, stableWaitS: 3, hasRuns: false,
    syncBoundUs: 2000, nowMs: 100, syncWaitUntilMs: 0 };
  assert.equal(mayAnchor(ok), true);
  assert.equal(mayAnchor({ ...ok, settled: false }), false);
  assert.equal(mayAnchor({ ...ok, ctxTime: 0.9 }), false);
  assert.equal(mayAnchor({ ...ok, ctxTime: NaN }), false);
  assert.equal(mayAnchor({ ...ok, stable: false }), false);
  assert.equal(mayAnchor({ ...ok, stable: false, ctxTime: 4 }), true); // waited stableWaitS
  assert.equal(mayAnchor({ ...ok, syncBoundUs: START_SYNC_BOUND_US + 1, syncWaitUntilMs: 200 }), false);
  assert.equal(mayAnchor({ ...ok, syncBoundUs: Infinity, syncWaitUntilMs: 200, nowMs: 200 }), true);
  // a show already playing keeps following the map whatever the stamps and the sync say
  assert.equal(mayAnchor({ ...ok, hasRuns: true, stable: false, syncBoundUs: 1e9, syncWaitUntilMs: 1e9 }), true);
});

test('mapEpoch changes with a snap, the trusted reading, and each kind of line restart', () => {
  const e = mapEpoch(0, 'timestamp', {});
  assert.equal(e, '0/timestamp/0/0/0');
  assert.notEqual(mapEpoch(1, 'timestamp', {}), e);
  assert.notEqual(mapEpoch(0, 'default', {}), e);
  for (const k of ['jump', 'line-impossible', 'shift']) assert.notEqual(mapEpoch(0, 'timestamp', { [k]: 1 }), e);
  assert.equal(mapEpoch(0, 'timestamp', { rate: 5, future: 9 }), e); // rejected stamps move nothing
});

test('trimWindow: each decoder of docs/playback.md gives back the segment\'s own samples', () => {
  const seg = { samples: 48000, encoder_delay: 576, padding: 1000 };
  assert.equal(trimWindow(48000, 48000, seg, 48000), null); // Blink: exact
  assert.deepEqual(trimWindow(48000 + 576 + 1000 - 529, 48000, seg, 48000), { lead: 576, want: 48000 }); // Gecko
  assert.deepEqual(trimWindow(48000 + 576 + 1000, 48000, seg, 48000), { lead: 1105, want: 48000 }); // GStreamer
  // resampled to a 44.1 kHz context: the same cut, scaled
  const r = 44100 / 48000;
  assert.deepEqual(trimWindow(Math.round((48000 + 1105 + 471) * r), 44100, seg, 48000),
    { lead: Math.round((48000 + 1576) * r) - Math.round(48000 * r) - Math.round(471 * r), want: 44100 });
  // no padding known: encoder delay + decoder delay
  assert.deepEqual(trimWindow(50000, 48000, { samples: 48000, encoder_delay: 576 }, 48000), { lead: 1105, want: 48000 });
});

test('outputLostMs: a context that stood still while performance time ran (a frozen page)', () => {
  assert.equal(outputLostMs(null, { perfNow: 0, ctxTime: 0 }), 0);
  assert.equal(outputLostMs({ perfNow: 1000, ctxTime: 1 }, { perfNow: 1100, ctxTime: 1.1 }), 0);
  // a main thread blocked for 5 s: both advance, nothing lost
  assert.equal(outputLostMs({ perfNow: 1000, ctxTime: 1 }, { perfNow: 6000, ctxTime: 6 }), 0);
  // a glitch under 1 s is the audio clock's business (jump/shift), not a stop
  assert.equal(outputLostMs({ perfNow: 1000, ctxTime: 1 }, { perfNow: 1400, ctxTime: 1.1 }), 0);
  assert.equal(outputLostMs({ perfNow: 1000, ctxTime: 1 }, { perfNow: 2000, ctxTime: 1.1 }), 0);
  // frozen for 3 s
  assert.ok(Math.abs(outputLostMs({ perfNow: 1000, ctxTime: 1 }, { perfNow: 4100, ctxTime: 1.1 }) - 3000) < 1e-9);
});
