/**
 * The console's preview, pure: every group's cue list (from the manifest), what
 * each group hears at a position, and the show position to follow (the element
 * that follows it obeys the phones' media law, medialaw.js). Nothing here reads a
 * clock or the page.
 */
import { cueAt, phaseAt } from './showstate.js';

/** A group's cues as the preview lists them: every cue, its start and a label. */
export function cueList(group) {
  return (group?.cues || []).map((c) => ({ id: c.id, ms: c.start_ms, label: c.text || `(${c.kind}) ${c.id}` }));
}

/** The index in `list` (cueList) of the last cue starting at or before `ms` (-1: before the first). */
export function cueIndexAt(list, ms) {
  let i = -1;
  for (let k = 0; k < list.length && list[k].ms <= ms; k++) i = k;
  return i;
}

/** What every group of `manifest` hears at show position `ms`: its caption (null: none). */
export function hearsAt(manifest, ms) {
  return (manifest?.groups || []).map((g) => {
    const cue = cueAt(g.cues, ms);
    return { id: g.id, name: g.name, colour: g.colour, caption: cue ? cue.text : null };
  });
}

/** The show position (ms) at server time `nowUs` while it plays, else null. */
export function showPositionMs(show, nowUs) {
  if (!show || nowUs === null || nowUs === undefined) return null;
  const ph = phaseAt(show, nowUs);
  return ph.phase === 'playing' ? Math.floor(ph.positionUs / 1000) : null;
}
