/**
 * "Check my sound" and the manual offset, the shell around soundcheck.js.
 *
 * On the wait screen the person may (never must) check their sound: the page
 * explains first, then asks for the microphone (getUserMedia, only then), plays
 * PROBE.count chirps into the speaker while an AudioWorklet records the microphone
 * into the same AudioContext, finds the round trip, removes the input latency
 * the platform reports (soundcheck.js `inputLatency`) and proposes the offset
 * that makes the page's belief match the measurement. The person accepts it,
 * adjusts by ear against the reference click (a click on every whole second of
 * the conductor's clock: every phone in the crowd clicks together), or skips.
 *
 * The offset is remembered per output (soundcheck.js `outputKey`: Bluetooth,
 * headphones, speaker, with the device label where the platform gives one) in
 * the Keeper (`offsets`), and the one of the output in use is `offset_ms`, which
 * both engines apply. When the output looks like Bluetooth (a label, or an
 * `outputLatency` jump) the page says so and offers presets.
 *
 * Test hooks: `window.flashmob.soundcheck` (the last check's numbers);
 * `?acoustic_ms=N` tells the check the speaker-to-microphone path (ms) of the
 * test rig (a phone's is PHONE_ACOUSTIC_MS).
 */
import * as SC from './soundcheck.js';
import { OUTPUT, OFFSET_HOW } from './wire.js';

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class SoundCheckUi {
  /**
   * @param {object} o
   * @param {() => AudioContext|null} o.ctx the page's (unlocked) context
   * @param {() => object|null} o.engine the page's engine (its audioClock is the belief)
   * @param {import('./clocksync.js').ClockSync} o.clock
   * @param {import('./storage.js').Keeper} o.keeper
   * @param {() => Function} o.t the current translator
   * @param {() => void} o.changed called when the offset or the output changed
   * @param {number} [o.acousticMs] speaker-to-microphone path (ms)
   */
  constructor({ ctx, engine, clock, keeper, t, changed, acousticMs = SC.PHONE_ACOUSTIC_MS }) {
    Object.assign(this, { ctxOf: ctx, engineOf: engine, clock, keeper, t, changed, acousticMs });
    this.output = { kind: OUTPUT.UNKNOWN, label: null, key: SC.outputKey(OUTPUT.UNKNOWN, null), why: null };
    this.last = null; // the last check's numbers (tests, and the result shown)
    this.state = 'idle'; // idle | explain | running | result | failed
    this.refTimer = null;
    this.lastLatencyS = null;
  }

  /** Wire the buttons; watch the output (devicechange, outputLatency jumps). */
  mount() {
    $('soundcheck-open').addEventListener('click', () => { this.state = 'explain'; this.render(); });
    $('soundcheck-start').addEventListener('click', () => this.run());
    $('soundcheck-skip').addEventListener('click', () => { this.state = 'idle'; this.render(); });
    $('soundcheck-accept').addEventListener('click', () => {
      if (this.last?.proposedOffsetMs != null) this.setOffset(this.last.proposedOffsetMs, OFFSET_HOW.MEASURED);
      this.state = 'idle';
      this.render();
    });
    $('soundcheck-ear').addEventListener('click', () => this.toggleReference());
    for (const b of document.querySelectorAll('[data-bt-preset]')) {
      b.addEventListener('click', () => this.setOffset(Number(b.dataset.btPreset), OFFSET_HOW.PRESET));
    }
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.detectOutput());
    this.detectOutput();
  }

  /** The applied offset (ms) and how it was chosen (null: none applied), and the output. */
  applied() {
    const ms = this.keeper.get('offset_ms', 0);
    const e = SC.rememberedOffset(this.keeper.get('offsets', {}), this.output.key);
    // an offset from before offsets were kept per output: set by hand
    return { ms, how: ms ? (e?.how || OFFSET_HOW.MANUAL) : null, output: this.output.kind };
  }

  /** The status message's fields (docs/protocol.md, "status"): offset_ms, offset_how, output. */
  statusFields() {
    const a = this.applied();
    return { offset_ms: a.ms, offset_how: a.how, output: a.output };
  }

  /** Apply `ms` to the output in use and remember it under that output. */
  setOffset(ms, how) {
    const v = SC.clampOffset(ms);
    const offsets = { ...this.keeper.get('offsets', {}), [this.output.key]: { ms: v, how, at: Date.now() } };
    this.keeper.set({ offset_ms: v, offsets });
    this.changed();
    this.render();
  }

  /** Add `d` ms (the −100/−10/+10/+100 buttons: by ear). */
  nudge(d) {
    this.setOffset(this.keeper.get('offset_ms', 0) + d, OFFSET_HOW.EAR);
  }

  async detectOutput() {
    let labels = [];
    try {
      const devs = await navigator.mediaDevices.enumerateDevices();
      labels = devs.filter((d) => d.kind === 'audiooutput').map((d) => d.label);
    } catch { /* no enumeration: unknown */ }
    const kind = SC.classifyOutput(labels);
    const label = labels.find((l) => /^default\b/i.test(l || '')) || labels.find((l) => l) || null;
    this.switchOutput(kind, kind === OUTPUT.UNKNOWN ? null : label, kind === OUTPUT.BLUETOOTH ? 'label' : null);
  }

  /** The engine's outputLatency reading (once a second from the page's tick). */
  watchLatency() {
    const ctx = this.ctxOf();
    const now = this.engineOf()?.guard?.outputLatency;
    if (!ctx || typeof now !== 'number') return;
    if (SC.latencyJumped(this.lastLatencyS, now) && this.output.kind !== OUTPUT.BLUETOOTH) {
      this.switchOutput(OUTPUT.BLUETOOTH, this.output.label, 'latency');
    }
    this.lastLatencyS = now;
  }

  switchOutput(kind, label, why) {
    const key = SC.outputKey(kind, label);
    if (key === this.output.key && why === this.output.why) return;
    const changedKey = key !== this.output.key;
    const wasUnknown = this.output.kind === OUTPUT.UNKNOWN;
    this.output = { kind, label, key, why };
    if (changedKey) { // another output: its own remembered offset (none: 0) ...
      const table = this.keeper.get('offsets', {});
      const e = SC.rememberedOffset(table, key);
      const current = this.keeper.get('offset_ms', 0);
      if (!e && wasUnknown) { // ... unless the output was only unnamed so far (labels appear with a permission)
        if (current) this.keeper.set({ offsets: { ...table, [key]: SC.rememberedOffset(table, SC.outputKey(OUTPUT.UNKNOWN, null))
          || { ms: current, how: OFFSET_HOW.MANUAL, at: Date.now() } } });
      } else if (e || this.keeper.get('offsets')) {
        this.keeper.set({ offset_ms: e ? e.ms : 0 });
      }
      this.changed();
    }
    this.render();
  }

  /**
   * Observe the audio clock every 100 ms (as while a show plays) until the returned stop is
   * called: at rest the engine observes once a second, and a belief read from a line fitted at
   * that pace was measured 20 ms off the sound (Blink, at rest) - the offset is a difference
   * against the belief, so the belief must be the one the show will have.
   */
  observeClosely() {
    const e = this.engineOf();
    if (!e || typeof e._observe !== 'function') return () => {};
    const id = setInterval(() => { if (!e.timer && this.ctxOf()?.state === 'running') e._observe(); }, 100);
    return () => clearInterval(id);
  }

  /** Until the engine's audio clock is stable (at most `ms`), observing closely. */
  async steadyBelief(ms = 3000) {
    const until = performance.now() + ms;
    await sleep(1000);
    while (performance.now() < until && !this.engineOf()?.audioClock?.stable) await sleep(100);
  }

  /** The page's belief for ctx time t: render time and heard time (performance ms), or null. */
  belief(t) {
    const ac = this.engineOf()?.audioClock;
    const f = ac?.fits?.current;
    if (!ac || !f || !ac.ready) return null;
    const render = f.p0 + (t - f.c0) * f.k;
    return { render, heard: ac.perfAt(t) };
  }

  async run() {
    const ctx = this.ctxOf();
    if (!ctx || this.state === 'running') return;
    this.state = 'running';
    this.render();
    let stream = null, node = null, src = null;
    const unwatch = this.observeClosely();
    try {
      const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio });
      } catch (e) {
        if (e?.name === 'NotAllowedError') throw e;
        stream = await navigator.mediaDevices.getUserMedia({ audio: true }); // an engine that refuses the constraints
      }
      const track = stream.getAudioTracks()[0];
      const settings = track.getSettings ? track.getSettings() : {};
      const input = SC.inputLatency({ settingsLatencyS: settings.latency ?? null, acousticMs: this.acousticMs });
      this.detectOutput(); // labels are visible now
      await ctx.audioWorklet.addModule(new URL('./soundcheck-worklet.js', import.meta.url));
      node = new AudioWorkletNode(ctx, 'flashmob-recorder', { numberOfInputs: 1, numberOfOutputs: 1,
        outputChannelCount: [1], processorOptions: { blockFrames: 4096 } });
      const blocks = [];
      node.port.onmessage = (ev) => blocks.push(ev.data);
      const timed = captureTimed(track); // Blink: capture timestamps (no input latency to estimate)
      src = ctx.createMediaStreamSource(stream);
      const mute = ctx.createGain();
      mute.gain.value = 0;
      src.connect(node).connect(mute).connect(ctx.destination); // pulled by the graph, silent
      const until = performance.now() + 5000;
      while (!blocks.length && performance.now() < until) await sleep(50);
      if (!blocks.length) throw new Error('the microphone delivered nothing');
      await this.steadyBelief(); // the capture path settles meanwhile
      const rate = ctx.sampleRate;
      const faultsBefore = { ...(this.engineOf()?.audioClock?.faults || {}) };
      const probe = SC.chirp(rate);
      const buf = ctx.createBuffer(1, probe.length, rate);
      buf.copyToChannel(probe, 0);
      const t0 = Math.ceil((ctx.currentTime + 0.2) * rate) / rate;
      const emits = [];
      const early = this.belief(t0); // the belief before the chirps: it must not move during them
      for (let k = 0; k < SC.PROBE.count; k++) {
        const s = ctx.createBufferSource();
        s.buffer = buf;
        s.connect(ctx.destination);
        const at = t0 + k * SC.PROBE.gapS;
        s.start(at);
        emits.push(Math.round(at * rate));
      }
      const endS = t0 + SC.PROBE.count * SC.PROBE.gapS + SC.PROBE.maxRoundTripS + 0.2;
      while (ctx.currentTime < endS) await sleep(50);
      await sleep(Math.ceil((4096 / rate) * 1000) + 100); // the last block
      node.port.postMessage('stop');
      const { recording, frame } = SC.assemble(blocks);
      const trips = SC.roundTrips(recording, frame, probe, emits, rate);
      const summary = SC.summarize(trips);
      const beliefs = emits.map((f) => this.belief(f / rate));
      const renderMs = beliefs.map((b) => (b ? b.render : null));
      const captured = timed ? await timed.finish(renderMs) : null;
      const fromCapture = captured ? SC.outputLatencyFromCapture(captured, renderMs, this.acousticMs) : null;
      const late = this.belief(t0);
      const beliefDriftMs = early && late ? (late.heard - late.render) - (early.heard - early.render) : null;
      // capture times are read against the currentTime line: it must not have moved; a round trip
      // is in context frames alone. Either way the belief the offset is taken against must hold still.
      const moved = (!!fromCapture && SC.lineMoved(faultsBefore, this.engineOf()?.audioClock?.faults))
        || (beliefDriftMs !== null && Math.abs(beliefDriftMs) > SC.MAX_BELIEF_DRIFT_MS);
      const found = moved ? null : fromCapture || SC.outputLatency(summary, input, rate);
      const output = found && beliefDriftMs !== null
        ? { ...found, uncertaintyMs: found.uncertaintyMs + Math.abs(beliefDriftMs) } : found;
      if (moved) summary.why = 'unsteady'; // the page's own clock moved under the check: try again
      const b0 = beliefs.find(Boolean);
      const believedMs = b0 ? b0.heard - b0.render : null;
      const toServer = (perf) => this.clock.estimate((performance.timeOrigin + perf) * 1000).serverUs;
      const boundMs = this.engineOf()?.audioClock?.boundMs?.() ?? Infinity;
      const better = !!output && SC.checkIsBetter(output.uncertaintyMs, boundMs, output.ms, believedMs);
      this.last = { rate, input, summary, output, trips, believedMs, clockMoved: moved, beliefDriftMs, boundMs: Number.isFinite(boundMs) ? boundMs : null,
        better,
        proposedOffsetMs: output && believedMs !== null
          ? (better ? SC.proposeOffset(output.ms, believedMs) : this.keeper.get('offset_ms', 0)) : null,
        renderServerUs: beliefs.map((b) => (b ? Math.round(toServer(b.render)) : null)),
        emitCtx: emits.map((f) => f / rate), settingsLatencyS: settings.latency ?? null,
        capturedServerUs: captured ? captured.map((c) => (c === null ? null : Math.round(toServer(c)))) : null,
        renderPerfMs: renderMs, capturedPerfMs: captured, timeOrigin: performance.timeOrigin,
        roundTripOutput: SC.outputLatency(summary, input, rate),
        track: track.label || null, syncBoundUs: this.clock.errorBound() };
      this.state = output && this.last.proposedOffsetMs !== null ? 'result' : 'failed';
    } catch (e) {
      this.last = { error: `${e?.name || 'Error'}: ${e?.message || e}` };
      this.state = 'failed';
    } finally {
      unwatch();
      try { src?.disconnect(); node?.disconnect(); } catch { /* gone */ }
      for (const tr of stream?.getTracks() || []) tr.stop(); // the microphone is released at once
    }
    this.render();
  }

  /**
   * A click on every whole second of the conductor's clock, heard with the applied offset
   * (the first once the audio clock, observed closely, is stable again: at most 3 s).
   */
  async toggleReference() {
    if (this.refTimer) {
      clearInterval(this.refTimer);
      this.refTimer = null;
      this.refUnwatch?.();
      this.render();
      return;
    }
    const ctx = this.ctxOf();
    const ac = this.engineOf()?.audioClock;
    if (!ctx || !ac?.ready || !this.clock.ready) return;
    const click = ctx.createBuffer(1, 6, ctx.sampleRate);
    click.getChannelData(0).fill(0.8);
    let next = null;
    this.reference = []; // what was scheduled (tests)
    const schedule = () => {
      const perfNow = performance.now();
      const serverNow = this.clock.serverTime((performance.timeOrigin + perfNow) * 1000);
      const target = next ?? Math.ceil(serverNow / 1e6 + 0.3) * 1e6;
      if (target - serverNow > 1.2e6) return;
      const heardPerf = perfNow + (target - serverNow) / 1000;
      const at = ac.ctxAt(heardPerf - this.keeper.get('offset_ms', 0));
      if (at > ctx.currentTime + 0.05) {
        const s = ctx.createBufferSource();
        s.buffer = click;
        s.connect(ctx.destination);
        s.start(at);
        this.reference.push({ targetUs: target, ctx: at, heardServerUs: this.clock.serverTime((performance.timeOrigin
          + ac.perfAt(at) + this.keeper.get('offset_ms', 0)) * 1000), currentTime: ctx.currentTime, perfNow });
      }
      next = target + 1e6;
    };
    this.refUnwatch = this.observeClosely();
    this.refTimer = setInterval(() => { if (this.refReady) schedule(); }, 250);
    this.refReady = false;
    this.render();
    await this.steadyBelief();
    this.refReady = true;
  }

  render() {
    const t = this.t();
    const s = this.state;
    $('soundcheck-open').hidden = s !== 'idle' || !this.ctxOf() || this.engineOf()?.name !== 'webaudio'
      || !navigator.mediaDevices?.getUserMedia;
    $('soundcheck-explain').hidden = s !== 'explain' && s !== 'failed'; // a failed check may be tried again
    $('soundcheck-running').hidden = s !== 'running';
    $('soundcheck-result').hidden = s !== 'result' && s !== 'failed';
    $('soundcheck-accept').hidden = s !== 'result';
    $('soundcheck').hidden = ['soundcheck-open', 'soundcheck-explain', 'soundcheck-running', 'soundcheck-result']
      .every((id) => $(id).hidden); // no empty card (the <audio> player, no microphone API)
    if (s === 'result') {
      const o = this.last.output;
      $('soundcheck-result-text').textContent = t(this.last.better ? 'soundcheck_result' : 'soundcheck_result_same',
        { latency: o.ms.toFixed(0), uncertainty: o.uncertaintyMs.toFixed(0), offset: this.last.proposedOffsetMs });
    } else if (s === 'failed') {
      const why = this.last?.error ? 'soundcheck_failed_mic' : `soundcheck_failed_${this.last?.summary?.why || 'quiet'}`;
      $('soundcheck-result-text').textContent = t(why);
    }
    $('soundcheck-ear').textContent = t(this.refTimer ? 'soundcheck_ear_stop' : 'soundcheck_ear');
    $('bluetooth-notice').hidden = this.output.kind !== OUTPUT.BLUETOOTH;
    const a = this.applied();
    $('offset-how').textContent = a.how ? t(`offset_how_${a.how}`) : '';
  }
}

/**
 * Blink's MediaStreamTrackProcessor on a clone of the microphone's track: AudioData with
 * capture timestamps (µs, performance timeline). Null where there is none (Gecko, WebKit).
 * `finish(renderMs)` stops reading and returns when each chirp reached the microphone.
 */
function captureTimed(track) {
  if (typeof MediaStreamTrackProcessor !== 'function') return null;
  let reader, clone;
  try {
    clone = track.clone();
    reader = new MediaStreamTrackProcessor({ track: clone }).readable.getReader();
  } catch {
    return null;
  }
  const blocks = [];
  let rate = null, stop = false;
  const loop = (async () => {
    while (!stop) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      try {
        rate = value.sampleRate;
        const data = new Float32Array(value.numberOfFrames);
        value.copyTo(data, { planeIndex: 0, format: 'f32-planar' });
        blocks.push({ timestampUs: value.timestamp, data });
      } catch { /* a format this engine cannot convert: no capture times */ } finally {
        value.close();
      }
    }
  })();
  return {
    async finish(renderMs) {
      stop = true;
      clone.stop();
      await Promise.race([loop, sleep(500)]);
      if (!rate || !blocks.length) return null;
      return SC.capturedAt(SC.timedRecording(blocks, rate), SC.chirp(rate), renderMs, rate);
    },
  };
}
