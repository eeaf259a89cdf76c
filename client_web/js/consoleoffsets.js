/**
 * Console panel "Audio offsets" (docs/protocol.md, feed `offsets`): how many
 * phones play with a manual offset, how big (a histogram of |offset|), how it
 * was chosen (the sound check, by ear, a Bluetooth preset) and where their sound
 * goes (Bluetooth shows up here: those phones may be heard late by the crowd).
 *
 * `offsetSummary(offsets)` is the pure part (runs under Node); `renderOffsets`
 * fills the panel with createElement and textContent only (dom.js).
 */
import { h } from './dom.js';
import { OFFSET_HOW, OUTPUT } from './wire.js';

const HOW = { [OFFSET_HOW.MEASURED]: 'sound check', [OFFSET_HOW.EAR]: 'by ear', [OFFSET_HOW.PRESET]: 'Bluetooth preset',
  [OFFSET_HOW.MANUAL]: 'manual' };

/** {text, bars: [{label, count}], bluetooth} for the feed's `offsets` (`{reported: 0}`: nothing yet). */
export function offsetSummary(o) {
  if (!o || !o.reported) return { text: 'No phone has reported its audio offset yet.', bars: [], bluetooth: 0 };
  const how = Object.entries(o.how || {}).map(([k, v]) => `${v} ${HOW[k] || k}`).join(', ');
  const bluetooth = (o.outputs || {})[OUTPUT.BLUETOOTH] || 0;
  const text = o.applied
    ? `${o.applied} of ${o.reported} phones play with an offset (${how}): median ${o.median_ms} ms, `
      + `largest ${o.max_abs_ms} ms.`
    : `None of ${o.reported} phones plays with an offset.`;
  const bounds = o.bounds_ms || [];
  const bars = (o.counts || []).map((count, i) => ({
    label: i < bounds.length ? `≤${bounds[i]} ms` : `>${bounds[bounds.length - 1]} ms`, count }));
  return { text: text + (bluetooth ? ` ${bluetooth} on Bluetooth.` : ''), bars, bluetooth };
}

/** Fill `textEl` and the histogram `barsEl` from the feed's `offsets`. */
export function renderOffsets(textEl, barsEl, offsets) {
  const s = offsetSummary(offsets);
  textEl.textContent = s.text;
  const max = Math.max(1, ...s.bars.map((b) => b.count));
  barsEl.hidden = !s.bars.length;
  barsEl.replaceChildren(...s.bars.map((b) => h('div', { className: 'bar', title: b.label },
    h('span', {}, b.count), h('div', { style: { height: `${(100 * b.count) / max}%` } }), h('span', {}, b.label))));
}
