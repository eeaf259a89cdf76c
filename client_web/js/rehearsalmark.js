/**
 * The rehearsal on the phone (docs/protocol.md, "Rehearsal"): while the page follows the
 * rehearsal record (`show.rehearsal`) in any phase but the lobby, a banner says so on every
 * screen, and the end screen says the rehearsal is over (not "you can close this page").
 */

/** Is `show` a rehearsal the page should mark in `phase` (showstate.js phaseAt)? */
export function marked(show, phase) {
  return !!show?.rehearsal && phase !== 'lobby';
}

/** Show or hide the marks (index.html: #rehearsal-mark, #rehearsal-ended, #ended-text). */
export function markRehearsal($, show, phase) {
  const on = marked(show, phase);
  $('rehearsal-mark').hidden = !on;
  $('rehearsal-ended').hidden = !on;
  $('ended-text').hidden = on;
}
