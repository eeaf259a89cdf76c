/**
 * The audio clock against the page's clock, pure: which performance time (ms)
 * a sample scheduled at AudioContext time t is *heard* at, and the inverse.
 *
 * Observations come from `AudioContext.getOutputTimestamp()` ({contextTime,
 * performanceTime}: the frame at contextTime leaves the speaker at
 * performanceTime) when it is valid, else from `currentTime` plus an output
 * latency (`outputLatency` when plausible, else `baseLatency` + a default), see
 * `observe()`. The fitted line perf = p0 + (ctx - c0) * k (k ≈ 1000 ms/s, off by
 * the audio clock's drift, 20-200 ppm on phones) averages the jitter of the
 * observations over a sliding window and drops outliers.
 *
 * The per-device manual offset (Bluetooth headphones add 150-650 ms that no API
 * reports) is added by the engine, not here.
 */

export const LIMITS = Object.freeze({
  maxOutputLatencyS: 0.5,
  defaultExtraLatencyS: 0.02,
  maxStampAgeMs: 1000,
});

/**
 * One observation {ctx, perf, source} from what the browser reports, or null.
 * @param {{contextTime:number, performanceTime:number}|null} ts getOutputTimestamp()
 * @param {number} currentTime ctx.currentTime (s)
 * @param {number} perfNow performance.now() (ms) read right after currentTime
 * @param {number|undefined} outputLatency ctx.outputLatency (s)
 * @param {number|undefined} baseLatency ctx.baseLatency (s)
 */
export function observe(ts, currentTime, perfNow, outputLatency, baseLatency) {
  if (ts && ts.contextTime > 0 && ts.performanceTime > 0 && Math.abs(perfNow - ts.performanceTime) < LIMITS.maxStampAgeMs
      && ts.contextTime <= currentTime + 0.05) {
    return { ctx: ts.contextTime, perf: ts.performanceTime, source: 'timestamp' };
  }
  if (!(currentTime > 0)) return null;
  const plausible = typeof outputLatency === 'number' && outputLatency > 0 && outputLatency < LIMITS.maxOutputLatencyS;
  const latency = plausible ? outputLatency
    : (typeof baseLatency === 'number' && baseLatency >= 0 && baseLatency < 0.2 ? baseLatency : 0) + LIMITS.defaultExtraLatencyS;
  return { ctx: currentTime, perf: perfNow + latency * 1000, source: plausible ? 'outputLatency' : 'default' };
}

export class AudioClock {
  /** @param {{window?: number}} [o] number of observations kept */
  constructor({ window = 240 } = {}) {
    this.window = window;
    this.obs = [];
    this.fit = null;
    this.source = null;
  }

  /**
   * Add an observation from observe(); a change of source restarts the fit.
   * Fallback observations are ignored while timestamps keep coming (a few
   * invalid ones are normal right after a start or a resume).
   */
  add(o) {
    if (!o) return;
    if (this.source === 'timestamp' && o.source !== 'timestamp') {
      this.misses = (this.misses || 0) + 1;
      if (this.misses < 20) return;
    }
    if (o.source === 'timestamp') this.misses = 0;
    if (this.source !== o.source) this.obs = [];
    this.source = o.source;
    this.obs.push(o);
    if (this.obs.length > this.window) this.obs.shift();
    this.fit = fitLine(this.obs);
  }

  get ready() {
    return this.fit !== null;
  }

  /** Enough observations of one source to schedule on (about half a second). */
  get settled() {
    return this.obs.length >= 5;
  }

  /** Performance time (ms) at which the frame of ctx time t is heard. */
  perfAt(t) {
    const f = this.fit;
    return f.p0 + (t - f.c0) * f.k;
  }

  /** ctx time (s) of the frame heard at performance time p (ms). */
  ctxAt(p) {
    const f = this.fit;
    return f.c0 + (p - f.p0) / f.k;
  }

  /** The audio clock's rate error against performance time (ppm). */
  get driftPpm() {
    return this.fit ? (this.fit.k / 1000 - 1) * 1e6 : 0;
  }

  /** Output latency implied by the fit: heard time minus now, for ctx currentTime (ms). */
  latencyMs(currentTime, perfNow) {
    return this.fit ? this.perfAt(currentTime) - perfNow : null;
  }
}

/**
 * Least-squares line perf = p0 + (ctx - c0) k through the observations, twice:
 * the second pass drops points more than 3 median absolute deviations (and
 * 0.5 ms) off the first line. The slope is kept within 1000 ± 1 ms/s (1000 ppm)
 * and is 1000 until the points span 10 s.
 */
export function fitLine(obs) {
  if (!obs.length) return null;
  const once = (pts) => {
    const n = pts.length;
    const c0 = pts.reduce((a, o) => a + o.ctx, 0) / n;
    const p0 = pts.reduce((a, o) => a + o.perf, 0) / n;
    let k = 1000;
    const span = pts[n - 1].ctx - pts[0].ctx;
    if (n >= 3 && span >= 10) {
      let sxx = 0, sxy = 0;
      for (const o of pts) {
        sxx += (o.ctx - c0) ** 2;
        sxy += (o.ctx - c0) * (o.perf - p0);
      }
      k = Math.min(1001, Math.max(999, sxy / sxx));
    }
    return { c0, p0, k };
  };
  const first = once(obs);
  const res = obs.map((o) => Math.abs(o.perf - (first.p0 + (o.ctx - first.c0) * first.k)));
  const mad = [...res].sort((a, b) => a - b)[Math.floor(res.length / 2)];
  const keep = obs.filter((o, i) => res[i] <= Math.max(0.5, 3 * mad));
  return keep.length >= 2 ? once(keep) : first;
}
