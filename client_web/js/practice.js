/**
 * Practice mode, pure: the timeline of one group's show played at home, from
 * any section or cue, at 1x, 1.5x or 2x (docs/playback.md, "Practice mode").
 *
 * Nothing here reads a clock or touches the page: the shell (practiceplayer.js)
 * passes the media element's position (show ms: the audio is the clock, so the
 * captions follow what is heard at any rate) and the wall time (ms) of its
 * lead-in; these functions say what to show and which vibrations are due.
 */
import { cueAt, cuesStartingBetween, countdownSeconds, countdownVibration } from './showstate.js';

/** The playback rates offered. */
export const RATES = [1, 1.5, 2];

/** The lead-in before the chosen point plays (wall ms), counted down like the show's countdown. */
export const LEAD_IN_MS = 3000;

/**
 * `PLAY[n]/CUE` (a cue of a played section, docs/bundle-format.md): the play cue's id (or
 * `SECTION@LINE` when it has none: tools/score/compiler.py) and the repetition.
 */
const SECTION_CUE = /^([^[\]/]+)\[(\d+)\]\//;

/**
 * Where practice may start: every section (its first cue; nested sections by
 * their outermost name) and every cue with a caption, in time order.
 * @returns {{kind: 'start'|'section'|'cue', ms: number, label: string, id: string}[]}
 */
export function startPoints(group) {
  const out = [{ kind: 'start', ms: 0, label: '', id: '' }];
  const seen = new Set();
  for (const c of group?.cues || []) {
    const m = SECTION_CUE.exec(c.id);
    if (m && !seen.has(`${m[1]}[${m[2]}]`)) {
      seen.add(`${m[1]}[${m[2]}]`);
      const name = m[1].split('@')[0];
      out.push({ kind: 'section', ms: c.start_ms, label: Number(m[2]) > 1 ? `${name} ×${m[2]}` : name, id: `${m[1]}[${m[2]}]` });
    }
    if (c.text) out.push({ kind: 'cue', ms: c.start_ms, label: c.text, id: c.id });
  }
  return out.sort((a, b) => a.ms - b.ms || order(a) - order(b));
}

const order = (p) => ({ start: 0, section: 1, cue: 2 })[p.kind];

/** A rate of RATES, or 1. */
export function checkedRate(rate) {
  const r = Number(rate);
  return RATES.includes(r) ? r : 1;
}

/**
 * Where the audio should be (show ms) `elapsedMs` of wall time after it started
 * at `fromMs` at `rate` (the shell's check of the media element, and the tests').
 */
export function expectedMs(fromMs, rate, elapsedMs) {
  return fromMs + Math.max(0, elapsedMs) * rate;
}

/** A vibration pattern (ms on, off, on...) at `rate`: every part shortened by the rate (≥ 10 ms). */
export function scaledPattern(pattern, rate) {
  if (!Array.isArray(pattern)) return null;
  return pattern.map((ms) => Math.max(10, Math.round(ms / rate)));
}

/**
 * The lead-in at wall time `nowMs` (started at `sinceMs`): seconds shown (3, 2, 1),
 * whether it is over, and the countdown vibration of a new second (as the show's).
 */
export function leadIn(sinceMs, nowMs, lastShown = null, leadMs = LEAD_IN_MS) {
  const leftMs = sinceMs + leadMs - nowMs;
  const seconds = countdownSeconds(leftMs * 1000);
  const vibrate = seconds !== lastShown && leftMs > 0 ? countdownVibration(seconds) : null;
  return { over: leftMs <= 0, seconds, vibrate };
}

/**
 * One frame of practice playback: the caption at `ms` (show ms), the
 * vibrations of the cues that started since `lastMs` (scaled to `rate`), and
 * whether the show is over.  A jump backwards (a new start point) vibrates nothing.
 */
export function frame(group, lastMs, ms, rate, durationMs) {
  const cue = cueAt(group?.cues, ms);
  const vibrations = lastMs === null || ms < lastMs ? [] : cuesStartingBetween(group?.cues, lastMs, ms)
    .filter((c) => c.vibrate).map((c) => scaledPattern(c.vibrate, rate));
  return { caption: cue ? cue.text : null, cueId: cue ? cue.id : null, vibrations, ended: ms >= durationMs };
}
