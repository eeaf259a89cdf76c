/**
 * Where the show is, pure: phase, position, countdown, current cue, countdown
 * vibrations, and readable colours for a group. Every function takes the show
 * record (the `show` message fields) and a server time (µs): nothing reads a clock.
 */
import { STATE } from './wire.js';

/**
 * Phase of the show at server time `nowUs`.
 * @returns {{phase: 'lobby'|'countdown'|'playing'|'ended'|'aborted', positionUs: number|null,
 *   untilStartUs: number|null, remainingUs: number|null}}
 * "ended" follows from the clock (start + duration), never from a message alone:
 * a phone never shows the end before the sound is over.
 */
export function phaseAt(show, nowUs) {
  const none = { positionUs: null, untilStartUs: null, remainingUs: null };
  if (!show) return { phase: 'lobby', ...none };
  if (show.state === STATE.ABORTED) return { phase: 'aborted', ...none };
  const start = show.start_at_us;
  if (start === null || start === undefined || show.state === STATE.LOBBY) return { phase: 'lobby', ...none };
  const pos = nowUs - start;
  if (pos < 0) return { phase: 'countdown', positionUs: pos, untilStartUs: -pos, remainingUs: show.duration_us };
  if (pos >= show.duration_us) return { phase: 'ended', positionUs: show.duration_us, untilStartUs: 0, remainingUs: 0 };
  return { phase: 'playing', positionUs: pos, untilStartUs: 0, remainingUs: show.duration_us - pos };
}

/** Keep the newer of two show records (higher revision wins; ties keep `a`). */
export function newerShow(a, b) {
  if (!a) return b || null;
  if (!b) return a;
  return b.revision > a.revision ? b : a;
}

/**
 * Until when a cue's caption is on screen: its `caption_end_ms`, the caption
 * timing rule applied by the renderer (contract/captions.py; null: never shown);
 * a manifest written before that key existed shows a cue during its own span.
 */
export function captionEndMs(cue) {
  if ('caption_end_ms' in cue) return cue.caption_end_ms;
  return Math.max(cue.end_ms, cue.start_ms + 1);
}

/** The cue shown at position `ms`: the last cue with text and start_ms <= ms < captionEndMs (null if none). */
export function cueAt(cues, ms) {
  let found = null;
  for (const c of cues || []) {
    if (c.start_ms > ms) break;
    const until = captionEndMs(c);
    if (c.text && until !== null && ms < until) found = c;
  }
  return found;
}

/** Cues whose start lies in (fromMs, toMs]: their vibration is due. */
export function cuesStartingBetween(cues, fromMs, toMs) {
  return (cues || []).filter((c) => c.start_ms > fromMs && c.start_ms <= toMs);
}

/**
 * Whole seconds left before the start, as shown (ceil): 10, 9, ... 1, then 0.
 */
export function countdownSeconds(untilStartUs) {
  return Math.max(0, Math.ceil(untilStartUs / 1e6));
}

/** The vibration pattern for a countdown second (last `lastN` seconds), or null. */
export function countdownVibration(seconds, lastN = 5) {
  if (seconds < 1 || seconds > lastN) return null;
  return seconds === 1 ? [300] : [80];
}

/** "1:02:03" or "2:03" for a duration in µs (floor of seconds, or ceil with `up`). */
export function formatClock(us, { up = false } = {}) {
  const total = Math.max(0, up ? Math.ceil(us / 1e6) : Math.floor(us / 1e6));
  const h = Math.floor(total / 3600), m = Math.floor(total / 60) % 60, s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

/** Relative luminance of "#rrggbb" (WCAG 2). */
export function luminance(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!m) return 0.2;
  const n = parseInt(m[1], 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

/** WCAG contrast ratio of two colours. */
export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** A group colour as the manifest must hold it ("#rrggbb"), else neutral grey: never CSS from data. */
export function safeColour(colour) {
  return /^#[0-9a-f]{6}$/i.test(colour || '') ? colour.toLowerCase() : '#555555';
}

/**
 * Colours for a group screen: the background (the group colour, darkened until
 * white text reaches 4.5:1 when white is the better choice) and the text colour.
 */
export function groupPalette(colour) {
  const bg = safeColour(colour);
  if (contrast(bg, '#111111') >= contrast(bg, '#ffffff') && contrast(bg, '#111111') >= 4.5) {
    return { bg, fg: '#111111' };
  }
  let c = bg;
  for (let i = 0; i < 20 && contrast(c, '#ffffff') < 4.5; i++) c = shade(c, 0.9);
  return { bg: c, fg: '#ffffff' };
}

function shade(hex, f) {
  const n = parseInt(hex.slice(1), 16);
  const parts = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(v * f));
  return '#' + parts.map((v) => v.toString(16).padStart(2, '0')).join('');
}
