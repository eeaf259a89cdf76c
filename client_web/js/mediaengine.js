/**
 * Fallback engine: an <audio> element on the group's full MP3, for browsers
 * without Web Audio or whose context stays suspended. Kept in sync every
 * `tickMs`: a seek when off by more than 250 ms, else a playbackRate trim
 * (within ±2 %) proportional to the error. Less precise than Web Audio
 * (tens of ms), but it plays.
 */
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

  /** Where the audio should be now (s), or null before the start. */
  expectedS() {
    const now = this.clock.serverTime();
    return (now - this.show.start_at_us) / 1e6 + this.offsetMs() / 1000;
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
    if (want < -0.05) {
      if (!a.paused) a.pause();
      if (Math.abs(a.currentTime) > 0.001) a.currentTime = 0;
      return;
    }
    if (Number.isFinite(a.duration) && want >= a.duration) {
      a.pause();
      return;
    }
    if (a.paused) {
      a.currentTime = Math.max(0, want);
      a.play().catch(() => {});
      if (!this.report.firstSample) this.report.firstSample = { startedAtS: want };
      return;
    }
    const err = a.currentTime - want; // > 0: ahead
    if (Math.abs(err) > 0.25) {
      a.currentTime = want + 0.05;
      this.report.seeks++;
    } else {
      a.playbackRate = Math.min(1.02, Math.max(0.98, 1 - err * 0.1));
    }
  }

  positionUs() {
    return this.show && !this.audio.paused ? Math.round(this.audio.currentTime * 1e6) : null;
  }

  outputLatencyUs() {
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
