/**
 * "Check my sound", pure: the probe signal, the round trip found by
 * cross-correlation, the output latency it implies, the offset to propose, and
 * which output the phone plays to (docs/playback.md, "The sound check").
 *
 * The shell (soundcheckui.js) plays `probes` chirps at known AudioContext times
 * into the speaker and records the microphone into the same context (an
 * AudioWorklet stamps every input block with its context frame), so both ends
 * are on one clock:
 *
 *   round trip = output latency (render -> speaker)
 *              + acoustic path (speaker -> microphone: centimetres, ~0.1-0.5 ms)
 *              + input latency (microphone -> the graph)
 *
 * No single round trip can split output from input: only the platform's own
 * account of its capture path can (`MediaStreamTrack.getSettings().latency`,
 * Blink only; Gecko and WebKit report nothing). {@link inputLatency} takes what
 * is reported and says how sure it is; {@link outputLatency} subtracts it and
 * carries the residual uncertainty into the result.
 *
 * Everything here is a function of its arguments (no DOM, no audio, no clock):
 * tested under Node (tests/js/soundcheck.test.mjs).
 */
import { OUTPUT, MAX_OFFSET_MS } from './wire.js';

export const PROBE = Object.freeze({
  seconds: 0.25, // one chirp
  f0: 1000, // Hz: phone speakers are weak below ~500 Hz
  f1: 7000, // Hz: and microphones are filtered above ~8 kHz
  gapS: 0.6, // from one chirp's start to the next: longer than any round trip searched
  count: 5,
  amplitude: 0.5,
  maxRoundTripS: 0.55, // searched after each chirp's start (wired paths 10-150 ms; a loudspeaker Bluetooth path ~250-500 ms)
});

/** A check is believed when this many chirps were found ... */
export const MIN_FOUND = 3;
/** ... each with a normalised correlation of at least this (1: the exact probe, 0: noise) ... */
export const MIN_CORRELATION = 0.25;
/** ... and agree within this (ms) of each other: a path may drift a little (a resampler, a sound
 * server's loopback: 3-4 ms here), an echo, a noise burst or a glitch moves one chirp far more. */
export const MAX_SPREAD_MS = 5;

/**
 * A linear chirp from `f0` to `f1` Hz over `seconds`, Hann-windowed (no click at its
 * ends), at `rate`; peak `amplitude`. A chirp's autocorrelation has one narrow peak:
 * its lag is found to a fraction of a sample even through a phone's speaker and mic.
 */
export function chirp(rate, { seconds = PROBE.seconds, f0 = PROBE.f0, f1 = PROBE.f1, amplitude = PROBE.amplitude } = {}) {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  const k = (f1 - f0) / seconds;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    out[i] = amplitude * w * Math.sin(2 * Math.PI * (f0 * t + (k * t * t) / 2));
  }
  return out;
}

/** In-place radix-2 FFT of (re, im), length a power of two; `inverse` scales by 1/n. */
export function fft(re, im, inverse = false) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let j = 0; j < len / 2; j++) {
        const a = i + j, b = a + len / 2;
        const xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
  if (inverse) for (let i = 0; i < n; i++) { re[i] /= n; im[i] /= n; }
}

/**
 * Where `probe` best matches `signal`: the lag (fractional samples, parabolic
 * interpolation around the peak of the cross-correlation) in [0, maxLag], and the
 * normalised correlation there (|Σ probe·signal| / (‖probe‖·‖signal window‖), 0..1).
 * Returns null when the signal is too short or silent.
 */
export function findProbe(signal, probe, maxLag) {
  const m = probe.length;
  const lags = Math.min(maxLag, signal.length - m);
  if (lags < 0) return null;
  let n = 1;
  while (n < lags + m + m) n <<= 1;
  const ar = new Float64Array(n), ai = new Float64Array(n), br = new Float64Array(n), bi = new Float64Array(n);
  for (let i = 0; i < Math.min(signal.length, lags + m); i++) ar[i] = signal[i];
  for (let i = 0; i < m; i++) br[i] = probe[i];
  fft(ar, ai);
  fft(br, bi);
  for (let i = 0; i < n; i++) { // A · conj(B): correlation
    const r = ar[i] * br[i] + ai[i] * bi[i];
    const im = ai[i] * br[i] - ar[i] * bi[i];
    ar[i] = r; ai[i] = im;
  }
  fft(ar, ai, true);
  let best = -1, bestAbs = -1;
  for (let l = 0; l <= lags; l++) {
    const v = Math.abs(ar[l]);
    if (v > bestAbs) { bestAbs = v; best = l; }
  }
  let energyP = 0;
  for (let i = 0; i < m; i++) energyP += probe[i] * probe[i];
  let energyS = 0;
  for (let i = best; i < best + m; i++) energyS += signal[i] * signal[i];
  if (!(energyP > 0) || !(energyS > 0)) return null;
  let frac = 0;
  if (best > 0 && best < lags) {
    const y0 = Math.abs(ar[best - 1]), y1 = bestAbs, y2 = Math.abs(ar[best + 1]);
    const d = y0 - 2 * y1 + y2;
    if (d < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (y0 - y2)) / d));
  }
  return { lag: best + frac, correlation: bestAbs / Math.sqrt(energyP * energyS) };
}

/**
 * The round trip of every chirp: `recording` (mono samples), whose sample 0 is context
 * frame `recordingFrame`; chirps started at context frames `emitFrames`; `rate` the
 * context's. Each: {emitFrame, roundTripMs, correlation} (roundTripMs null if not found).
 */
export function roundTrips(recording, recordingFrame, probe, emitFrames, rate, { maxRoundTripS = PROBE.maxRoundTripS } = {}) {
  const maxLag = Math.round(maxRoundTripS * rate);
  return emitFrames.map((emitFrame) => {
    const from = Math.round(emitFrame - recordingFrame);
    if (from < 0 || from + probe.length > recording.length) return { emitFrame, roundTripMs: null, correlation: 0 };
    const found = findProbe(recording.subarray(from, from + maxLag + probe.length), probe, maxLag);
    if (!found) return { emitFrame, roundTripMs: null, correlation: 0 };
    const ok = found.correlation >= MIN_CORRELATION;
    return { emitFrame, roundTripMs: ok ? ((from + found.lag - (emitFrame - recordingFrame)) / rate) * 1000 : null,
      correlation: found.correlation };
  });
}

/** The recorder's blocks (each {frame, data}) as one recording from the first block's frame (gaps: silence). */
export function assemble(blocks) {
  if (!blocks.length) return { recording: new Float32Array(0), frame: 0 };
  const frame = blocks[0].frame;
  const last = blocks[blocks.length - 1];
  const recording = new Float32Array(last.frame + last.data.length - frame);
  for (const b of blocks) recording.set(b.data, b.frame - frame);
  return { recording, frame };
}

/**
 * Capture-timed recording (Blink's MediaStreamTrackProcessor: each AudioData's
 * `timestamp` is the capture time of its first frame, µs on the performance
 * timeline): blocks [{timestampUs, data}] at `rate` -> one recording, sample 0 at
 * `startMs` (performance ms). A block whose timestamp is off the running count by
 * more than half a block (and 2 ms) is placed by its timestamp (a lost block: the gap is
 * silence). Each block's stamp
 * says where sample 0 is (its stamp minus its place); they jitter by the sound
 * server's timing reports (1-3 ms here, under load), so `startMs` is their median.
 */
export function timedRecording(blocks, rate) {
  if (!blocks.length) return { recording: new Float32Array(0), startMs: 0 };
  const startUs = blocks[0].timestampUs;
  let frames = 0;
  const at = blocks.map((b) => {
    const byTs = Math.round(((b.timestampUs - startUs) / 1e6) * rate);
    const f = Math.abs(byTs - frames) > Math.max(rate / 500, b.data.length / 2) ? byTs : frames;
    frames = f + b.data.length;
    return f;
  });
  const recording = new Float32Array(Math.max(0, frames));
  blocks.forEach((b, i) => { if (at[i] >= 0) recording.set(b.data, at[i]); });
  const origins = blocks.map((b, i) => b.timestampUs - (at[i] / rate) * 1e6);
  return { recording, startMs: median(origins) / 1000 };
}

/**
 * When each chirp reached the microphone (performance ms, by the capture timestamps), searched
 * from its render time `renderMs[k]` on; null where not found. With capture times the input
 * path needs no estimate: output latency = captured - rendered - the acoustic path.
 */
export function capturedAt(timed, probe, renderMs, rate, { maxRoundTripS = PROBE.maxRoundTripS } = {}) {
  const maxLag = Math.round(maxRoundTripS * rate);
  return renderMs.map((r) => {
    if (r === null) return null;
    const from = Math.max(0, Math.floor(((r - timed.startMs) / 1000) * rate));
    if (from + probe.length > timed.recording.length) return null;
    const found = findProbe(timed.recording.subarray(from, from + maxLag + probe.length), probe, maxLag);
    if (!found || found.correlation < MIN_CORRELATION) return null;
    return timed.startMs + ((from + found.lag) / rate) * 1000;
  });
}

/**
 * How far a capture timestamp can be from the sound (ms): the sound server's timing of the
 * capture, measured here -4.6..+4.2 ms (Blink on PulseAudio, 11 runs at load 3-8).
 */
export const CAPTURE_TIMING_MS = 5;

/**
 * The output latency from capture times: {ms (median of captured - rendered - acousticMs),
 * uncertaintyMs (half the spread + CAPTURE_TIMING_MS), found} or null when fewer than
 * MIN_FOUND chirps agree (see {@link agree}).
 */
export function outputLatencyFromCapture(captured, renderMs, acousticMs = PHONE_ACOUSTIC_MS) {
  const a = agree(captured.map((c, k) => (c === null || renderMs[k] === null ? null : c - renderMs[k])));
  if (!a.ok) return null;
  return { ms: a.valueMs - acousticMs, uncertaintyMs: a.spreadMs / 2 + CAPTURE_TIMING_MS, inputSource: 'capture-timestamps',
    found: a.kept };
}

/**
 * AudioClock faults that move the currentTime line the chirps' render times come from (a
 * shifted line). A timestamp glitch (`jump`) does not: Blink's stamps follow every glitch of a
 * loaded machine, and a check that waited for none would never end.
 */
export const LINE_FAULTS = Object.freeze(['shift']);

/**
 * The page's belief (heard minus rendered, for the same frame) may not move by more than this
 * (ms) between the first chirp and the end of the check, and what it moved is added to the
 * check's uncertainty: the offset is a difference against it, and a belief still moving
 * (Blink's stamp line at rest was seen 20 ms off the sound; at load 3-4 it moved -2, +4 and
 * -20 ms within a check) leaves the offset wrong by what it still has to move.
 */
export const MAX_BELIEF_DRIFT_MS = 5;

/**
 * Whether the page's audio clock moved its line between two snapshots of its `faults`: the
 * render times of the chirps (their reference) are then not the ones the show will use.
 */
export function lineMoved(before, after) {
  return LINE_FAULTS.some((k) => ((after || {})[k] || 0) > ((before || {})[k] || 0));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * The agreeing majority of `values` (nulls: not found): those within MAX_SPREAD_MS / 2 of
 * their median - a cough, a door, an echo or a glitch moves one chirp far, not all of them.
 * {ok, why, valueMs (their median), spreadMs (max - min), found, kept}; `why`: 'quiet'
 * (fewer than MIN_FOUND heard: volume, a muted mic, headphones) or 'unsteady' (fewer than
 * MIN_FOUND agree).
 */
export function agree(values) {
  const found = values.filter((x) => x !== null && Number.isFinite(x));
  if (found.length < MIN_FOUND) return { ok: false, why: 'quiet', found: found.length, kept: 0, valueMs: null, spreadMs: null };
  const m = median(found);
  const kept = found.filter((x) => Math.abs(x - m) <= MAX_SPREAD_MS / 2);
  if (kept.length < MIN_FOUND) {
    return { ok: false, why: 'unsteady', found: found.length, kept: kept.length, valueMs: m,
      spreadMs: Math.max(...found) - Math.min(...found) };
  }
  return { ok: true, why: null, found: found.length, kept: kept.length, valueMs: median(kept),
    spreadMs: Math.max(...kept) - Math.min(...kept) };
}

/** One round trip from the chirps (see {@link agree}): {ok, why, roundTripMs, spreadMs, found, kept}. */
export function summarize(trips) {
  const a = agree(trips.map((x) => x.roundTripMs));
  return { ok: a.ok, why: a.why, found: a.found, kept: a.kept, roundTripMs: a.valueMs, spreadMs: a.spreadMs };
}

/**
 * What the platform says about the microphone's path into the graph (ms), and how sure:
 * - `settingsLatencyS`: `MediaStreamTrack.getSettings().latency` (Blink: the capture
 *   buffer's duration, 21.3 ms here; a frame waits between none and all of it): the
 *   middle of that interval, uncertain by half of it (measured here, Chromium 156 on
 *   PulseAudio: the capture path added 10-13 ms);
 * - nothing reported (Gecko, WebKit): the middle of [0, 2 × DEFAULT_INPUT_MS], uncertain by
 *   half of it. Measured here (PulseAudio; docs/playback.md, "The sound check"): Gecko's
 *   capture path 3-57 ms, WebKitGTK's 47-82 ms, run to run, and 195 ms on a loaded machine -
 *   the page cannot tell which. So there the check only catches an output far off its
 *   belief (a Bluetooth speaker), see {@link checkIsBetter}.
 * (Blink also gives capture timestamps: {@link outputLatencyFromCapture} needs no estimate.)
 * `acousticMs` (speaker to microphone, a phone: ~0.3 ms) is added to both.
 */
export const DEFAULT_INPUT_MS = 100;
export const PHONE_ACOUSTIC_MS = 0.3;

export function inputLatency({ settingsLatencyS = null, acousticMs = PHONE_ACOUSTIC_MS } = {}) {
  if (typeof settingsLatencyS === 'number' && settingsLatencyS > 0 && settingsLatencyS < 0.5) {
    const ms = settingsLatencyS * 1000;
    return { ms: ms / 2 + acousticMs, uncertaintyMs: ms / 2, source: 'settings' };
  }
  return { ms: DEFAULT_INPUT_MS + acousticMs, uncertaintyMs: DEFAULT_INPUT_MS, source: 'default' };
}

/**
 * The output latency the check implies (ms from a frame's render to the speaker) and its
 * uncertainty (the input's, plus half the agreeing chirps' spread, plus half a render quantum: the
 * recording is stamped per quantum).
 */
export function outputLatency(summary, input, rate) {
  if (!summary.ok) return null;
  const quantumMs = (128 / rate) * 1000;
  return { ms: summary.roundTripMs - input.ms,
    uncertaintyMs: input.uncertaintyMs + summary.spreadMs / 2 + quantumMs / 2, inputSource: input.source };
}

/**
 * The offset to propose (ms, whole, within ±1000): how much later the sound is heard
 * than the page believes. `measuredMs` is the check's output latency, `believedMs` the
 * latency the page schedules on now (its trusted reading minus the render time of the
 * same frame), both from render to speaker.
 */
export function proposeOffset(measuredMs, believedMs) {
  return clampOffset(measuredMs - believedMs);
}

/** An offset as the wire and the engines take it: whole ms within ±MAX_OFFSET_MS. */
export function clampOffset(ms) {
  return Math.max(-MAX_OFFSET_MS, Math.min(MAX_OFFSET_MS, Math.round(ms)));
}

/**
 * Whether the check should change the offset: it knows more than the page (its uncertainty
 * below the page's own bound `boundMs`, AudioClock.boundMs), or it shows the page's belief
 * wrong (the belief outside the check's interval: a Bluetooth speaker heard 300 ms late is
 * worth correcting with a ±50 ms check). Otherwise the check proposes no change.
 */
export function checkIsBetter(uncertaintyMs, boundMs, measuredMs = null, believedMs = null) {
  if (!Number.isFinite(uncertaintyMs)) return false;
  if (!Number.isFinite(boundMs) || uncertaintyMs < boundMs) return true;
  return Number.isFinite(measuredMs) && Number.isFinite(believedMs) && Math.abs(measuredMs - believedMs) > uncertaintyMs;
}

/** Manual presets for Bluetooth (ms): its 150-650 ms spread has no one right value. */
export const BLUETOOTH_PRESETS = Object.freeze([150, 250, 350, 500]);

const BLUETOOTH = /bluetooth|\bbt\b|a2dp|airpods|buds|hands-?free|\bhfp\b|headset|\bwh-|\bwf-|beats|bose|jbl/i;
const WIRED = /headphone|earphone|casque|écouteur|ecouteur|\bjack\b|wired|usb|line out|analog/i;
const SPEAKER = /speaker|haut-parleur|built-?in|internal|interne/i;

/**
 * Which output the phone plays to, from `enumerateDevices()` audiooutput labels (empty
 * before a microphone permission; many phones list only "default"): an OUTPUT
 * (wire.js: bluetooth, headphones, speaker, unknown). `labels[0]` is the device in use where the
 * platform lists the default first (Blink's "Default - ..." entry names it).
 */
export function classifyOutput(labels) {
  const named = (labels || []).filter((l) => typeof l === 'string' && l.trim());
  if (!named.length) return OUTPUT.UNKNOWN;
  const first = named.find((l) => /^default\b/i.test(l)) || named[0];
  if (BLUETOOTH.test(first)) return OUTPUT.BLUETOOTH;
  if (WIRED.test(first)) return OUTPUT.HEADPHONES;
  if (SPEAKER.test(first)) return OUTPUT.SPEAKER;
  return OUTPUT.UNKNOWN;
}

/**
 * An `outputLatency` that jumps up by more than this (s) between two readings says the
 * output changed to a slower path - Bluetooth, the usual cause - where no label tells.
 */
export const LATENCY_JUMP_S = 0.1;

export function latencyJumped(previousS, nowS) {
  return typeof previousS === 'number' && typeof nowS === 'number' && previousS > 0 && nowS - previousS > LATENCY_JUMP_S;
}

/**
 * The key an offset is remembered under: this device (the page's origin storage is per
 * device already) and its output: the output's kind and, where known, its label
 * (two Bluetooth headsets differ; "unknown" is one key).
 */
export function outputKey(kind, label) {
  const l = typeof label === 'string' ? label.trim().toLowerCase().replace(/^default\s*-\s*/, '').slice(0, 80) : '';
  return l ? `${kind}:${l}` : kind;
}

/** The offset remembered for `key` in `table` ({key: {ms, how}}), or null. */
export function rememberedOffset(table, key) {
  const e = table && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : null;
  return e && Number.isFinite(e.ms) ? e : null;
}
