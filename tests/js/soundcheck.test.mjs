/** client_web/js/soundcheck.js: the sound check's analysis, pure (the browser test: tests/client_web/test_soundcheck.py). */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as SC from '../../client_web/js/soundcheck.js';
import { rng } from './netsim.mjs';

const RATE = 48000;

/** soundcheck.js's chirp delayed by `at` samples (fractional: evaluated in continuous time) in `n` samples of noise. */
function place(at, n, noise, rand) {
  const { seconds, f0, f1, amplitude } = SC.PROBE;
  const m = Math.round(seconds * RATE), k = (f1 - f0) / seconds;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = noise * (rand() - 0.5);
    const u = i - at; // probe sample index, fractional
    if (u >= 0 && u <= m - 1) {
      const t = u / RATE, w = 0.5 - 0.5 * Math.cos((2 * Math.PI * u) / (m - 1));
      x[i] += amplitude * w * Math.sin(2 * Math.PI * (f0 * t + (k * t * t) / 2));
    }
  }
  return x;
}

test('chirp: Hann-windowed (silent ends), peak at most the amplitude, the right length', () => {
  const c = SC.chirp(RATE);
  assert.equal(c.length, Math.round(SC.PROBE.seconds * RATE));
  assert.ok(Math.abs(c[0]) < 1e-6 && Math.abs(c[c.length - 1]) < 1e-3);
  assert.ok(Math.max(...c.map(Math.abs)) <= SC.PROBE.amplitude + 1e-6);
  assert.ok(Math.max(...c.map(Math.abs)) > 0.9 * SC.PROBE.amplitude);
});

test('fft: forward then inverse is the identity; a pure tone is one bin', () => {
  const n = 256, re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = Math.cos((2 * Math.PI * 5 * i) / n);
  const keep = Float64Array.from(re);
  SC.fft(re, im);
  assert.ok(Math.abs(re[5] - n / 2) < 1e-9 && Math.abs(re[6]) < 1e-9);
  SC.fft(re, im, true);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(re[i] - keep[i]) < 1e-9);
});

test('findProbe: the lag to a fraction of a sample through noise; silence and short input give null', () => {
  const rand = rng(7);
  const p = SC.chirp(RATE);
  for (const at of [0, 1234, 5000.25, 17777.5, 30000.75]) {
    const x = place(at, 48000, 0.2, rand);
    const f = SC.findProbe(x, p, 48000 - p.length);
    assert.ok(Math.abs(f.lag - at) < 0.1, `lag ${f.lag} for ${at}`);
    assert.ok(f.correlation > 0.8, `correlation ${f.correlation}`);
  }
  assert.equal(SC.findProbe(new Float32Array(1000), p, 500), null);
  assert.equal(SC.findProbe(new Float32Array(20000), p, 5000), null); // silent
});

test('roundTrips + summarize: chirps found at their lags from a recording that starts at another frame', () => {
  const rand = rng(3);
  const p = SC.chirp(RATE);
  const recFrame = 100_000; // the recording's sample 0 is context frame 100000
  const emits = [110_000, 138_800, 167_600, 196_400, 225_200];
  const rtFrames = 6000; // 125 ms
  const x = new Float32Array(160_000);
  for (let i = 0; i < x.length; i++) x[i] = 0.05 * (rand() - 0.5);
  for (const e of emits) x.set(p.map((v, i) => v + x[e - recFrame + rtFrames + i]), e - recFrame + rtFrames);
  const trips = SC.roundTrips(x, recFrame, p, emits, RATE);
  for (const t of trips) assert.ok(Math.abs(t.roundTripMs - 125) < 0.01, JSON.stringify(t));
  const s = SC.summarize(trips);
  assert.equal(s.ok, true);
  assert.ok(Math.abs(s.roundTripMs - 125) < 0.01 && s.spreadMs < 0.01 && s.kept === 5);
  // a chirp before the recording cannot be found
  assert.equal(SC.roundTrips(x, recFrame, p, [90_000], RATE)[0].roundTripMs, null);
});

test('agree: the majority within MAX_SPREAD_MS; an outlier is dropped; too few is quiet, no majority unsteady', () => {
  assert.deepEqual(SC.agree([100, 100.5, 101, 160, null]).kept, 3);
  assert.equal(SC.agree([100, 100.5, 101, 160, null]).valueMs, 100.5);
  assert.equal(SC.agree([100, null, null, 101]).why, 'quiet');
  assert.equal(SC.agree([100, 110, 120, 130, 140]).why, 'unsteady');
  assert.equal(SC.summarize([{ roundTripMs: null }, { roundTripMs: null }, { roundTripMs: 5 }]).why, 'quiet');
});

test('inputLatency: the middle of a reported capture buffer, else the prior; outputLatency subtracts it', () => {
  const blink = SC.inputLatency({ settingsLatencyS: 0.021333, acousticMs: 0 });
  assert.ok(Math.abs(blink.ms - 10.6665) < 1e-6 && blink.source === 'settings' && blink.uncertaintyMs === blink.ms);
  const none = SC.inputLatency({ settingsLatencyS: undefined });
  assert.equal(none.source, 'default');
  assert.equal(none.ms, SC.DEFAULT_INPUT_MS + SC.PHONE_ACOUSTIC_MS);
  assert.equal(SC.inputLatency({ settingsLatencyS: 0 }).source, 'default');
  assert.equal(SC.inputLatency({ settingsLatencyS: 3 }).source, 'default'); // not believable
  const out = SC.outputLatency({ ok: true, roundTripMs: 150, spreadMs: 2 }, { ms: 25, uncertaintyMs: 25, source: 'default' }, 48000);
  assert.equal(out.ms, 125);
  assert.ok(Math.abs(out.uncertaintyMs - (25 + 1 + (128 / 48000) * 500)) < 1e-9);
  assert.equal(SC.outputLatency({ ok: false }, none, 48000), null);
});

test('timedRecording + capturedAt: capture times from timestamps, gaps placed by timestamp', () => {
  const p = SC.chirp(RATE);
  const blocks = [];
  const total = 48000;
  const signal = new Float32Array(total);
  signal.set(p, 24000); // the chirp reaches the mic 0.5 s after the first block's capture
  for (let f = 0; f < total; f += 1024) {
    const data = signal.slice(f, f + 1024);
    if (f === 10240) continue; // a lost block: the next ones are placed by their timestamps
    blocks.push({ timestampUs: 5_000_000 + Math.round((f / RATE) * 1e6), data });
  }
  const timed = SC.timedRecording(blocks, RATE);
  assert.equal(timed.startMs, 5000);
  const got = SC.capturedAt(timed, p, [5000 + 300, null], RATE);
  assert.ok(Math.abs(got[0] - 5500) < 0.05, String(got[0]));
  assert.equal(got[1], null);
  // stamps that jitter by ±1.5 ms (a loaded sound server): their median places the chirp
  const rand = rng(11);
  const jittered = blocks.map((b) => ({ ...b, timestampUs: b.timestampUs + Math.round((rand() - 0.5) * 3000) }));
  const got2 = SC.capturedAt(SC.timedRecording(jittered, RATE), p, [5300], RATE);
  assert.ok(Math.abs(got2[0] - 5500) < 0.3, String(got2[0]));
  const lat = SC.outputLatencyFromCapture([5500, 5500.5, 5501, null], [5400, 5400, 5400, 5400], 0.3);
  assert.ok(Math.abs(lat.ms - 100.2) < 1e-9 && lat.inputSource === 'capture-timestamps' && lat.found === 3);
  assert.equal(SC.outputLatencyFromCapture([5500, null, null], [5400, 5400, 5400]), null);
});

test('proposeOffset and checkIsBetter: the measured minus the believed, clamped; a vaguer check changes nothing', () => {
  assert.equal(SC.proposeOffset(124.6, 52.9), 72);
  assert.equal(SC.proposeOffset(5000, 50), 1000);
  assert.equal(SC.checkIsBetter(2, 50), true);
  assert.equal(SC.checkIsBetter(26.5, 0.6), false);
  assert.equal(SC.checkIsBetter(26.5, Infinity), true);
  assert.equal(SC.checkIsBetter(101, 50, 350, 52), true); // a Bluetooth speaker: the belief is known wrong
  assert.equal(SC.checkIsBetter(101, 50, 130, 52), false);
});

test('assemble: blocks by context frame, a gap is silence', () => {
  const a = SC.assemble([{ frame: 1000, data: Float32Array.of(1, 2) }, { frame: 1004, data: Float32Array.of(3) }]);
  assert.equal(a.frame, 1000);
  assert.deepEqual([...a.recording], [1, 2, 0, 0, 3]);
  assert.equal(SC.assemble([]).recording.length, 0);
});

test('classifyOutput, latencyJumped, outputKey, rememberedOffset: which output, and its remembered offset', () => {
  assert.equal(SC.classifyOutput(['Default - AirPods Pro', 'Speaker']), 'bluetooth');
  assert.equal(SC.classifyOutput(['Galaxy Buds2 (Bluetooth)']), 'bluetooth');
  assert.equal(SC.classifyOutput(['Default - Headphones', 'Speaker']), 'headphones');
  assert.equal(SC.classifyOutput(['Built-in Speaker']), 'speaker');
  assert.equal(SC.classifyOutput(['', '']), 'unknown'); // labels hidden before a permission
  assert.equal(SC.classifyOutput([]), 'unknown');
  assert.equal(SC.latencyJumped(0.02, 0.25), true);
  assert.equal(SC.latencyJumped(0.02, 0.05), false);
  assert.equal(SC.latencyJumped(null, 0.25), false);
  assert.equal(SC.outputKey('bluetooth', 'Default - AirPods Pro'), 'bluetooth:airpods pro');
  assert.equal(SC.outputKey('unknown', null), 'unknown');
  const table = { 'bluetooth:airpods pro': { ms: 250, how: 'preset' } };
  assert.deepEqual(SC.rememberedOffset(table, 'bluetooth:airpods pro'), { ms: 250, how: 'preset' });
  assert.equal(SC.rememberedOffset(table, 'speaker'), null);
  assert.equal(SC.rememberedOffset({ __proto__: { x: 1 } }, 'x'), null);
});

test('lineMoved: a shifted currentTime line between two snapshots; other faults do not count', () => {
  assert.equal(SC.lineMoved({ jump: 1 }, { jump: 2 }), false); // Blink's stamps follow glitches
  assert.equal(SC.lineMoved({}, { shift: 1 }), true);
  assert.equal(SC.lineMoved({ future: 3 }, { future: 9, jump: 0 }), false);
  assert.equal(SC.lineMoved(undefined, undefined), false);
});
