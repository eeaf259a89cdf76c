/** client_web/js/alarms.js: the pure lines the console shows for feed.alarms. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { alarmLines } from '../../client_web/js/alarms.js';

const NOW = 1_786_000_360_000_000;

test('active alarms say since when and how often; resolved ones say when', () => {
  const lines = alarmLines([
    { key: 'store.write', level: 'critical', message: 'disk full', since_us: NOW - 65e6, last_us: NOW, count: 61, resolved_at_us: null, detail: null },
    { key: 'ntp.offset', level: 'critical', message: 'off by 3 h', since_us: NOW - 7300e6, last_us: NOW, count: 1, resolved_at_us: NOW - 30e6, detail: null },
    { key: 'ntp.unusable', level: 'warning', message: '<b>x</b>', since_us: NOW - 3e6, last_us: NOW, count: 1, resolved_at_us: null, detail: null },
  ], NOW);
  assert.deepEqual(lines.map((l) => [l.key, l.active, l.title, l.when]), [
    ['store.write', true, 'CRITICAL · store.write', 'for 1 min · seen 61 times'],
    ['ntp.offset', false, 'CRITICAL · ntp.offset', 'resolved 30 s ago'],
    ['ntp.unusable', true, 'Warning · ntp.unusable', 'for 3 s'],
  ]);
  assert.equal(lines[2].text, '<b>x</b>'); // text, rendered with textContent
});

test('no alarms, no lines', () => {
  assert.deepEqual(alarmLines(undefined, NOW), []);
  assert.deepEqual(alarmLines([], NOW), []);
});
