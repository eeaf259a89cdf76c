import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cueList, cueIndexAt, hearsAt, showPositionMs } from '../../client_web/js/previewmodel.js';

const red = { id: 'red', name: 'Reds', colour: '#d32f2f', cues: [
  { id: 'bed', kind: 'music', start_ms: 0, end_ms: 30000, text: null, caption_end_ms: null },
  { id: 'a', kind: 'say', start_ms: 1000, end_ms: 3000, text: 'Walk', caption_end_ms: 4000 },
  { id: 'b', kind: 'say', start_ms: 8000, end_ms: 9000, text: 'Stop', caption_end_ms: 10000 }] };
const blue = { id: 'blue', name: 'Blues', colour: '#1976d2', cues: [
  { id: 'a', kind: 'say', start_ms: 2000, end_ms: 9000, text: 'Run', caption_end_ms: 9500 }] };
const manifest = { groups: [red, blue] };

test('every cue is listed with its start, text or kind', () => {
  assert.deepEqual(cueList(red), [{ id: 'bed', ms: 0, label: '(music) bed' }, { id: 'a', ms: 1000, label: 'Walk' },
    { id: 'b', ms: 8000, label: 'Stop' }]);
  assert.equal(cueIndexAt(cueList(red), 999), 0);
  assert.equal(cueIndexAt(cueList(red), 8000), 2);
  assert.equal(cueIndexAt(cueList(blue), 10), -1);
});

test('what every group hears at a position', () => {
  assert.deepEqual(hearsAt(manifest, 2500).map((g) => [g.id, g.caption]), [['red', 'Walk'], ['blue', 'Run']]);
  assert.deepEqual(hearsAt(manifest, 9700).map((g) => g.caption), ['Stop', null]);
});

test('the show position while it plays, else null', () => {
  const show = { state: 'running', start_at_us: 1_000_000, duration_us: 30_000_000, revision: 2 };
  assert.equal(showPositionMs(show, 3_500_000), 2500);
  assert.equal(showPositionMs(show, 500_000), null); // countdown
  assert.equal(showPositionMs(show, 40_000_000), null); // ended
  assert.equal(showPositionMs({ ...show, state: 'lobby', start_at_us: null }, 3_500_000), null);
  assert.equal(showPositionMs(show, null), null);
});
