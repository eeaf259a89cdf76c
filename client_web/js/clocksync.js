/**
 * Clock synchronisation with the conductor: offset, drift and an error bound.
 *
 * NTP-style exchange (docs/protocol.md, "Clock sync"): the client sends
 * `sync{id, t0}` (t0 = its clock), the server answers `sync_reply{t1, t2}`,
 * the client reads t3 on arrival:
 *   offset = ((t1 - t0) + (t2 - t3)) / 2,  round trip = (t3 - t0) - (t2 - t1).
 * The true offset lies within offset ± rtt/2 whatever the network does.
 *
 * Contract of `ClockSync` (sans-I/O, as IRCAM @ircam/sync: clock, transport and
 * timers are injected, nothing here reads a clock or opens a socket):
 * - `start()` sends a burst of requests, then small periodic bursts, every
 *   `warmupPeriodMs` for the first `warmupMs` (the drift becomes observable),
 *   then every `periodMs`; `resync()` sends a burst now (after a reconnect).
 * - `handleReply(msg, t3?)` feeds a `sync_reply`.
 * - The model is a weighted least-squares line offset(t) = a + b (t - ref) over the
 *   samples of the last `windowMs`; weights favour the smallest round trips
 *   (1 / (rtt - min_rtt + 100 µs)^2), so queueing delay, jitter and spikes fade out.
 *   The slope (drift) is a ridge estimate with a ±`unknownDriftPpm` prior, so a short
 *   span gives a cautious slope; until the samples span `driftSpanMs` the bound
 *   grows at `unknownDriftPpm`, then at 3 standard deviations of the slope.
 * - `estimate(c)` -> {serverUs, boundUs} is the raw model at client time c (µs).
 *   `boundUs` is the weighted half round trip of the samples used (it contains
 *   any link asymmetry) plus the fit residual plus the drift uncertainty times
 *   the distance to the newest sample.
 * - `serverTime(c)` is what playback uses: the raw model, except in smooth mode
 *   (`setSmooth(true)`, while playing) where the published time follows the model
 *   at a rate within ±`maxSlewPpm` of the model's own: a model change is *slewed*,
 *   never a jump, and the time never runs backwards - except when the published time
 *   is known wrong: farther from the model than the model's own bound plus `snapUs`
 *   (a phone that joined on a poor first estimate, then got prompt replies). Slewing
 *   that away at 500 ppm would take minutes (350 ms: 12 min, heard 346 ms late in CI);
 *   the time is set to the model at once (`snaps` counts it) and the player re-anchors.
 * - `toJSON()` / `ClockSync.restore(json)` keep the model across reloads and
 *   network loss (client time must be epoch-based, e.g. timeOrigin + now()).
 * All times are integer-valued microseconds (numbers), except ppm rates.
 */

import { make } from './protocol.js';

const DEFAULTS = {
  burst: 12,
  burstSpacingMs: 50,
  periodicBurst: 4,
  periodMs: 10_000,
  warmupMs: 120_000,
  warmupPeriodMs: 2_000,
  windowMs: 15 * 60_000,
  maxSamples: 600,
  driftSpanMs: 30_000,
  unknownDriftPpm: 200,
  knownDriftPpm: 3,
  maxSlewPpm: 500,
  snapUs: 5_000,
  replyTimeoutMs: 5_000,
  sigmaMinUs: 100,
  quantile: 0.25,
  priorPpm: 100,
};

/** Offset and round trip of one exchange (µs). */
export function measure(t0, t1, t2, t3) {
  return { offset: ((t1 - t0) + (t2 - t3)) / 2, rtt: Math.max(0, (t3 - t0) - (t2 - t1)), t: (t0 + t3) / 2 };
}

/**
 * Fit offset(t) = a + b (t - ref) by weighted least squares.
 * @param {{t:number, offset:number, rtt:number}[]} samples
 * @param {{driftSpanUs:number, sigmaMinUs?:number, quantile?:number}} opts
 * @returns {{ref:number, a:number, b:number, driftKnown:boolean, halfRtt:number, residual:number, newest:number, minRtt:number}|null}
 */
export function fitModel(samples, { driftSpanUs, sigmaMinUs = 100, quantile = 0.25, priorPpm = 200 }) {
  if (samples.length === 0) return null;
  let minRtt = Infinity;
  for (const s of samples) minRtt = Math.min(minRtt, s.rtt);
  const limit = 2 * minRtt + 5_000; // gross spikes carry no information
  const used = samples.filter((s) => s.rtt <= limit);
  const ref = used[used.length - 1].t;
  const base = used.find((s) => s.rtt === minRtt)?.offset ?? used[0].offset;
  let sw = 0, st = 0, so = 0, newest = -Infinity, oldest = Infinity, halfRtt = 0;
  // Weight scale: the typical excess round trip of the better quarter of the samples, so that
  // several good samples are averaged (symmetric jitter cancels) while spikes weigh nothing.
  const excess = used.map((s) => s.rtt - minRtt).sort((x, y) => x - y);
  const sigma = Math.max(sigmaMinUs, excess[Math.floor(excess.length * quantile)]);
  const w = used.map((s) => 4 / (s.rtt - minRtt + sigma) ** 2); // ~ 1 / variance of the offset
  used.forEach((s, i) => {
    sw += w[i];
    st += w[i] * (s.t - ref) / 1e6;
    so += w[i] * (s.offset - base);
    halfRtt += w[i] * s.rtt / 2;
    newest = Math.max(newest, s.t);
    oldest = Math.min(oldest, s.t);
  });
  const tm = st / sw, om = so / sw;
  halfRtt /= sw;
  // Slope (drift, ppm): ridge regression with a prior of ±priorPpm, so that a short
  // span gives a cautious slope instead of a noisy one (and no slope at a single instant).
  const driftKnown = newest - oldest >= driftSpanUs;
  let stt = 0, sto = 0;
  used.forEach((s, i) => {
    const dt = (s.t - ref) / 1e6 - tm;
    stt += w[i] * dt * dt;
    sto += w[i] * dt * (s.offset - base - om);
  });
  const b = sto / (stt + 1 / priorPpm ** 2);
  const slopeSd = 1 / Math.sqrt(stt + 1 / priorPpm ** 2);
  const a = base + om - b * tm; // offset at t = ref
  let res = 0;
  used.forEach((s, i) => {
    const e = s.offset - (a + b * (s.t - ref) / 1e6);
    res += w[i] * e * e;
  });
  return { ref, a, b, driftKnown, slopeSd, halfRtt, residual: Math.sqrt(res / sw), newest, minRtt };
}

export class ClockSync {
  /**
   * @param {object} io
   * @param {() => number} io.now client clock, µs
   * @param {(text: string) => boolean|void} io.send sends a frame; false = not connected
   * @param {(fn: Function, ms: number) => any} [io.setTimeout]
   * @param {(handle: any) => void} [io.clearTimeout]
   * @param {(cs: ClockSync) => void} [io.onUpdate] called after each accepted sample
   * @param {object} [options] see DEFAULTS
   */
  constructor({ now, send, setTimeout: st = globalThis.setTimeout, clearTimeout: ct = globalThis.clearTimeout,
    onUpdate = () => {} }, options = {}) {
    this.now = now;
    this.send = send;
    this._setTimeout = (fn, ms) => st(fn, ms); // called unbound: window.setTimeout needs no `this`
    this._clearTimeout = (h) => ct(h);
    this.onUpdate = onUpdate;
    this.opt = { ...DEFAULTS, ...options };
    this.samples = [];
    this.model = null;
    this.pending = new Map();
    this.nextId = 1;
    this.timer = null;
    this.smooth = false;
    this.lag = 0; // smooth mode: published minus model (µs)
    this.lastOut = -Infinity;
    this.lastC = -Infinity;
    this.restored = null; // model loaded from storage, used until the first sample
    this.snaps = 0; // smooth mode: times the published time was set to the model at once
  }

  /** Start: a burst now, then periodic bursts. */
  start() {
    this.stop();
    this.resync();
    const started = this.now();
    const loop = () => {
      const warm = this.now() - started < this.opt.warmupMs * 1000;
      const period = warm ? this.opt.warmupPeriodMs : this.opt.periodMs;
      this.timer = this._setTimeout(() => {
        this._burst(this.opt.periodicBurst);
        loop();
      }, period);
    };
    loop();
  }

  stop() {
    if (this.timer !== null) this._clearTimeout(this.timer);
    this.timer = null;
  }

  /** A full burst now (on join and after a reconnect). */
  resync() {
    this._burst(this.opt.burst);
  }

  _burst(n) {
    for (let i = 0; i < n; i++) this._setTimeout(() => this._request(), i * this.opt.burstSpacingMs);
  }

  _request() {
    const id = this.nextId++;
    const t0 = Math.round(this.now());
    const horizon = t0 - this.opt.replyTimeoutMs * 1000;
    for (const [k, v] of this.pending) if (v < horizon) this.pending.delete(k);
    if (this.send(make.sync(id, t0)) === false) return;
    this.pending.set(id, t0);
  }

  /** Feed a sync_reply ({id, t0, t1, t2}); t3 defaults to now(). Returns true if used. */
  handleReply(msg, t3 = this.now()) {
    const t0 = this.pending.get(msg.id);
    if (t0 === undefined || t0 !== msg.t0) return false; // unknown, duplicate or forged
    this.pending.delete(msg.id);
    const s = measure(msg.t0, msg.t1, msg.t2, t3);
    if (s.rtt > this.opt.replyTimeoutMs * 1000) return false;
    this.addSample(s);
    return true;
  }

  /** Add a measured sample {t, offset, rtt} (µs) and refit. */
  addSample(s) {
    this.samples.push(s);
    const horizon = s.t - this.opt.windowMs * 1000;
    while (this.samples.length > this.opt.maxSamples || (this.samples.length && this.samples[0].t < horizon)) {
      this.samples.shift();
    }
    this.model = fitModel(this.samples, { driftSpanUs: this.opt.driftSpanMs * 1000, sigmaMinUs: this.opt.sigmaMinUs,
      quantile: this.opt.quantile, priorPpm: this.opt.priorPpm });
    this.restored = null;
    this.onUpdate(this);
  }

  get ready() {
    return this.model !== null || this.restored !== null;
  }

  _activeModel() {
    return this.model ?? this.restored;
  }

  _raw(c) {
    const m = this._activeModel();
    return c + m.a + m.b * (c - m.ref) / 1e6;
  }

  /** Raw model at client time c: {serverUs, boundUs}, or null before any sample. */
  estimate(c = this.now()) {
    const m = this._activeModel();
    if (!m) return null;
    const ppm = m.driftKnown ? Math.max(this.opt.knownDriftPpm, 3 * (m.slopeSd ?? 0)) : this.opt.unknownDriftPpm;
    const age = Math.abs(c - m.newest);
    const bound = m.halfRtt + 2 * m.residual + ppm * age / 1e6 + (m.extraBound ?? 0);
    return { serverUs: this._raw(c), boundUs: Math.ceil(bound) };
  }

  /** Current error bound (µs), Infinity before any sample. */
  errorBound(c = this.now()) {
    const e = this.estimate(c);
    return e ? e.boundUs + (this.smooth ? Math.abs(this.lag) : 0) : Infinity;
  }

  /**
   * Server time (µs) at client time c, for playback: slewed in smooth mode,
   * and never smaller than a value returned before for a later-or-equal c.
   */
  serverTime(c = this.now()) {
    if (!this.ready) return null;
    const target = this._raw(c);
    if (c < this.lastC) return target; // a look back: not part of the published path
    let out = target;
    if (this.smooth && Number.isFinite(this.lastC)) {
      // follow the model at most maxSlewPpm faster or slower than its own rate
      const dt = c - this.lastC;
      const rate = 1 + this.driftPpm / 1e6;
      const lo = this.lastOut + dt * (rate - this.opt.maxSlewPpm / 1e6);
      const hi = this.lastOut + dt * (rate + this.opt.maxSlewPpm / 1e6);
      out = Math.min(Math.max(target, lo), hi);
      const off = Math.abs(out - target);
      if (off - this.estimate(c).boundUs > this.opt.snapUs) {
        out = target; // known wrong: see the contract (snapUs)
        this.snaps++;
      }
    }
    this.lastC = c;
    this.lastOut = out;
    this.lag = out - target;
    return out;
  }

  /** Client time (µs) at which the (raw) model reads server time s. */
  clientTimeAt(s) {
    const m = this._activeModel();
    if (!m) return null;
    // s = c + a + b (c - ref)/1e6  =>  c = (s - a + b ref/1e6) / (1 + b/1e6)
    const k = 1 + m.b / 1e6;
    return (s - m.a + m.b * m.ref / 1e6) / k;
  }

  /** Smooth mode on (playing: slew model changes) or off (apply them at once). */
  setSmooth(on) {
    this.smooth = on;
    if (!on) this.lag = 0;
  }

  /** Drift of the client clock against the server (ppm), 0 until known. */
  get driftPpm() {
    return this._activeModel()?.b ?? 0;
  }

  /** The model for storage (JSON-ready), or null. */
  toJSON() {
    const m = this._activeModel();
    if (!m) return null;
    const c = this.now();
    return { ref: m.ref, a: m.a, b: m.b, driftKnown: m.driftKnown, slopeSd: m.slopeSd, halfRtt: m.halfRtt, residual: m.residual,
      newest: m.newest, minRtt: m.minRtt, savedAt: c, extraBound: m.extraBound ?? 0 };
  }

  /**
   * Use a stored model until fresh samples arrive. `extraBoundUs` widens the bound
   * (e.g. a reload re-reads the wall clock: allow for its steps).
   */
  restore(json, { extraBoundUs = 0 } = {}) {
    if (!json || typeof json.a !== 'number' || typeof json.ref !== 'number') return false;
    this.restored = { ...json, extraBound: (json.extraBound ?? 0) + extraBoundUs };
    return true;
  }
}
