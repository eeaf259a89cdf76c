/**
 * Is this phone's sound in trouble, and why? A pure watcher (injected times,
 * no DOM): the page feeds it what it observes, it answers with one reason or
 * null. The page then tells the person what to do (another player; the MP3
 * and the exact time to press play) and reports the reason in `status.trouble`
 * (docs/protocol.md), so the console counts phones in trouble.
 *
 * Reasons, most serious first (one is reported: the first that holds):
 * - `media`:  the <audio> player cannot play the MP3 either (only "play the
 *             MP3 in another app at the exact time" is left);
 * - `decode`: Web Audio cannot decode the show's MP3 (e.g. WebKit whose
 *             GStreamer has no MP3 decoder) — a probe decode failed, or the
 *             engine counted decode errors;
 * - `start`:  the AudioContext is still not running `startGraceMs` after the
 *             tap (no sound server, a browser that blocks audio);
 * - `timing`: the context's clock is implausible: over at least
 *             `rateWindowMs` its time advanced at a rate off by more than
 *             `maxRateError` from performance.now() (a real audio clock drifts
 *             20-200 ppm, not percent), or stood still for `stallMs` while "running"; or
 *             the engine itself says its output timing cannot be trusted.
 */
import { TROUBLE, TROUBLES } from './wire.js';

export { TROUBLES };

export class TroubleWatch {
  constructor({ startGraceMs = 3000, rateWindowMs = 2000, maxRateError = 0.05, stallMs = 2000 } = {}) {
    Object.assign(this, { startGraceMs, rateWindowMs, maxRateError, stallMs });
    this.reset();
  }

  /** Forget what was seen about the current player (the person switched players). Media failures stay. */
  reset({ keepMedia = true } = {}) {
    const media = keepMedia && this.flags?.media;
    this.flags = { media: !!media, decode: false, start: false, timing: false };
    this.soundOnAtMs = null;
    this.firstTick = null;
    this.lastTick = null;
    this.engineSays = null;
  }

  /**
   * From `nowMs` on the context should be running: the person tapped "enable
   * sound", or the page became visible again (browsers suspend hidden pages).
   */
  expectRunning(nowMs) {
    this.soundOnAtMs = nowMs;
  }

  /** A probe decode of the group's first segment: did it work? */
  decodeProbe(ok) {
    if (!ok) this.flags.decode = true;
  }

  /** The engine's count of failed segment decodes. */
  decodeErrors(n) {
    if (n > 0) this.flags.decode = true;
  }

  /** The <audio> element reported an error (or refused to play the file). */
  mediaFailed() {
    this.flags.media = true;
  }

  /** The engine's own verdict on its output timing: a reason string, or null. */
  engineTiming(reason) {
    this.engineSays = reason || null;
  }

  /**
   * One observation of the context: its `state`, `currentTime` (s), at
   * performance time `perfMs`.
   */
  context(state, ctxTimeS, perfMs) {
    if (state === 'running') {
      this.flags.start = false;
      const tick = { ctx: ctxTimeS, perf: perfMs };
      if (this.lastTick && ctxTimeS < this.lastTick.ctx) this.firstTick = null; // a new context
      if (!this.firstTick) this.firstTick = tick;
      this.lastTick = tick;
      const dPerf = tick.perf - this.firstTick.perf;
      const dCtx = (tick.ctx - this.firstTick.ctx) * 1000;
      if (dPerf >= this.stallMs && dCtx === 0) this.flags.timing = true;
      else if (dPerf >= this.rateWindowMs) {
        this.flags.timing = Math.abs(dCtx / dPerf - 1) > this.maxRateError;
        // slide the window: keep judging recent behaviour, not the first seconds forever
        if (dPerf >= 4 * this.rateWindowMs) this.firstTick = { ctx: tick.ctx - dCtx / 2000, perf: tick.perf - dPerf / 2 };
      }
    } else {
      this.firstTick = this.lastTick = null;
      if (this.soundOnAtMs !== null && perfMs - this.soundOnAtMs >= this.startGraceMs) this.flags.start = true;
    }
  }

  /** The reason to report now, or null. */
  get reason() {
    const f = this.flags;
    if (f.media) return TROUBLE.MEDIA;
    if (f.decode) return TROUBLE.DECODE;
    if (f.start) return TROUBLE.START;
    if (f.timing || this.engineSays) return TROUBLE.TIMING;
    return null;
  }
}

/**
 * What to offer the person for `reason`: `{ mediaPlayer, mp3 }` — switch to the
 * <audio> player (only when not already on it and it may work), and always the
 * MP3 to play elsewhere at the exact start time.
 */
export function remedies(reason, { player, canPlayMp3 }) {
  if (!reason) return null;
  return { mediaPlayer: reason !== TROUBLE.MEDIA && player !== 'media' && canPlayMp3, mp3: true };
}
