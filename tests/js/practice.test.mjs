import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RATES, startPoints, expectedMs, scaledPattern, leadIn, frame, checkedRate, LEAD_IN_MS }
  from '../../client_web/js/practice.js';

const group = {
  cues: [
    { id: 'bed', kind: 'music', start_ms: 0, end_ms: 60000, text: null, vibrate: null, caption_end_ms: null },
    { id: 'hello', kind: 'say', start_ms: 2000, end_ms: 4000, text: 'Hello', vibrate: [200, 100, 200], caption_end_ms: 5000 },
    { id: 'wave[1]/up', kind: 'say', start_ms: 10000, end_ms: 11000, text: 'Arms up', vibrate: [300], caption_end_ms: 12000 },
    { id: 'wave[1]/down', kind: 'say', start_ms: 13000, end_ms: 14000, text: 'Arms down', vibrate: null, caption_end_ms: 15000 },
    { id: 'wave[2]/up', kind: 'say', start_ms: 20000, end_ms: 21000, text: 'Arms up', vibrate: [300], caption_end_ms: 22000 },
    { id: 'end', kind: 'end', start_ms: 30000, end_ms: 30000, text: null, vibrate: null, caption_end_ms: null },
  ],
};

test('the rates offered are 1x, 1.5x and 2x; anything else is 1x', () => {
  assert.deepEqual(RATES, [1, 1.5, 2]);
  assert.equal(checkedRate('1.5'), 1.5);
  assert.equal(checkedRate(3), 1);
  assert.equal(checkedRate('x'), 1);
});

test('start points: the start, every section repetition and every captioned cue, in time order', () => {
  const pts = startPoints(group);
  assert.deepEqual(pts.map((p) => [p.kind, p.ms, p.label]), [
    ['start', 0, ''], ['cue', 2000, 'Hello'], ['section', 10000, 'wave'], ['cue', 10000, 'Arms up'],
    ['cue', 13000, 'Arms down'], ['section', 20000, 'wave ×2'], ['cue', 20000, 'Arms up']]);
});

test('a section played by a cue without id is named by the section (SECTION@LINE)', () => {
  const g = { cues: [{ id: 'clap-round@40[1]/clap', start_ms: 500, end_ms: 600, text: null },
    { id: 'clap-round@40[2]/clap', start_ms: 4500, end_ms: 4600, text: null }] };
  assert.deepEqual(startPoints(g).map((p) => [p.kind, p.ms, p.label]),
    [['start', 0, ''], ['section', 500, 'clap-round'], ['section', 4500, 'clap-round ×2']]);
});

test('where the audio should be after some wall time, at each rate', () => {
  assert.equal(expectedMs(10000, 1, 4000), 14000);
  assert.equal(expectedMs(10000, 1.5, 4000), 16000);
  assert.equal(expectedMs(10000, 2, 4000), 18000);
  assert.equal(expectedMs(10000, 2, -50), 10000);
});

test('vibration patterns are shortened by the rate, never below 10 ms', () => {
  assert.deepEqual(scaledPattern([200, 100, 200], 2), [100, 50, 100]);
  assert.deepEqual(scaledPattern([300], 1.5), [200]);
  assert.deepEqual(scaledPattern([12], 2), [10]);
  assert.equal(scaledPattern(null, 2), null);
});

test('the lead-in counts 3, 2, 1 and vibrates once per new second, like the show countdown', () => {
  const a = leadIn(1000, 1000);
  assert.deepEqual([a.over, a.seconds], [false, 3]);
  assert.deepEqual(a.vibrate, [80]);
  assert.equal(leadIn(1000, 1500, 3).vibrate, null); // still 3: no second vibration
  const last = leadIn(1000, 1000 + LEAD_IN_MS - 400, 2);
  assert.deepEqual([last.seconds, last.vibrate], [1, [300]]);
  assert.equal(leadIn(1000, 1000 + LEAD_IN_MS).over, true);
});

test('a frame shows the caption heard and the vibrations of the cues passed, scaled', () => {
  const f = frame(group, 1900, 2100, 2, 30000);
  assert.equal(f.caption, 'Hello');
  assert.deepEqual(f.vibrations, [[100, 50, 100]]);
  assert.deepEqual(frame(group, 2100, 2200, 2, 30000).vibrations, []); // once
  assert.equal(frame(group, 5000, 6000, 1, 30000).caption, null); // caption over
  assert.deepEqual(frame(group, null, 10000, 1, 30000).vibrations, []); // the first frame of a jump
  assert.deepEqual(frame(group, 20500, 10000, 1, 30000).vibrations, []); // a jump back
  assert.equal(frame(group, 29000, 30000, 1, 30000).ended, true);
});
