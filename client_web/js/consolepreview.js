/**
 * The console's preview panel (console.html #preview-panel), a thin shell over
 * previewmodel.js: the cue list of every group, jump to any cue, listen to any
 * group there on the console's own device (its full MP3 in an <audio> element,
 * from the conductor), and "follow the show": the chosen group as the phones
 * hear it at the current show time, kept there by the phones' media law
 * (medialaw.js: seek beyond 0.25 s, else trim the rate; tens of ms, not the
 * phones' sample-accurate engine). The table shows
 * what every group hears: at the show time while a show (or a rehearsal)
 * plays, else at the preview position.
 *
 * Test hook: `window.flashmobConsole.preview` (`state()`).
 */
import * as PM from './previewmodel.js';
import { mediaStep } from './medialaw.js';
import { formatClock, safeColour } from './showstate.js';
import { h } from './dom.js';

export class Preview {
  /**
   * @param {object} o
   * @param {(id: string) => HTMLElement} o.$
   * @param {() => number|null} o.serverTime server µs (null before the clock syncs)
   * @param {() => object|null} o.show the record the phones follow
   */
  constructor({ $, serverTime, show }) {
    Object.assign(this, { $, serverTime, show });
    this.audio = $('preview-audio');
    this.manifest = null;
    this.base = '';
    this.groupId = null;
    this.posMs = 0;
    this.mode = 'idle'; // idle | listen | live
    $('preview-group').addEventListener('change', () => { this.groupId = $('preview-group').value; this.load(); this.renderCues(); });
    $('preview-listen').addEventListener('click', () => this.listen());
    $('preview-live').addEventListener('click', () => this.live());
    $('preview-stop').addEventListener('click', () => this.stop());
  }

  setManifest(manifest, manifestUrl) {
    this.manifest = manifest;
    this.base = manifestUrl.slice(0, manifestUrl.lastIndexOf('/') + 1);
    const sel = this.$('preview-group');
    sel.replaceChildren(...manifest.groups.map((g) => new Option(g.name, g.id)));
    this.groupId = manifest.groups[0]?.id ?? null;
    sel.value = this.groupId;
    this.$('preview-panel').hidden = false;
    this.load();
    this.renderCues();
  }

  group() {
    return this.manifest?.groups.find((g) => g.id === this.groupId) || null;
  }

  load() {
    const g = this.group();
    if (!g?.mp3) return;
    const src = this.base + g.mp3.path.split('/').map(encodeURIComponent).join('/');
    if (this.audio.getAttribute('src') !== src) {
      this.audio.pause();
      this.audio.src = src;
    }
  }

  /** Jump to a cue: the preview position; playing on from there when listening. */
  jump(ms) {
    this.posMs = ms;
    if (this.mode === 'live') this.mode = 'listen';
    if (this.mode === 'listen') {
      this.audio.playbackRate = 1;
      this.audio.currentTime = ms / 1000;
      this.audio.play().catch(() => {});
    }
    this.renderCues();
    this.tick();
  }

  listen() {
    this.load();
    this.mode = 'listen';
    this.audio.playbackRate = 1;
    this.audio.currentTime = this.posMs / 1000;
    this.audio.play().catch(() => {});
    this.tick();
  }

  live() {
    this.load();
    this.mode = 'live';
    this.tick();
  }

  stop() {
    this.mode = 'idle';
    this.audio.pause();
    this.tick();
  }

  /** Where the show is now (s), to the µs of the console's clock (the table's ms are floored). */
  liveS() {
    const now = this.serverTime();
    const show = this.show();
    return now === null || show?.start_at_us == null ? 0 : (now - show.start_at_us) / 1e6;
  }

  /** Every 100 ms (console.js): follow the show when asked, and the "hears now" table. */
  tick() {
    if (!this.manifest) return;
    const a = this.audio;
    const showMs = PM.showPositionMs(this.show(), this.serverTime());
    if (this.mode === 'live') {
      if (showMs === null) {
        if (!a.paused) a.pause();
      } else { // the phones' media law (medialaw.js): start, seek beyond 0.25 s, else trim the rate
        const act = mediaStep({ wantS: this.liveS(), currentTime: a.currentTime, paused: a.paused, durationS: a.duration });
        if (act.pause) a.pause();
        if (act.seekTo !== undefined) a.currentTime = act.seekTo;
        if (act.rate !== undefined) a.playbackRate = act.rate;
        if (act.play) a.play().catch(() => {});
      }
    } else if (this.mode === 'listen' && !a.paused) {
      this.posMs = Math.round(a.currentTime * 1000);
    }
    const at = showMs ?? this.posMs;
    const rows = PM.hearsAt(this.manifest, at).map((g) => h('tr', {},
      h('td', {}, h('span', { className: 'swatch', style: { background: safeColour(g.colour) } }), g.name),
      h('td', { className: 'cue' }, g.caption ?? '—')));
    this.$('preview-now').replaceChildren(...rows);
    const where = showMs !== null ? `show time ${formatClock(showMs * 1000)}` : `preview at ${formatClock(this.posMs * 1000)}`;
    this.$('preview-position').textContent = where;
    this.$('preview-mode').textContent = { idle: '', listen: '· listening here', live: '· following the show' }[this.mode];
    this.markCue(showMs ?? this.posMs);
  }

  renderCues() {
    const list = PM.cueList(this.group());
    this.$('preview-cues').replaceChildren(...list.map((c) => {
      const b = h('button', { type: 'button' }, `${formatClock(c.ms * 1000)} · ${c.label}`);
      b.dataset.ms = String(c.ms);
      b.addEventListener('click', () => this.jump(c.ms));
      return h('li', {}, b);
    }));
    this.markCue(this.posMs);
  }

  markCue(ms) {
    const list = PM.cueList(this.group());
    const i = PM.cueIndexAt(list, ms);
    [...this.$('preview-cues').children].forEach((li, k) => li.classList.toggle('at', k === i));
  }

  state() {
    return { mode: this.mode, group: this.groupId, posMs: this.posMs, src: this.audio.getAttribute('src') };
  }
}
