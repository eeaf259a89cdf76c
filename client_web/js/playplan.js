/**
 * Playback planning, pure: which segment, which offset, when to decode, when to
 * start each source, at which rate, and when to re-anchor. No Web Audio here:
 * the engine (engine.js) performs the actions this module returns, and
 * tests/js/playplan.test.mjs drives it through a simulated hour.
 *
 * Vocabulary
 * - A *segment* is a manifest entry {first_sample, samples} (gapless MP3 of a part
 *   of the show); show position is in samples at `sampleRate`.
 * - The *ideal map* says when each show sample should be heard, in AudioContext
 *   seconds: ctx(s) = ctx0 + s * ctxPerSample. The engine rebuilds it from the clock
 *   models every tick (server time -> performance time -> context time, plus the
 *   output latency and the manual offset); it drifts slowly against the schedule.
 * - A *run* is a chain of sources scheduled back to back from one anchor. Inside a
 *   run every source starts exactly where the previous one ends (no gap, no
 *   overlap: no click). Drift is absorbed by the playbackRate of each next source,
 *   trimmed within ±maxTrimPpm (1000 ppm = 0.1 %, 1.7 cents: inaudible) so that its
 *   end lands on the ideal map. An error too large to trim (after a suspended
 *   context, a phone call, a wrong latency) re-anchors: the run fades out in
 *   `fadeS` and a new one fades in at the right position, preferably inside one
 *   of the manifest's silences.
 * - At most `maxDecoded` segments are decoded at once (the one playing, the next,
 *   and the one that just ended): a 60-minute show stays near 3 x 30 s of PCM.
 */

export const DEFAULTS = Object.freeze({
  maxDecoded: 3,
  maxTrimPpm: 1000,
  reanchorS: 0.05,
  forcedReanchorS: 0.002,
  scheduleAheadS: 3,
  minLeadS: 0.15,
  fadeS: 0.03,
  silenceWaitS: 8,
  toleranceS: 0.0002,
});

/** Index of the segment holding `sample`: -1 before the first, segments.length after the last. */
export function segmentIndexAt(segments, sample) {
  let lo = 0, hi = segments.length - 1;
  if (!segments.length || sample < segments[0].first_sample) return -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid];
    if (sample < s.first_sample) hi = mid - 1;
    else if (sample >= s.first_sample + s.samples) lo = mid + 1;
    else return mid;
  }
  return segments.length;
}

/** ctx time of show sample s under the ideal map. */
export const idealCtx = (map, s) => map.ctx0 + s * map.ctxPerSample;
/** show sample (fractional) heard at ctx time t under the ideal map. */
export const idealSample = (map, t) => (t - map.ctx0) / map.ctxPerSample;

/**
 * The playbackRate that makes `samples` samples starting at ctx `startCtx` end at
 * ctx `idealEnd`, clamped to 1 ± maxTrimPpm. With ctxPerSample = 1/sr this is
 * (samples/sr) / (idealEnd - startCtx).
 */
export function trimRate(samples, sampleRate, startCtx, idealEnd, maxTrimPpm) {
  const span = idealEnd - startCtx;
  if (!(span > 0)) return 1 + maxTrimPpm / 1e6;
  const r = samples / sampleRate / span;
  const lim = maxTrimPpm / 1e6;
  return Math.min(1 + lim, Math.max(1 - lim, r));
}

/**
 * How far ahead (s) to schedule when the engine's timer fires only every `gapS` (the longest
 * recent interval between its ticks): at least `baseS`, and three gaps, so that a page whose
 * timers are throttled (hidden: once a second in every engine; battery savers; Chromium's
 * intensive throttling, once a minute, spares audible pages) still chains the next segment
 * before the current one ends; at most `maxS` (the decode budget holds three segments).
 */
export function scheduleAheadFor(gapS, { baseS = DEFAULTS.scheduleAheadS, maxS = 20 } = {}) {
  if (!(gapS > 0)) return baseS;
  return Math.min(maxS, Math.max(baseS, 3 * gapS));
}

/** The first silence [start, end) (ms) that contains or follows `positionMs`, or null. */
export function nextSilence(silences, positionMs) {
  for (const s of silences || []) if (s.end_ms > positionMs + 1) return s;
  return null;
}

/**
 * Planner of one show's playback on one device. Feed it `tick(nowCtx, map)`; it
 * returns actions for the engine:
 *   {decode: [index], release: [index], start: [entry], stopRun: {atCtx, fadeS}|null}
 * entry = {run, index, offsetSamples, startCtx, rate, endCtx, fadeIn}
 * (the source plays buffer[index] from offsetSamples at startCtx, at rate).
 * The engine reports decodes with `decoded(index)` and a failed one with
 * `decodeFailed(index)`.
 */
export class Planner {
  constructor({ segments, sampleRate, silences = [], durationSamples = null, options = {} }) {
    this.segments = segments;
    this.sr = sampleRate;
    this.silences = silences;
    this.total = durationSamples ?? (segments.length
      ? segments[segments.length - 1].first_sample + segments[segments.length - 1].samples : 0);
    this.o = { ...DEFAULTS, ...options };
    this.decodedSet = new Set();
    this.pendingDecode = new Set();
    this.scheduled = []; // entries of the current run
    this.run = 0;
    this.stats = { reanchors: 0, maxAbsTrimPpm: 0, maxDecoded: 0 };
    this.lastError = 0;
  }

  decoded(index) {
    this.pendingDecode.delete(index);
    this.decodedSet.add(index);
    this.stats.maxDecoded = Math.max(this.stats.maxDecoded, this.decodedSet.size);
  }

  /**
   * The ideal map jumped (the clock sync set a published time known wrong to its model:
   * ClockSync `snaps`): at the next tick, re-anchor at once if the schedule is more than
   * `forcedReanchorS` off, instead of trimming for tens of seconds or waiting for a silence.
   */
  reanchor() {
    this.forced = true;
  }

  /**
   * The platform stopped the output (an interrupted or suspended context, a frozen page):
   * what was scheduled no longer plays where it should. Forget it; the next tick anchors a
   * new run where the show is by then (the decoded segments are kept), `leadS` ahead: a run
   * not heard yet follows the map for free (pendingErrorAt), and the map of an output that
   * just restarted still moves (a fresh audio clock's first readings: 264 ms, Chromium at
   * load 8, when it was anchored minLeadS ahead).
   */
  drop({ leadS = 1 } = {}) {
    this.anchorLeadS = leadS;
    this.scheduled = [];
    this.run++;
    this.forced = false;
    this.stats.drops = (this.stats.drops || 0) + 1;
  }

  decodeFailed(index) {
    this.pendingDecode.delete(index);
  }

  /** Show sample the schedule plays at ctx t (fractional), or null outside the run. */
  scheduledSampleAt(t) {
    for (const e of this.scheduled) {
      if (t >= e.startCtx && t < e.endCtx) {
        const seg = this.segments[e.index];
        return seg.first_sample + e.offsetSamples + (t - e.startCtx) * this.sr * e.rate;
      }
    }
    return null;
  }

  /** Error of the schedule at ctx t (s): > 0 when the sound is late. null if nothing plays. */
  errorAt(t, map) {
    const s = this.scheduledSampleAt(t);
    return s === null ? null : t - idealCtx(map, s);
  }

  /**
   * Error (s) of a run scheduled but not heard yet - its first entry starts after nowCtx +
   * minLeadS - under the map now: > 0 when it would be late. null when there is none.
   */
  pendingErrorAt(nowCtx, map) {
    const e = this.scheduled[0];
    if (!e || !(e.startCtx > nowCtx + this.o.minLeadS)) return null;
    return e.startCtx - idealCtx(map, this.segments[e.index].first_sample + e.offsetSamples);
  }

  _entry(index, offsetSamples, startCtx, rate, fadeIn) {
    const seg = this.segments[index];
    const left = seg.samples - offsetSamples;
    return { run: this.run, index, offsetSamples, startCtx, rate, endCtx: startCtx + left / this.sr / rate, fadeIn };
  }

  /** One planning step at ctx time nowCtx under the ideal map. */
  tick(nowCtx, map) {
    const out = { decode: [], release: [], start: [], stopRun: null };
    const o = this.o;
    const err = this.errorAt(nowCtx, map);
    const pending = this.pendingErrorAt(nowCtx, map);
    this.lastError = err ?? pending ?? 0;
    // 1. re-anchor when the error is beyond what trimming can absorb soon (or the map jumped)
    const forced = this.forced && err !== null && Math.abs(err) > o.forcedReanchorS;
    this.forced = false;
    // a run not heard yet follows the map for free: a start anchored 3 s ahead on a clock
    // that converged since (an audio clock whose currentTime line moved 173 ms, a clock
    // sync snap) played that far off (Firefox, heard +193 ms in the console test)
    if (pending !== null && Math.abs(pending) > o.forcedReanchorS) {
      out.stopRun = { atCtx: nowCtx, fadeS: o.fadeS };
      this.scheduled = [];
      this.run++;
      this.stats.reanchors++;
    } else if (forced) {
      out.stopRun = { atCtx: nowCtx, fadeS: o.fadeS };
      this.scheduled = [];
      this.run++;
      this.stats.reanchors++;
    } else if (err !== null && Math.abs(err) > o.reanchorS) {
      const posMs = idealSample(map, nowCtx) / this.sr * 1000;
      const sil = nextSilence(this.silences, posMs);
      const waitS = sil ? Math.max(0, sil.start_ms - posMs) / 1000 : Infinity;
      const inSilence = sil && posMs >= sil.start_ms && posMs < sil.end_ms - 100;
      if (inSilence || waitS > o.silenceWaitS || Math.abs(err) > 0.5) {
        out.stopRun = { atCtx: nowCtx, fadeS: o.fadeS };
        this.scheduled = [];
        this.run++;
        this.stats.reanchors++;
      }
    }
    // 2. drop finished entries; keep the schedule short
    this.scheduled = this.scheduled.filter((e) => e.endCtx > nowCtx - 1);
    // 3. anchor a new run when nothing is scheduled
    if (this.scheduled.length === 0) {
      const t = Math.max(nowCtx + (this.anchorLeadS ?? o.minLeadS), idealCtx(map, 0));
      const s = Math.max(0, Math.ceil(idealSample(map, t)));
      const index = segmentIndexAt(this.segments, s);
      if (index >= 0 && index < this.segments.length && s < this.total) {
        if (this.decodedSet.has(index)) {
          if (idealCtx(map, s) - nowCtx <= o.scheduleAheadS) {
            const seg = this.segments[index];
            out.start.push(this._entry(index, s - seg.first_sample, idealCtx(map, s), 1, s > 0));
            this.scheduled.push(out.start[0]);
            this.anchorLeadS = null;
          }
        } else if (!this.pendingDecode.has(index)) {
          out.decode.push(index);
        }
      }
    }
    // 4. chain the next segment of the run, trimming its rate onto the ideal map
    const last = this.scheduled[this.scheduled.length - 1];
    if (last) {
      const next = last.index + 1;
      if (next < this.segments.length) {
        if (!this.decodedSet.has(next)) {
          if (!this.pendingDecode.has(next) && last.startCtx <= nowCtx + o.scheduleAheadS) out.decode.push(next);
        } else if (last.endCtx - nowCtx <= o.scheduleAheadS) {
          const seg = this.segments[next];
          const idealEnd = idealCtx(map, seg.first_sample + seg.samples);
          const rate = trimRate(seg.samples, this.sr, last.endCtx, idealEnd, o.maxTrimPpm);
          this.stats.maxAbsTrimPpm = Math.max(this.stats.maxAbsTrimPpm, Math.abs(rate - 1) * 1e6);
          const e = this._entry(next, 0, last.endCtx, Math.abs(rate - 1) < 1e-9 ? 1 : rate, false);
          this.scheduled.push(e);
          out.start.push(e);
        }
      }
    }
    // 5. decode budget: release what is neither playing nor next
    const keep = new Set(this.scheduled.filter((e) => e.endCtx > nowCtx).map((e) => e.index));
    for (const e of this.scheduled) keep.add(e.index + 1);
    for (const i of out.decode) keep.add(i);
    for (const i of [...this.decodedSet]) {
      if (!keep.has(i)) {
        this.decodedSet.delete(i);
        out.release.push(i);
      }
    }
    out.decode = out.decode.filter((i) => this.decodedSet.size + this.pendingDecode.size < o.maxDecoded || keep.has(i));
    for (const i of out.decode) this.pendingDecode.add(i);
    return out;
  }

  /** Is the whole show behind us at ctx t? */
  finished(nowCtx, map) {
    return idealSample(map, nowCtx) >= this.total;
  }
}
