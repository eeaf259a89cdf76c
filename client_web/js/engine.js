/**
 * Web Audio playback engine: the shell around playplan.js (what to schedule) and
 * timemap.js (the clock maths); the player interface is engineapi.js.
 *
 * Every `tickMs` it observes the audio clock (audioclock.js), builds the ideal
 * map "show sample -> AudioContext time" from
 *   server time (clocksync.js, smooth while playing) -> performance time
 *   -> heard context time (getOutputTimestamp, else a plausible latency)
 *   - the manual offset (Bluetooth),
 * asks the planner what to do, and does it: decode segments just in time (from
 * the verified bytes), start AudioBufferSourceNodes back to back at the trimmed
 * rate, fade runs in and out, release buffers. Abort fades everything out.
 *
 * It reports (for the status message and the tests): the server time at which
 * sample 0 was heard (`firstSample`), the position being heard, the output
 * latency, and with `probe` an AudioWorklet that timestamps every click it
 * hears (sample frame -> context time -> server time).
 */
import { Planner, idealSample, scheduleAheadFor } from './playplan.js';
import { AudioClock, latencyReadsCanBlock } from './audioclock.js';
import { START_SYNC_BOUND_US, idealMap, heardClientUs, heardCtxNow, sampleToUs, mayAnchor, mapEpoch,
  trimWindow, outputLostMs } from './timemap.js';

export { START_SYNC_BOUND_US };

export class WebAudioEngine {
  /**
   * @param {object} o
   * @param {AudioContext} o.ctx an unlocked (running) context
   * @param {import('./clocksync.js').ClockSync} o.clock
   * @param {object} o.group the manifest group
   * @param {number} o.sampleRate the manifest sample rate
   * @param {(path: string) => Promise<ArrayBuffer|null>} o.bytesOf verified bytes of a bundle file
   * @param {() => number} o.offsetMs manual offset: how late this device's sound is heard (ms)
   * @param {boolean} [o.probe] timestamp clicks (tests)
   */
  constructor({ ctx, clock, group, sampleRate, bytesOf, offsetMs = () => 0, probe = false, tickMs = 100,
    syncWaitMs = 2500 }) {
    this.name = 'webaudio';
    this.ctx = ctx;
    this.clock = clock;
    this.group = group;
    this.sr = sampleRate;
    this.bytesOf = bytesOf;
    this.offsetMs = offsetMs;
    this.tickMs = tickMs;
    this.syncWaitMs = syncWaitMs;
    this.stableWaitS = 3;
    this.audioClock = new AudioClock();
    this.master = ctx.createGain();
    this.master.connect(ctx.destination);
    this.buffers = new Map();
    this.runs = new Map(); // run -> {gain, sources: []}
    this.planner = null;
    this.show = null;
    this.timer = null;
    this.report = { firstSample: null, clicks: [], reanchors: 0, decodeErrors: 0, runs: [], outputStops: [] };
    // the platform's output stops (docs/playback.md, "The platforms' traps"): the context time
    // the audio clock was last restarted at (0: the context's start), whether the output is down
    this.epochCtx = 0;
    this.outputDown = null;
    this.lastRunning = null;
    this.guard = {
      // Gecko on desktop Linux: no latency reading at all (it can block the page for seconds)
      readLatency: !latencyReadsCanBlock(globalThis.navigator?.userAgent),
      outputLatency: undefined, nextLatencyAt: 0, nextStampAt: 0, latencyEveryMs: 2000, slowCallMs: 50, settleS: 1,
      noLatency: 0, slow: {},
      backoff(what) {
        this.slow[what] = Math.min(5, (this.slow[what] || 0) + 1);
        return 2000 * 2 ** (this.slow[what] - 1);
      },
    };
    this.probeReady = probe ? this._installProbe() : Promise.resolve();
    this.keepAwake = this._keepAwake();
    this.idleTimer = setInterval(() => this._idleObserve(), 1000);
    this._idleObserve();
  }

  async _installProbe() {
    try {
      await this.ctx.audioWorklet.addModule(new URL('./probe-worklet.js', import.meta.url));
      const node = new AudioWorkletNode(this.ctx, 'flashmob-probe');
      this.master.disconnect();
      this.master.connect(node).connect(this.ctx.destination);
      node.port.onmessage = (ev) => {
        const ctxTime = ev.data.frame / this.ctx.sampleRate;
        this.report.clicks.push({ ctx: ctxTime, serverUs: this.serverUsAtCtx(ctxTime) });
      };
    } catch (e) {
      this.report.probeError = String(e);
    }
  }

  /** Server time (µs) at which the frame of context time t is heard (by `source`: default the trusted one). */
  serverUsAtCtx(t, source) {
    if (!this.audioClock.ready) this._observe();
    const clientUs = heardClientUs(this.audioClock.perfAt(t, source), performance.timeOrigin, this.offsetMs());
    return clientUs === null ? null : this.clock.estimate(clientUs).serverUs;
  }

  /**
   * One reading of the audio clock. Where those readings can block the main thread for
   * seconds (`latencyReadsCanBlock`: Gecko on desktop Linux) only currentTime is read, and
   * the latency is the unknown interval's middle, its bound saying so. Elsewhere
   * outputLatency is read first and at most every
   * `latencyEveryMs` (Gecko answers it with a synchronous cubeb_stream_get_latency()
   * on the main thread until it has a non-zero value, and getOutputTimestamp()
   * reads it twice); any call that
   * takes more than `slowCallMs` is backed off (2 s, doubling up to 32 s); a
   * timestamp that keeps saying "no latency" (Gecko's construction) is read every 2 s.
   * Neither is read during the context's first second (its output stream is starting).
   * Then currentTime, getOutputTimestamp() and performance.now(), back to back.
   */
  _observe() {
    const ctx = this.ctx;
    const g = this.guard;
    let t0 = performance.now();
    // not while the output stream starts (the context's first second): Gecko's latency
    // query then waits on the stream's initialisation, on the main thread
    const young = !(ctx.currentTime - this.epochCtx >= g.settleS);
    if (young) {
      g.nextLatencyAt = Math.max(g.nextLatencyAt, t0);
      g.nextStampAt = Math.max(g.nextStampAt, t0);
    }
    if (g.readLatency && !young && t0 >= g.nextLatencyAt) {
      g.outputLatency = typeof ctx.outputLatency === 'number' ? ctx.outputLatency : undefined;
      const took = performance.now() - t0;
      // a 0 is not cached by Gecko (the next read queries the device again): back off on it too
      const slow = took > g.slowCallMs || g.outputLatency === 0;
      if (!slow) g.slow.latency = 0;
      g.nextLatencyAt = t0 + (slow ? g.backoff('latency') : g.latencyEveryMs);
    }
    const currentTime = ctx.currentTime;
    let ts;
    t0 = performance.now();
    if (g.readLatency && !young && typeof ctx.getOutputTimestamp === 'function' && t0 >= g.nextStampAt) {
      ts = ctx.getOutputTimestamp();
      const took = performance.now() - t0;
      if (took > g.slowCallMs) g.nextStampAt = t0 + g.backoff('stamp');
    }
    const perfNow = performance.now();
    const fault = this.audioClock.add({ ts, currentTime, perfNow, outputLatency: g.outputLatency,
      baseLatency: ctx.baseLatency, sampleRate: ctx.sampleRate });
    g.noLatency = fault === 'no-latency' ? g.noLatency + 1 : 0;
    if (g.noLatency >= 3) g.nextStampAt = perfNow + 2000;
    if (this.lastCurrentTime !== currentTime) {
      this.lastCurrentTime = currentTime;
      this.currentTimeSince = perfNow;
    }
  }

  /**
   * Keep the output path running from the tap until the page closes: an inaudible
   * constant (2^-20, -120 dBFS) into the destination. An idle context lets engines stop
   * their output stream (Gecko falls back to a system-clock driver, WebKitGTK's GStreamer
   * sink pauses), and the first tens of ms after it restarts are lost or late - measured:
   * WebKitGTK's click on sample 0 went missing while the one at 1 s played. Not zero,
   * since a silent graph may be detected as such and its device stopped as well.
   */
  _keepAwake() {
    try {
      const src = typeof this.ctx.createConstantSource === 'function' ? this.ctx.createConstantSource() : null;
      if (!src) return null;
      src.offset.value = 2 ** -20;
      src.connect(this.ctx.destination);
      src.start();
      return src;
    } catch {
      return null;
    }
  }

  /**
   * Observe the audio clock at rest (once a second until a show plays): the clock is
   * settled before the start, and Gecko's latency cache is filled while nothing else
   * happens (its first outputLatency read queries the device on the main thread).
   */
  _idleObserve() {
    if (this.timer || this.ctx.state !== 'running') return;
    this._observe();
  }

  /**
   * Why this page's output timing cannot be trusted now, or null (participant.js turns
   * it into status.trouble = "timing" and tells the person what to do):
   * - 'audio-clock-stalled': the context says running but currentTime has not moved for 2 s;
   * - 'output-timing-implausible': the stamp line had to be thrown away again and again
   *   (more than 5 times this show: an engine whose stamps contradict themselves).
   */
  timingTrouble() {
    if (this.ctx.state === 'running' && this.currentTimeSince !== undefined
        && performance.now() - this.currentTimeSince > 2000 && this.timer) return 'audio-clock-stalled';
    if ((this.audioClock.faults['line-impossible'] || 0) > 5) return 'output-timing-implausible';
    return null;
  }

  /** The ideal map: ctx time of each show sample, from the clock models now. */
  idealMap() {
    const perfNow = performance.now();
    return idealMap({ perfNow, serverNowUs: this.clock.serverTime((performance.timeOrigin + perfNow) * 1000),
      driftPpm: this.clock.driftPpm, startAtUs: this.show.start_at_us, sampleRate: this.sr,
      offsetMs: this.offsetMs(), ctxAtPerf: (p) => this.audioClock.ctxAt(p) });
  }

  /** Play the show `show` (absolute start): from its start, or joining where it is. */
  play(show) {
    if (this.show && this.show.start_at_us === show.start_at_us && this.timer) return;
    this.stopNow();
    this.show = show;
    this.report.firstSample = null; // a new show: its own first sample
    this.report.clicks = [];
    this.report.runs = [];
    this.lastRun = undefined;
    this.seen = undefined;
    this.planner = new Planner({ segments: this.group.segments, sampleRate: this.sr, silences: this.group.silences });
    this.clock.setSmooth(true);
    this.syncWaitUntil = 0;
    if (!(this.clock.errorBound() <= START_SYNC_BOUND_US)) {
      this.clock.resync(); // a burst now: the page is idle (downloads done), its replies are timed promptly
      this.syncWaitUntil = performance.now() + this.syncWaitMs;
    }
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  tick() {
    if (!this.planner || this.ctx.state === 'closed') return;
    this._timerGap();
    if (this.ctx.state !== 'running') {
      // 'suspended' by the platform, or WebKit's 'interrupted' (a call, Siri, an alarm): what is
      // scheduled would play late by the interruption; drop it, keep the position by the clock
      if (!this.outputDown) this._outputStopped(this.ctx.state);
      // never resume an interrupted context: refused while the interruption lasts, and a refused
      // resume can leave iOS's context 'running' with a frozen currentTime (lifecycle.js)
      if (this.ctx.state !== 'interrupted') this.ctx.resume().catch(() => {});
      return;
    }
    // the last reading at which the context's time moved: a context 'running' with a frozen
    // currentTime (a frozen page; iOS after a refused resume) loses what it stood still
    // (detected after 1 s standing still; restarted once its time moves again)
    const reading = { perfNow: performance.now(), ctxTime: this.ctx.currentTime };
    const moved = !this.lastRunning || reading.ctxTime !== this.lastRunning.ctxTime;
    const lost = outputLostMs(this.lastRunning, reading);
    if (lost && !this.outputDown) this._outputStopped('frozen', lost);
    if (moved) this.lastRunning = reading;
    if (this.outputDown) {
      if (!moved) return;
      this._outputRestarted();
    }
    this._observe();
    // a fresh context (a reload mid-show): no latency is read in its first second (see
    // _observe), so nothing is scheduled before its readings are; then a few quanta more
    // a first run: on steady output stamps (AudioClock.stable), for at most stableWaitS of
    // context time; and not on a poor clock sync while a burst may still improve it
    // (START_SYNC_BOUND_US): timemap.js mayAnchor
    if (!mayAnchor({ settled: this.audioClock.settled, stable: this.audioClock.stable,
      ctxTime: this.ctx.currentTime - this.epochCtx,
      settleS: this.guard.settleS, stableWaitS: this.stableWaitS, hasRuns: this.report.runs.length > 0 && !this.restarted,
      syncBoundUs: this.clock.errorBound(), nowMs: performance.now(), syncWaitUntilMs: this.syncWaitUntil })) return;
    const map = this.idealMap();
    const now = this.ctx.currentTime;
    // the map jumped: the published server time was set to its model (ClockSync snaps), the
    // reading trusted for the output changed (a fallback, then the stamps), or the stamp line
    // restarted (a glitch delayed the output: faults.jump, or the currentTime line moved
    // later: faults.shift; an impossible line): follow it now
    // rather than trim it away over tens of seconds (a glitch at the start of a fresh context
    // left an offline reload's start 25-30 ms late, measured by the sound)
    const seen = mapEpoch(this.clock.snaps, this.audioClock.source, this.audioClock.faults);
    if (seen !== this.seen) {
      if (this.seen !== undefined) this.planner.reanchor();
      this.seen = seen;
    }
    this.restarted = false;
    const act = this.planner.tick(now, map);
    if (act.stopRun) {
      this._stopRuns(act.stopRun.atCtx, act.stopRun.fadeS);
      // a first sample scheduled but not played yet is scheduled again by the new run
      const f = this.report.firstSample;
      if (f && !f.confirmed && f.ctx > act.stopRun.atCtx) this.report.firstSample = null;
    }
    for (const i of act.release) this.buffers.delete(i);
    for (const i of act.decode) this._decode(i);
    for (const e of act.start) {
      if (this._start(e) && e.run !== this.lastRun) {
        // each run's anchor, with the clock it was anchored on (diagnostics: report().runs)
        this.lastRun = e.run;
        this.report.runs.push({ run: e.run, startCtx: e.startCtx, sample: this.group.segments[e.index].first_sample
          + e.offsetSamples, syncBoundUs: Math.round(this.clock.errorBound()), lagUs: Math.round(this.clock.lag),
          clockSnaps: this.clock.snaps, errorS: this.planner.lastError, ctx0: map.ctx0,
          boundUs: Math.round(this.clock.errorBound() + this.audioClock.boundMs() * 1000),
          source: this.audioClock.source, stamps: this.audioClock.lines.timestamp.length,
          faults: { ...this.audioClock.faults }, ctxTime: now });
        if (this.report.runs.length > 20) this.report.runs.splice(1, 1); // the first and the last 19
      }
    }
    this.report.reanchors = this.planner.stats.reanchors;
    const f = this.report.firstSample;
    if (f && !f.confirmed && now > f.ctx + 0.3) this._confirmFirst(f);
    this.map = map;
  }

  /**
   * The longest interval between this engine's ticks over the last 30 ticks: a throttled timer
   * (a hidden page, a battery saver) makes the planner schedule further ahead
   * (playplan.js scheduleAheadFor). report().tickGapMs keeps the longest seen.
   */
  _timerGap() {
    const t = performance.now();
    if (this.lastTickAt !== undefined) {
      const gaps = (this.tickGaps ||= []);
      gaps.push(t - this.lastTickAt);
      if (gaps.length > 30) gaps.shift();
      const worst = Math.max(...gaps);
      this.report.tickGapMs = Math.max(this.report.tickGapMs || 0, Math.round(worst));
      this.planner.o.scheduleAheadS = scheduleAheadFor(worst / 1000);
    }
    this.lastTickAt = t;
  }

  /**
   * The output stopped (`why`: the context's state, or 'frozen' when its time stood still while
   * it said running: `lostMs`). The runs are stopped and the plan forgotten: the show's position
   * is kept by the clock sync, not by the audio, and a new run is anchored once the output runs
   * again (`_outputRestarted`).
   */
  _outputStopped(why, lostMs = null) {
    const at = this.ctx.currentTime;
    this._stopRuns(at, 0.01);
    this.planner?.drop();
    const f = this.report.firstSample;
    if (f && !f.confirmed) this.report.firstSample = null;
    this.outputDown = { why, at, perf: performance.now(), lostMs };
  }

  /**
   * The output runs again after a stop: the audio clock's line (context time -> heard time) is
   * off by the time the output was stopped, so it starts afresh, as on a new context (nothing
   * is scheduled before it has run `settleS` again and settled); the next tick re-anchors.
   */
  _outputRestarted() {
    const d = this.outputDown;
    this.outputDown = null;
    this.audioClock = new AudioClock();
    this.epochCtx = this.ctx.currentTime;
    this.guard.nextLatencyAt = 0;
    this.guard.nextStampAt = 0;
    this.seen = undefined;
    // anchored as a first run: the fresh clock's first readings are rough (a currentTime envelope of
    // a few observations; Blink's first stamps), so wait for steady ones as at the start
    this.restarted = true;
    this.report.outputStops.push({ why: d.why, atCtx: d.at, downMs: Math.round(performance.now() - d.perf),
      lostMs: d.lostMs === null ? null : Math.round(d.lostMs), restartCtx: this.epochCtx });
    if (this.report.outputStops.length > 20) this.report.outputStops.splice(0, 1);
  }

  /** The platform stopped the output or froze the page (participant.js: pageshow from the back-forward cache). */
  outputInterrupted(why) {
    if (this.planner) {
      if (!this.outputDown) this._outputStopped(why);
      return;
    }
    // at rest (before the show): nothing to stop, but the audio clock's line is off by the freeze
    this.audioClock = new AudioClock();
    this.epochCtx = this.ctx.currentTime;
    this.report.outputStops.push({ why, atCtx: this.epochCtx, downMs: null, lostMs: null, restartCtx: this.epochCtx,
      atRest: true });
  }

  async _decode(index) {
    const seg = this.group.segments[index];
    try {
      const bytes = await this.bytesOf(seg.path);
      if (!bytes) throw new Error(`${seg.path} is not downloaded`);
      let buf = await this.ctx.decodeAudioData(bytes.slice(0));
      buf = this._trim(buf, seg);
      this.buffers.set(index, buf);
      this.planner?.decoded(index);
    } catch (e) {
      this.report.decodeErrors++;
      this.report.lastError = String(e);
      this.planner?.decodeFailed(index);
    }
  }

  /**
   * Cut a decoded segment to exactly its samples. Decoders differ in what they add
   * around an MP3 without honouring its LAME tag (measured, docs/playback.md):
   * Blink returns the exact samples; Gecko keeps the encoder delay (576) at the start
   * and drops the decoder's 529 (length: samples + delay + padding - 529); GStreamer's
   * mpg123 keeps both (samples + delay + padding). In every case the tail is the
   * padding minus the decoder delay, so the lead is what is left of the extra frames:
   * lead = extra - (padding - 529), within [0, extra]. (Trimming a fixed 1105, as
   * before, cut 529 frames too many in Firefox: its sound came 11 ms early at 48 kHz.)
   */
  _trim(buf, seg) {
    const w = trimWindow(buf.length, buf.sampleRate, seg, this.sr); // timemap.js
    if (!w) return buf;
    const { lead, want } = w;
    const out = this.ctx.createBuffer(buf.numberOfChannels, want, buf.sampleRate);
    for (let c = 0; c < buf.numberOfChannels; c++) out.copyToChannel(buf.getChannelData(c).subarray(lead, lead + want), c);
    return out;
  }

  _run(run, entry) {
    let r = this.runs.get(run);
    if (!r) {
      const gain = this.ctx.createGain();
      gain.connect(this.master);
      if (entry.fadeIn) {
        gain.gain.setValueAtTime(0, entry.startCtx);
        gain.gain.linearRampToValueAtTime(1, entry.startCtx + 0.03);
      }
      r = { gain, sources: [] };
      this.runs.set(run, r);
    }
    return r;
  }

  _start(e) {
    const buf = this.buffers.get(e.index);
    if (!buf) return false;
    const r = this._run(e.run, e);
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.playbackRate.value = e.rate;
    src.connect(r.gain);
    src.start(e.startCtx, e.offsetSamples / this.sr);
    r.sources.push(src);
    src.onended = () => {
      r.sources = r.sources.filter((s) => s !== src);
    };
    if (e.index === 0 && e.offsetSamples === 0 && !this.report.firstSample) {
      // a start time already rendered plays at the next render quantum
      const at = Math.max(e.startCtx, this.ctx.currentTime);
      this.report.firstSample = { ctx: at, serverUs: this.serverUsAtCtx(at), scheduledAtCtx: this.ctx.currentTime,
        lateStartS: at - e.startCtx };
    }
    return true;
  }

  /**
   * The page's account of its first sample, 0.3 s after it (the audio clock has
   * seen it play): when it was heard in server time, by which reading, and the
   * error bound of that account - the clock sync's bound plus the output timing's
   * (audioclock.js boundMs) - with what every other reading would have said
   * (`candidates`, server µs) for the cross-check of docs/playback.md.
   */
  _confirmFirst(f) {
    const ac = this.audioClock;
    f.serverUs = this.serverUsAtCtx(f.ctx);
    f.source = ac.source;
    const syncUs = this.clock.errorBound();
    f.syncBoundUs = Number.isFinite(syncUs) ? Math.round(syncUs) : null;
    f.outputBoundUs = Math.round(ac.boundMs() * 1000);
    f.boundUs = f.syncBoundUs === null ? null : f.syncBoundUs + f.outputBoundUs;
    f.candidates = {};
    for (const k of Object.keys(ac.candidates(f.ctx))) f.candidates[k] = this.serverUsAtCtx(f.ctx, k);
    f.faults = { ...ac.faults };
    f.ctxRate = this.ctx.sampleRate;
    f.outputLatency = this.guard.outputLatency ?? null;
    f.baseLatency = this.ctx.baseLatency ?? null;
    f.confirmed = true;
  }

  /** Error bound (µs) of the page's account of its start, or null before it started. */
  startBoundUs() {
    return this.report.firstSample?.boundUs ?? null;
  }

  _stopRuns(atCtx, fadeS) {
    for (const [run, r] of this.runs) {
      r.gain.gain.cancelScheduledValues(atCtx);
      r.gain.gain.setValueAtTime(r.gain.gain.value, atCtx);
      r.gain.gain.linearRampToValueAtTime(0, atCtx + fadeS);
      for (const s of r.sources) {
        try {
          s.stop(atCtx + fadeS + 0.01);
        } catch { /* not started */ }
      }
      this.runs.delete(run);
    }
  }

  /** Position being heard now (µs), or null. */
  positionUs() {
    if (!this.planner || !this.audioClock.ready) return null;
    const heardCtx = heardCtxNow((p) => this.audioClock.ctxAt(p), performance.now(), this.offsetMs());
    return sampleToUs(this.planner.scheduledSampleAt(heardCtx), this.sr);
  }

  outputLatencyUs() {
    if (!this.audioClock.ready) return null;
    const l = this.audioClock.latencyMs(this.ctx.currentTime, performance.now());
    return l === null ? null : Math.max(0, Math.round(l * 1000));
  }

  get playing() {
    return this.timer !== null;
  }

  /** Fade out over `fadeS` and stop (abort, cancel). */
  stop({ fadeS = 1.5 } = {}) {
    const t = this.ctx.currentTime;
    this._stopRuns(t, fadeS);
    this._halt();
  }

  stopNow() {
    this._stopRuns(this.ctx.currentTime, 0.01);
    this._halt();
  }

  _halt() {
    clearInterval(this.timer);
    this.timer = null;
    this.outputDown = null;
    this.lastRunning = null;
    this.restarted = false;
    this.lastTickAt = undefined;
    this.tickGaps = [];
    this.planner = null;
    this.show = null;
    this.buffers.clear();
    this.clock.setSmooth(false);
  }
}

/** A short test tone (sine, 0.4 s, with fades) on an unlocked context. */
export function playTestTone(ctx, { freq = 660, seconds = 0.4 } = {}) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  const t = ctx.currentTime + 0.02;
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0, t);
  gain.gain.linearRampToValueAtTime(0.5, t + 0.03);
  gain.gain.setValueAtTime(0.5, t + seconds - 0.05);
  gain.gain.linearRampToValueAtTime(0, t + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(t);
  osc.stop(t + seconds + 0.02);
}

/**
 * An AudioContext unlocked inside a user gesture (call it from the tap handler),
 * at the output device's own rate. `sampleRate` (the bundle's) is deliberately
 * not forced on the context: when the context's rate differs from the device's,
 * Blink resamples between the graph and the device and its output timestamps do
 * not count that stage (AudioDestination::RequestRender stamps device frames:
 * the sound came out ~10 ms later than the page computed at 44.1 kHz with a
 * 48 kHz context, docs/playback.md); decodeAudioData resamples each segment to
 * the context's rate instead (the spec's behaviour in every engine), and
 * positions stay exact because the planner works in seconds.
 * Returns null without Web Audio.
 */
export function createUnlockedContext(sampleRate) { // eslint-disable-line no-unused-vars
  const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
  if (!AC) return null;
  let ctx;
  try {
    ctx = new AC({ latencyHint: 'playback' });
  } catch {
    ctx = new AC();
  }
  // a silent buffer started inside the gesture unlocks iOS
  const b = ctx.createBuffer(1, 1, ctx.sampleRate);
  const s = ctx.createBufferSource();
  s.buffer = b;
  s.connect(ctx.destination);
  s.start(0);
  ctx.resume().catch(() => {});
  return ctx;
}

export { idealSample };
