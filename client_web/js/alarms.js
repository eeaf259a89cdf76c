/**
 * Console alarms (docs/protocol.md "Alarms"): `feed.alarms` as a list the
 * organizer cannot miss. Active alarms first (critical ones red), then the ones
 * resolved in the last minutes, greyed.
 *
 * `alarmLines(alarms, nowUs)` is the pure part (runs under Node);
 * `renderAlarms(panel, list, alarms, nowUs)` builds the DOM with createElement
 * and textContent only: alarm texts carry error messages and host names, never
 * HTML.
 */
import { ALARM_LEVEL } from './wire.js';

const ago = (us) => {
  const s = Math.max(0, Math.round(us / 1e6));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

/** One entry per alarm: { key, level, active, title, text, when }. */
export function alarmLines(alarms, nowUs) {
  return (alarms || []).map((a) => {
    const active = a.resolved_at_us === null || a.resolved_at_us === undefined;
    const repeats = a.count > 1 ? ` · seen ${a.count} times` : '';
    const when = active ? `for ${ago(nowUs - a.since_us)}${repeats}` : `resolved ${ago(nowUs - a.resolved_at_us)} ago${repeats}`;
    return { key: a.key, level: a.level, active, title: `${a.level === ALARM_LEVEL.CRITICAL ? 'CRITICAL' : 'Warning'} · ${a.key}`, text: a.message, when };
  });
}

/** Fill `list` (a <ul>) with the alarms; show `panel` only when there are some. */
export function renderAlarms(panel, list, alarms, nowUs) {
  const lines = alarmLines(alarms, nowUs);
  panel.hidden = lines.length === 0;
  panel.classList.toggle('has-active', lines.some((l) => l.active));
  list.replaceChildren(...lines.map((l) => {
    const li = document.createElement('li');
    li.className = `alarm ${l.level}${l.active ? ' active' : ' resolved'}`;
    li.dataset.key = l.key;
    const head = document.createElement('strong');
    head.textContent = l.title;
    const when = document.createElement('span');
    when.className = 'alarm-when';
    when.textContent = ` (${l.when})`;
    const text = document.createElement('p');
    text.textContent = l.text;
    li.append(head, when, text);
    return li;
  }));
}
