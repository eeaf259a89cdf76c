/** client_web/js/consoleoffsets.js: the console's audio-offset panel, pure part. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { offsetSummary } from '../../client_web/js/consoleoffsets.js';

test('offsetSummary: nothing reported, none applied, a distribution with Bluetooth', () => {
  assert.equal(offsetSummary({ reported: 0 }).bars.length, 0);
  assert.match(offsetSummary(undefined).text, /No phone/);
  assert.match(offsetSummary({ reported: 3, applied: 0, counts: [0, 0, 0, 0, 0, 0], bounds_ms: [20, 50, 100, 200, 400],
    how: {}, outputs: {} }).text, /None of 3/);
  const s = offsetSummary({ reported: 300, applied: 14, median_ms: 240, max_abs_ms: 480, bounds_ms: [20, 50, 100, 200, 400],
    counts: [2, 1, 0, 1, 8, 2], how: { ear: 3, measured: 2, preset: 9 }, outputs: { bluetooth: 11, speaker: 40 } });
  assert.equal(s.text, '14 of 300 phones play with an offset (3 by ear, 2 sound check, 9 Bluetooth preset): '
    + 'median 240 ms, largest 480 ms. 11 on Bluetooth.');
  assert.deepEqual(s.bars.map((b) => b.label), ['≤20 ms', '≤50 ms', '≤100 ms', '≤200 ms', '≤400 ms', '>400 ms']);
  assert.deepEqual(s.bars.map((b) => b.count), [2, 1, 0, 1, 8, 2]);
  assert.equal(s.bluetooth, 11);
});
