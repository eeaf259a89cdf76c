/**
 * Practice mode, the thin shell (index.html #screen-practice): play the group's
 * show at home from any section or cue at 1x, 1.5x or 2x, with its captions,
 * a lead-in countdown and the cues' vibrations in step (practice.js says what).
 *
 * Needs no server once the files are verified: the group's full MP3 is read
 * from the verified store (`bytesOf`, the Cache API) into a Blob URL played by
 * its own <audio> element. That element is the clock: captions and vibrations
 * follow its `currentTime`, so they stay with what is heard at any rate.
 * Pitch: a media element time-stretches with the pitch kept where the engine
 * implements `preservesPitch` (set explicitly, with the webkit/moz prefixes of
 * older engines); Web Audio's `playbackRate` cannot keep the pitch, which is
 * why practice does not use the show's Web Audio engine.
 *
 * It covers the group and wait screens only (`over`), never a show: the page
 * closes it when a countdown starts (`offer`). Test hook: `window.flashmob.practice` (`state()`).
 */
import * as P from './practice.js';
import { formatClock } from './showstate.js';
import { h } from './dom.js';

const TICK_MS = 50;

export class PracticePlayer {
  /**
   * @param {object} o
   * @param {(id: string) => HTMLElement} o.$ element by id
   * @param {(key: string, vars?: object) => string} o.t translator (read at each use: the language may change)
   * @param {() => object|null} o.group the manifest group
   * @param {(path: string) => Promise<ArrayBuffer|null>} o.bytesOf verified bytes of a bundle file
   * @param {() => void} o.onChange the page re-renders (which screen is shown)
   */
  constructor({ $, t, group, bytesOf, onChange }) {
    Object.assign(this, { $, t, group, bytesOf, onChange });
    this.audio = $('practice-audio');
    this.isOpen = false;
    this.rate = 1;
    this.fromMs = 0;
    this.phase = 'idle'; // idle | loading | leadin | playing | ended | error
    this.leadSince = null;
    this.lastShown = null;
    this.lastMs = null;
    this.srcPath = null;
    this.timer = null;
    this.vibrations = []; // [{atMs (show), pattern}] sent to navigator.vibrate (the test reads them too)
    this.pitch = preservesPitchSupported(this.audio);
    this.openers = document.querySelectorAll('.practice-open');
    for (const b of this.openers) b.addEventListener('click', () => this.open());
    $('practice-close').addEventListener('click', () => this.close());
    $('practice-play').addEventListener('click', () => this.play());
    $('practice-stop').addEventListener('click', () => this.stop());
    $('practice-from').addEventListener('change', () => { this.fromMs = Number($('practice-from').value) || 0; });
    for (const r of P.RATES) {
      const b = h('button', { className: 'button', type: 'button' }, `${r}×`);
      b.dataset.rate = String(r);
      b.addEventListener('click', () => this.setRate(r));
      $('practice-rates').append(b);
    }
    this.renderRates();
  }

  /** The page's render: offered once the files are verified; closed while a show counts down or plays. */
  offer(verified, showBusy) {
    for (const b of this.openers) b.hidden = !verified;
    if (this.isOpen && showBusy) this.close();
  }

  /** The screen to show instead of the page's `screen` (participantmachine.js): practice covers group and wait. */
  over(screen) {
    return this.isOpen && (screen === 'group' || screen === 'wait') ? 'practice' : screen;
  }

  open() {
    const g = this.group();
    if (!g) return;
    this.isOpen = true;
    const sel = this.$('practice-from');
    sel.replaceChildren(...P.startPoints(g).map((p) => new Option(
      p.kind === 'start' ? this.t('practice_from_start')
        : `${formatClock(p.ms * 1000)} · ${p.kind === 'section' ? `[${p.label}]` : p.label}`, String(p.ms))));
    sel.value = String(this.fromMs);
    this.$('practice-pitch').textContent = this.t(this.pitch ? 'practice_pitch_kept' : 'practice_pitch_changes');
    this.render();
    this.onChange();
  }

  close() {
    this.stop();
    this.isOpen = false;
    this.onChange();
  }

  setRate(rate) {
    this.rate = P.checkedRate(rate);
    this.audio.playbackRate = this.rate;
    this.renderRates();
  }

  /** Start from the chosen point: load the verified MP3 (once), lead-in, then play. */
  async play() {
    const g = this.group();
    if (!g?.mp3) return;
    this.stop();
    this.phase = 'loading';
    this.render();
    try {
      if (this.srcPath !== g.mp3.path) {
        const bytes = await this.bytesOf(g.mp3.path);
        if (!bytes) throw new Error('not verified');
        if (this.audio.src.startsWith('blob:')) URL.revokeObjectURL(this.audio.src);
        this.audio.src = URL.createObjectURL(new Blob([bytes], { type: 'audio/mpeg' }));
        this.srcPath = g.mp3.path;
      }
    } catch {
      this.phase = 'error';
      this.render();
      return;
    }
    const a = this.audio;
    setPreservesPitch(a);
    a.playbackRate = 1; // the rate is set once it plays (WebKitGTK stalled when started at 2x)
    a.currentTime = this.fromMs / 1000;
    // started by this tap (Safari wants play() inside it), muted through the lead-in; then it seeks back
    // to the chosen point and unmutes (a pause and a second play() stalled WebKitGTK's GStreamer at 2x)
    a.muted = true;
    a.volume = 0; // WebKitGTK was heard unmuting itself once playing; volume 0 too (iOS ignores volume, honours muted)
    a.play().catch(() => {});
    this.phase = 'leadin';
    this.leadSince = performance.now();
    this.lastShown = null;
    this.lastMs = null;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.tick();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.audio.pause();
    this.audio.muted = false;
    this.audio.volume = 1;
    if (this.phase !== 'idle') this.phase = 'idle';
    this.render();
  }

  tick() {
    const a = this.audio;
    if (this.phase === 'leadin') {
      const li = P.leadIn(this.leadSince, performance.now(), this.lastShown);
      if (li.vibrate) this.vibrate(li.vibrate, this.fromMs);
      this.lastShown = li.seconds;
      if (li.over) {
        // the seek back first, the rate once it is done: GStreamer (WebKitGTK) makes a rate change a
        // seek too, and the two at once froze the element now and then
        a.addEventListener('seeked', () => { a.playbackRate = this.rate; }, { once: true });
        a.currentTime = this.fromMs / 1000;
        a.muted = false;
        a.volume = 1;
        if (a.paused) a.play().catch(() => { this.phase = 'error'; this.render(); });
        this.phase = 'playing';
      }
    } else if (this.phase === 'playing') {
      const g = this.group();
      const ms = Math.round(a.currentTime * 1000);
      const f = P.frame(g, this.lastMs, ms, this.rate, g.mp3.duration_ms);
      for (const v of f.vibrations) this.vibrate(v, ms);
      this.lastMs = ms;
      this.caption = f.caption;
      if (f.ended || a.ended) {
        this.phase = 'ended';
        clearInterval(this.timer);
        this.timer = null;
      }
    }
    this.render();
  }

  vibrate(pattern, atMs) {
    this.vibrations.push({ atMs, pattern });
    if (navigator.vibrate) navigator.vibrate(pattern);
  }

  renderRates() {
    for (const b of this.$('practice-rates').children) b.classList.toggle('primary', Number(b.dataset.rate) === this.rate);
  }

  render() {
    if (!this.isOpen) return;
    const $ = this.$;
    const lead = this.phase === 'leadin' ? this.lastShown : null;
    $('practice-digits').hidden = lead === null;
    $('practice-digits').textContent = lead === null ? '' : String(lead);
    $('practice-caption').textContent = this.phase === 'playing' ? (this.caption || '…')
      : this.phase === 'ended' ? this.t('practice_ended') : this.phase === 'error' ? this.t('practice_error') : '';
    const pos = this.phase === 'playing' || this.phase === 'ended' ? this.audio.currentTime : this.fromMs / 1000;
    $('practice-elapsed').textContent = `${formatClock(pos * 1e6)} · ${this.rate}×`;
    $('practice-play').hidden = this.phase === 'leadin' || this.phase === 'playing';
    $('practice-stop').hidden = !$('practice-play').hidden;
  }

  /** What the test reads beside the media element itself. */
  state() {
    return { open: this.isOpen, phase: this.phase, rate: this.rate, fromMs: this.fromMs, caption: this.caption ?? null,
      pitch: this.pitch, vibrations: this.vibrations, src: this.audio.src.slice(0, 5) };
  }
}

/** Does this engine keep the pitch of a media element played faster? */
function preservesPitchSupported(a) {
  return 'preservesPitch' in a || 'webkitPreservesPitch' in a || 'mozPreservesPitch' in a;
}

function setPreservesPitch(a) {
  if ('preservesPitch' in a) a.preservesPitch = true;
  if ('webkitPreservesPitch' in a) a.webkitPreservesPitch = true;
  if ('mozPreservesPitch' in a) a.mozPreservesPitch = true;
}
