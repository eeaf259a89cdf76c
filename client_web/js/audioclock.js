/**
 * When the sound comes out, pure: which performance time (ms) a frame scheduled
 * at AudioContext time t is *heard* at, the inverse, and how sure we are.
 *
 * A browser gives three readings (docs/playback.md has the evidence per engine):
 * - `getOutputTimestamp()` {contextTime, performanceTime}: "the frame at
 *   contextTime leaves the speaker at performanceTime". Exact when true (Blink:
 *   AudioDestination::RequestRender stamps the device's own playout delay), but
 *   engines return values that cannot be true: WebKitGTK's performanceTime runs
 *   at twice the rate, in the future; Gecko computes both members from
 *   currentTime and performance.now() minus the same outputLatency
 *   (AudioContext::GetOutputTimestamp), i.e. "the frame being rendered is heard
 *   right now", which no output path can do; a late render callback gives a
 *   stale pair. {@link timestampFault} rejects every reading that cannot be true.
 * - `currentTime` + `outputLatency`: the frame being rendered now is heard
 *   outputLatency later (Gecko: one cubeb_stream_get_latency() snapshot, cached
 *   until the device changes; missing or 0 in WebKitGTK and many phones).
 * - `currentTime` + `baseLatency`: the least it can be (the engine's own buffer).
 *
 * {@link AudioClock} validates each reading, keeps one observation line per
 * source (timestamps: least squares through exact pairs; currentTime-based:
 * the lower envelope, since currentTime only says "this frame was rendered at
 * or before now"), trusts timestamps while they keep passing, else
 * currentTime + outputLatency, else the middle of what the latency can be, and states an
 * error bound for what it cannot know ({@link AudioClock#boundMs}).
 *
 * The per-device manual offset (Bluetooth headphones add 150-650 ms that no API
 * reports) is added by the engine, not here.
 */

export const LIMITS = Object.freeze({
  maxOutputLatencyS: 1.0, // beyond this an outputLatency is not believed (Bluetooth is ~0.15-0.65 s)
  unknownLatencyS: 0.1, // the output latency nothing reports lies in [baseLatency, baseLatency + this]
  futureSlackMs: 1.0, // a stamp may be read a little after performance.now() (1 ms timer resolution)
  maxStampAgeMs: 1000,
  rateTolerance: 0.1, // performanceTime must advance at 1000 ms per contextTime second, ±10 % (a glitch is a jump, not a rate)
  rateSpanS: 0.25, // ... checked over at least this much context time
  quantumFrames: 128, // a render quantum: the least any output can buffer
  settleCount: 5, // observations of one source before scheduling on it
  maxMisses: 20, // consecutive faulty stamps before falling back to currentTime
  stableS: 0.5, // a first start waits for stamps without a fault over this much context time
  pendingMisses: 3, // consecutive faulty stamps after which a few accepted ones are not waited for
  jumpMs: 2, // a stamp this far off the line starts a candidate jump (a glitch moves the whole line)
  jumpCount: 3, // ... this many in a row that agree within 1 ms restart the line
  currentWindow: 40, // currentTime observations kept (a glitch ages out of the envelope)
  shiftCount: 10, // this many currentTime observations in a row, all later than the envelope ...
  shiftMinMs: 10, // ... by this much and by twice their own scatter, restart it (see _shifted)
});

/**
 * Whether reading `outputLatency` or `getOutputTimestamp()` can block the page's main
 * thread for seconds, by the browser's user agent string: Gecko on desktop Linux.
 *
 * Gecko answers both with `cubeb_stream_get_latency()` on the main thread while it holds
 * the graph's lock, whenever its cached latency is 0 (every new page). On desktop the
 * call is a synchronous IPC to the parent process (AudioIPC), whose PulseAudio backend
 * needs the PulseAudio main loop's lock - held by that main loop while it is in the same
 * stream's data callback, which waits for the page's graph thread, which waits for the
 * lock the main thread holds: a cycle, broken only by a timeout 5-15 s later. Recorded
 * with gdb in Firefox ESR 153 here (docs/playback.md, "Gecko and the main thread"): in 3
 * of 6 runs of the two Firefox participant tests. Android has no AudioIPC (cubeb runs in the content
 * process on AAudio/OpenSL ES) and other desktops use other backends (not measured):
 * there the readings are taken, with the engine's back-off guards.
 */
export function latencyReadsCanBlock(userAgent) {
  const ua = String(userAgent || '');
  const gecko = /\brv:[\d.]+\) Gecko\/\d/.test(ua) && !/like Gecko/.test(ua);
  return gecko && /\bLinux\b|\bX11\b/.test(ua) && !/Android/.test(ua);
}

/**
 * Why a getOutputTimestamp() reading cannot be true, or null when it can be.
 * @param {{contextTime:number, performanceTime:number}|null} ts
 * @param {number} currentTime ctx.currentTime (s), read just before ts
 * @param {number} perfNow performance.now() (ms), read just after ts
 * @param {number} sampleRate ctx.sampleRate
 * @param {{contextTime:number, performanceTime:number}|null} prev the last stamp accepted
 * @param {{contextTime:number, performanceTime:number}|null} ref an accepted stamp at least
 *   LIMITS.rateSpanS of context time before ts (for the rate check), or null
 */
export function timestampFault(ts, currentTime, perfNow, sampleRate, prev = null, ref = null) {
  if (!ts || typeof ts.contextTime !== 'number' || typeof ts.performanceTime !== 'number') return 'missing';
  if (!(ts.contextTime > 0 && ts.performanceTime > 0)) return 'zero';
  if (ts.performanceTime > perfNow + LIMITS.futureSlackMs) return 'future';
  if (perfNow - ts.performanceTime > LIMITS.maxStampAgeMs) return 'stale';
  const quantumS = LIMITS.quantumFrames / (sampleRate || 48000);
  if (ts.contextTime > currentTime + quantumS) return 'ahead-of-currentTime';
  // when the frame being rendered now (currentTime) will be heard, by this stamp
  const impliedMs = ts.performanceTime + (currentTime - ts.contextTime) * 1000 - perfNow;
  if (impliedMs < quantumS * 1000 - LIMITS.futureSlackMs) return 'no-latency';
  if (impliedMs > LIMITS.maxOutputLatencyS * 1000) return 'latency-too-large';
  if (prev && (ts.contextTime < prev.contextTime || ts.performanceTime < prev.performanceTime)) return 'non-monotonic';
  if (ref && ts.contextTime - ref.contextTime >= LIMITS.rateSpanS) {
    const rate = (ts.performanceTime - ref.performanceTime) / ((ts.contextTime - ref.contextTime) * 1000);
    if (Math.abs(rate - 1) > LIMITS.rateTolerance) return 'rate';
  }
  return null;
}

/**
 * The output latency (s) to add to currentTime, and where it comes from. Without a
 * plausible outputLatency nothing is known but that the latency lies between
 * baseLatency and baseLatency + LIMITS.unknownLatencyS (wired output paths, 10-100 ms;
 * Bluetooth is beyond and needs the manual offset): the page takes the middle of that
 * interval, which keeps its worst error smallest (half the interval, the stated bound).
 */
export function fallbackLatency(outputLatency, baseLatency) {
  const base = typeof baseLatency === 'number' && baseLatency >= 0 && baseLatency < 0.2 ? baseLatency : 0;
  if (typeof outputLatency === 'number' && outputLatency > 0 && outputLatency <= LIMITS.maxOutputLatencyS) {
    return { latencyS: outputLatency, source: 'outputLatency', baseS: base };
  }
  return { latencyS: base + LIMITS.unknownLatencyS / 2, source: 'default', baseS: base };
}

export class AudioClock {
  /** @param {{window?: number}} [o] number of observations kept per source */
  constructor({ window = 240 } = {}) {
    this.window = window;
    this.lines = { timestamp: [], current: [] }; // observations {ctx, perf}
    this.fits = { timestamp: null, current: null };
    this.prev = null; // last accepted stamp
    this.refs = []; // accepted stamps, for the rate check
    this.misses = 0;
    this.stampReads = 0; // readings that had a stamp to judge (getOutputTimestamp was called)
    this.clean = []; // context times of the stamps accepted since the last faulty one (see stable)
    this.faults = {}; // reason -> count
    this.lastFault = null;
    this.latency = null; // the fallback latency in use {latencyS, source}
    this.source = null; // 'timestamp' | 'outputLatency' | 'default'
    this.sampleRate = 48000;
  }

  /**
   * Feed one reading of the browser (all read together, currentTime first).
   * @param {{ts: object|null, currentTime: number, perfNow: number, outputLatency?: number,
   *          baseLatency?: number, sampleRate?: number}} r
   * @returns {string|null} why the timestamp was rejected (null: accepted or none to judge)
   */
  add(r) {
    if (!(r.currentTime > 0)) return null;
    this.sampleRate = r.sampleRate || this.sampleRate;
    let fault = null;
    if (r.ts !== undefined) {
      this.stampReads++;
      const ref = this._ref(r.ts);
      fault = timestampFault(r.ts, r.currentTime, r.perfNow, this.sampleRate, this.prev, ref);
      if (fault === null) {
        this.prev = { contextTime: r.ts.contextTime, performanceTime: r.ts.performanceTime };
        this.refs.push(this.prev);
        if (this.refs.length > 64) this.refs.shift();
        this._push('timestamp', { ctx: r.ts.contextTime, perf: r.ts.performanceTime });
        this.misses = 0;
        this.clean.push(r.ts.contextTime);
        if (this.clean.length > 64) this.clean.shift();
      } else if (fault !== 'missing') {
        this.clean = [];
        this.faults[fault] = (this.faults[fault] || 0) + 1;
        this.lastFault = fault;
        this.misses++;
        if (this.misses >= LIMITS.maxMisses) this._drop('timestamp');
      } else {
        this.misses++;
        if (this.misses >= LIMITS.maxMisses) this._drop('timestamp');
      }
    }
    const lat = fallbackLatency(r.outputLatency, r.baseLatency);
    if (!this.latency || lat.source !== this.latency.source || Math.abs(lat.latencyS - this.latency.latencyS) > 1e-4) {
      this.latency = lat; // a new latency: the currentTime line is kept (it is stored without latency)
    }
    this._push('current', { ctx: r.currentTime, perf: r.perfNow });
    // the line itself must stay possible: the frame being rendered is heard after now
    if (this.fits.timestamp) {
      const f = this.fits.timestamp;
      const lat = f.p0 + (r.currentTime - f.c0) * f.k - r.perfNow;
      const q = (LIMITS.quantumFrames / this.sampleRate) * 1000;
      if (lat < q - LIMITS.futureSlackMs || lat > LIMITS.maxOutputLatencyS * 1000) {
        this.faults['line-impossible'] = (this.faults['line-impossible'] || 0) + 1;
        this.clean = [];
        const keep = fault === null ? [this.lines.timestamp.at(-1)] : [];
        this._drop('timestamp');
        for (const o of keep) this.lines.timestamp.push(o);
        this.fits.timestamp = keep.length ? fitLine(this.lines.timestamp) : null;
      }
    }
    this.source = this._trusted();
    return fault === 'missing' ? null : fault;
  }

  _ref(ts) {
    if (!ts || !(ts.contextTime > 0)) return null;
    let best = null;
    for (const s of this.refs) if (ts.contextTime - s.contextTime >= LIMITS.rateSpanS) best = s;
    return best;
  }

  _push(line, o) {
    if (line === 'timestamp' && this._jumped(o)) return;
    const obs = this.lines[line];
    obs.push(o);
    if (obs.length > (line === 'timestamp' ? this.window : LIMITS.currentWindow)) obs.shift();
    this.fits[line] = line === 'timestamp' ? fitLine(obs) : fitEnvelope(obs);
    if (line === 'current' && this._shifted()) {
      this.lines.current = obs.slice(-LIMITS.shiftCount);
      this.fits.current = fitEnvelope(this.lines.current);
      this.faults.shift = (this.faults.shift || 0) + 1;
    }
  }

  /**
   * The currentTime line moved later: the last `shiftCount` observations all lie later
   * than the envelope by more than `shiftMinMs` and twice their own scatter (max - min).
   * currentTime says "this frame was rendered at or before now", so the envelope follows
   * the earliest observations and a move later would only age out with the window (40
   * observations: 4-40 s): a glitch (the output played silence while the graph was late:
   * +27 ms, Firefox at load 1.6) or a context's start, whose first observations (before the
   * output stream ran) lay 150-200 ms early - the page then anchored its first start 173 ms
   * early and was heard +193 ms late (Firefox, console test). Stationary observations lie
   * within one render step of the envelope (a phone's step can be 40 ms; Blink's callbacks
   * make a 22 ms sawtooth), so their minimum never clears their own scatter; a shift moves
   * minimum and maximum alike (a shift smaller than twice the scatter still ages out).
   */
  _shifted() {
    const obs = this.lines.current;
    const f = this.fits.current;
    if (obs.length < 2 * LIMITS.shiftCount) return false;
    const rs = obs.slice(-LIMITS.shiftCount).map((o) => o.perf - (f.p0 + (o.ctx - f.c0) * f.k));
    const lo = Math.min(...rs);
    return lo > LIMITS.shiftMinMs && lo > 2 * (Math.max(...rs) - lo);
  }

  /**
   * A glitch (the device played silence while the graph was late) moves every later
   * stamp later by the same amount: a stamp that late off the line is held back; `jumpCount` of them
   * in a row that agree restart the line from them (counted in faults.jump).
   */
  _jumped(o) {
    const f = this.fits.timestamp;
    if (!f || this.lines.timestamp.length < LIMITS.settleCount) return false;
    const r = o.perf - (f.p0 + (o.ctx - f.c0) * f.k);
    // an underrun only ever delays the sound: a stamp *earlier* than the line is an outlier
    if (r <= Math.max(LIMITS.jumpMs, 5 * f.mad)) {
      this.jumpers = [];
      return false;
    }
    this.jumpers = [...(this.jumpers || []), { o, r }];
    const rs = this.jumpers.map((j) => j.r);
    if (this.jumpers.length >= LIMITS.jumpCount && Math.max(...rs) - Math.min(...rs) <= 1) {
      this.lines.timestamp = this.jumpers.map((j) => j.o);
      this.fits.timestamp = fitLine(this.lines.timestamp);
      this.refs = this.jumpers.map((j) => ({ contextTime: j.o.ctx, performanceTime: j.o.perf })); // rate from here on
      this.faults.jump = (this.faults.jump || 0) + 1;
      this.jumpers = [];
    } else if (this.jumpers.length >= LIMITS.jumpCount) {
      this.jumpers.shift();
    }
    return true;
  }

  _drop(line) {
    this.lines[line] = [];
    this.fits[line] = null;
    if (line === 'timestamp') {
      this.prev = null;
      this.refs = [];
    }
  }

  _trusted() {
    if (this.fits.timestamp && this.lines.timestamp.length >= LIMITS.settleCount) return 'timestamp';
    if (this.fits.current) return this.latency.source;
    return null;
  }

  get ready() {
    return this.source !== null;
  }

  /**
   * Enough observations of the trusted source to schedule on - and no better source on its
   * way: while timestamps are being accepted but are fewer than `settleCount` (the first ones of
   * a fresh context: Blink's arrive from its first second on, after currentTime's), the fallback
   * is not scheduled on. Blink's outputLatency reads ~20 ms short of its sound
   * (docs/benchmarks.md): a reload that anchored on it, then moved to the stamps, played 22-25 ms
   * late, trimmed only slowly, while stating the stamps' 3 ms bound.
   */
  get settled() {
    const line = this.source === 'timestamp' ? this.lines.timestamp : this.lines.current;
    return this.source !== null && line.length >= LIMITS.settleCount && !this.stampsPending;
  }

  /**
   * Settled, and for timestamps also steady: at least `settleCount` stamps in a row passed, spanning
   * `stableS` of context time, and no stamp failed or broke the line since. A first start
   * (the engine) waits for it: a fresh context's first stamps (Blink, a reload mid-show)
   * were measured off by 20-160 ms for its first second of stamps - a rate fault, an
   * impossible line - and a start anchored on them played late or re-anchored.
   */
  get stable() {
    if (!this.settled) return false;
    if (this.source !== 'timestamp') return true;
    const c = this.clean;
    return c.length >= LIMITS.settleCount && c[c.length - 1] - c[0] >= LIMITS.stableS
      && this.lines.timestamp.length >= LIMITS.settleCount;
  }

  /** Timestamps are being read, fewer than `settleCount` passed, and not `pendingMisses` in a row failed (see settled). */
  get stampsPending() {
    const n = this.lines.timestamp.length;
    return this.stampReads > 0 && n < LIMITS.settleCount && this.misses < LIMITS.pendingMisses;
  }

  /** Performance time (ms) at which the frame of ctx time t is heard, by `source` (default: the trusted one). */
  perfAt(t, source = this.source) {
    if (source === 'timestamp') {
      const f = this.fits.timestamp;
      return f ? f.p0 + (t - f.c0) * f.k : null;
    }
    const f = this.fits.current;
    if (!f) return null;
    const lat = source === 'outputLatency' || source === 'default' || source === 'base'
      ? this._latencyOf(source) : this.latency.latencyS;
    return f.p0 + (t - f.c0) * f.k + lat * 1000;
  }

  _latencyOf(source) {
    if (source === this.latency.source) return this.latency.latencyS;
    if (source === 'base') return this.latency.baseS ?? 0;
    return this.latency.latencyS;
  }

  /** ctx time (s) of the frame heard at performance time p (ms), by the trusted source. */
  ctxAt(p) {
    const f = this.source === 'timestamp' ? this.fits.timestamp : this.fits.current;
    const lat = this.source === 'timestamp' ? 0 : this.latency.latencyS * 1000;
    return f.c0 + (p - lat - f.p0) / f.k;
  }

  /** The audio clock's rate error against performance time (ppm). */
  get driftPpm() {
    const f = this.source === 'timestamp' ? this.fits.timestamp : this.fits.current;
    return f ? (f.k / 1000 - 1) * 1e6 : 0;
  }

  /** Output latency implied by the trusted line: heard time minus now, for ctx currentTime (ms). */
  latencyMs(currentTime, perfNow) {
    return this.ready ? this.perfAt(currentTime) - perfNow : null;
  }

  /**
   * Error bound (ms) of perfAt() by the trusted source: what this page cannot know.
   * - timestamp: the scatter of the pairs about their line (3 MADs) + half a render
   *   quantum (an engine stamps a quantum, not a frame), at least 0.5 ms;
   * - outputLatency: the latency is one reading of a buffer's fill, which can be
   *   anywhere between empty (baseLatency) and that reading: half of it, plus the
   *   envelope's scatter;
   * - default: nothing is known beyond baseLatency: half the unknown interval plus the scatter.
   */
  boundMs() {
    if (this.source === 'timestamp') {
      const f = this.fits.timestamp;
      return Math.max(0.5, 3 * f.mad + (LIMITS.quantumFrames / this.sampleRate) * 500);
    }
    if (!this.fits.current) return Infinity;
    const scatter = this.fits.current.spread;
    if (this.source === 'outputLatency') return this.latency.latencyS * 500 + scatter;
    return LIMITS.unknownLatencyS * 500 + scatter;
  }

  /**
   * Heard time (ms) of ctx t by every source available (the cross-check of docs/playback.md):
   * timestamp, outputLatency, base (currentTime + baseLatency) and fallback (currentTime + the
   * latency used without stamps: outputLatency, or the middle of the unknown interval).
   */
  candidates(t) {
    const out = {};
    if (this.fits.timestamp) out.timestamp = this.perfAt(t, 'timestamp');
    if (this.fits.current) {
      if (this.latency.source === 'outputLatency') out.outputLatency = this.perfAt(t, 'outputLatency');
      const f = this.fits.current;
      out.base = f.p0 + (t - f.c0) * f.k + (this.latency.baseS ?? 0) * 1000;
      out.fallback = this.perfAt(t, 'fallback'); // currentTime + the latency in use without stamps
    }
    return out;
  }
}

/**
 * Least-squares line perf = p0 + (ctx - c0) k through the observations, twice:
 * the second pass drops points more than 3 median absolute deviations (and
 * 0.5 ms) off the first line. The slope is kept within 1000 ± 1 ms/s (1000 ppm)
 * and is 1000 until 100 points span 30 s: a slope fitted on a few noisy seconds
 * (the page observes at rest once a second) is worse than none - audio clocks drift
 * 20-200 ppm, 0.8 ms over a 4 s countdown at most. `mad` is the residuals' median
 * absolute deviation (ms) of the kept points.
 */
export function fitLine(obs) {
  if (!obs.length) return null;
  const once = (pts) => {
    const n = pts.length;
    const c0 = pts.reduce((a, o) => a + o.ctx, 0) / n;
    const p0 = pts.reduce((a, o) => a + o.perf, 0) / n;
    let k = 1000;
    const span = pts[n - 1].ctx - pts[0].ctx;
    if (n >= 100 && span >= 30) {
      let sxx = 0, sxy = 0;
      for (const o of pts) {
        sxx += (o.ctx - c0) ** 2;
        sxy += (o.ctx - c0) * (o.perf - p0);
      }
      k = Math.min(1001, Math.max(999, sxy / sxx));
    }
    return { c0, p0, k };
  };
  const residuals = (f, pts) => pts.map((o) => Math.abs(o.perf - (f.p0 + (o.ctx - f.c0) * f.k)));
  const first = once(obs);
  const res = residuals(first, obs);
  const mad = median(res);
  const keep = obs.filter((o, i) => res[i] <= Math.max(0.5, 3 * mad));
  const f = keep.length >= 2 ? once(keep) : first;
  return { ...f, mad: median(residuals(f, keep.length >= 2 ? keep : obs)) };
}

/**
 * The lower envelope of currentTime observations {ctx: currentTime, perf: perfNow}:
 * currentTime says the frame at ctx was rendered at or before perfNow, so the
 * render line runs under the points. Slope as fitLine's; offset: the 5th
 * percentile of the points' offsets (robust to a point read early by a clock
 * of coarse resolution). `spread` (ms): 5th to 50th percentile of the offsets,
 * how much a single reading can be late.
 */
export function fitEnvelope(obs) {
  if (!obs.length) return null;
  const line = fitLine(obs);
  const k = line.k;
  const c0 = line.c0;
  const offs = obs.map((o) => o.perf - (o.ctx - c0) * k).sort((a, b) => a - b);
  const q = (p) => offs[Math.min(offs.length - 1, Math.floor(p * offs.length))];
  return { c0, p0: q(0.05), k, spread: q(0.5) - q(0.05), mad: line.mad };
}

function median(xs) {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
