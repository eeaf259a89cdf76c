/**
 * Fallback engine: an <audio> element on the group's full MP3, for browsers
 * without Web Audio or whose context stays suspended (the player interface:
 * engineapi.js). Kept in sync every `tickMs` by the control law of medialaw.js
 * (a seek when off by more than 250 ms, else a playbackRate trim within ±2 %
 * proportional to the error); this shell only reads and drives the element.
 */
import { expectedS, mediaStep } from './medialaw.js';

export class MediaEngine {
  /**
   * @param {object} o
   * @param {HTMLAudioElement} o.audio
   * @param {import('./clocksync.js').ClockSync} o.clock
   * @param {string} o.src URL of the full MP3 (the service worker serves it offline)
   * @param {() => number} o.offsetMs manual offset (ms)
   */
  constructor({ audio, clock, src, offsetMs = () => 0, tickMs = 250 }) {
    this.name = 'media';
    this.audio = audio;
    this.clock = clock;
    this.src = src;
    this.offsetMs = offsetMs;
    this.tickMs = tickMs;
    this.timer = null;
    this.show = null;
    this.report = { firstSample: null, clicks: [], seeks: 0 };
    audio.preload = 'auto';
    if (audio.src !== src) audio.src = src;
  }

  /**
   * Paused while the show plays and it should be sounding (a call, another app took the audio):
   * the platform stopped it; lifecycle.js plays it again from the next tap or visibility change.
   */
  stoppedByPlatform() {
    if (!this.playing || !this.audio.paused || !this.show) return false;
    const want = this.expectedS();
    return want >= 0 && !(Number.isFinite(this.audio.duration) && want >= this.audio.duration);
  }

  /** From a user gesture: play again at the show's position (the law's step, inside the gesture). */
  resumeFromGesture() {
    if (this.stoppedByPlatform()) this.tick();
  }

  /** Play `src` from now on (the kept file's blob: URL once known); not while playing. */
  setSource(src) {
    if (this.src === src || this.playing) return;
    this.src = src;
    this.audio.src = src;
  }

  /** Where the audio should be now (s), or null before the start. */
  expectedS() {
    return expectedS(this.clock.serverTime(), this.show.start_at_us, this.offsetMs());
  }

  play(show) {
    if (this.show && this.show.start_at_us === show.start_at_us && this.timer) return;
    this.show = show;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  tick() {
    const a = this.audio;
    const want = this.expectedS();
    const act = mediaStep({ wantS: want, currentTime: a.currentTime, paused: a.paused, durationS: a.duration });
    if (act.pause) a.pause();
    if (act.seekTo !== undefined) a.currentTime = act.seekTo;
    if (act.play) a.play().catch(() => {});
    if (act.started && !this.report.firstSample) this.report.firstSample = { startedAtS: want };
    if (act.seeked) this.report.seeks++;
    if (act.rate !== undefined) a.playbackRate = act.rate;
  }

  positionUs() {
    return this.show && !this.audio.paused ? Math.round(this.audio.currentTime * 1e6) : null;
  }

  outputLatencyUs() {
    return null;
  }

  /** The element reports nothing about its output timing (its errors reach the page as `error` events). */
  timingTrouble() {
    return null;
  }

  /** The element's start is not measured: no bound. */
  startBoundUs() {
    return null;
  }

  get playing() {
    return this.timer !== null;
  }

  stop({ fadeS = 1.5 } = {}) {
    clearInterval(this.timer);
    this.timer = null;
    this.show = null;
    const a = this.audio;
    const v0 = a.volume;
    const steps = 15;
    let i = 0;
    const fade = setInterval(() => {
      i++;
      a.volume = Math.max(0, v0 * (1 - i / steps));
      if (i >= steps) {
        clearInterval(fade);
        a.pause();
        a.volume = v0;
      }
    }, (fadeS * 1000) / steps);
  }

  stopNow() {
    clearInterval(this.timer);
    this.timer = null;
    this.show = null;
    this.audio.pause();
  }
}
