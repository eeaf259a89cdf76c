import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TroubleWatch, remedies, TROUBLES } from '../../client_web/js/trouble.js';

test('a healthy running context is no trouble', () => {
  const w = new TroubleWatch();
  w.expectRunning(0);
  for (let ms = 0; ms <= 10_000; ms += 100) w.context('running', ms / 1000 * (1 + 150e-6), ms);
  assert.equal(w.reason, null);
});

test('a context still suspended after the grace period is "start"', () => {
  const w = new TroubleWatch({ startGraceMs: 3000 });
  w.expectRunning(1000);
  w.context('suspended', 0, 3900);
  assert.equal(w.reason, null);
  w.context('suspended', 0, 4000);
  assert.equal(w.reason, 'start');
  w.context('running', 0, 4100); // it started after all
  assert.equal(w.reason, null);
});

test('a clock running 10 % fast, or standing still while running, is "timing"', () => {
  const fast = new TroubleWatch();
  for (let ms = 0; ms <= 3000; ms += 100) fast.context('running', (ms / 1000) * 1.1, ms);
  assert.equal(fast.reason, 'timing');
  const stuck = new TroubleWatch();
  for (let ms = 0; ms <= 2500; ms += 100) stuck.context('running', 0.5, ms);
  assert.equal(stuck.reason, 'timing');
});

test('a rate judged before the window is full is not trouble', () => {
  const w = new TroubleWatch({ rateWindowMs: 2000 });
  for (let ms = 0; ms <= 1900; ms += 100) w.context('running', (ms / 1000) * 1.5 + 0.01, ms);
  assert.equal(w.reason, null);
});

test('the timing verdict follows recent behaviour', () => {
  const w = new TroubleWatch();
  let ctx = 0;
  for (let ms = 0; ms <= 3000; ms += 100) { w.context('running', ctx, ms); ctx += 0.12; }
  assert.equal(w.reason, 'timing');
  for (let ms = 3100; ms <= 30_000; ms += 100) { w.context('running', ctx, ms); ctx += 0.1; }
  assert.equal(w.reason, null);
});

test('the engine saying its output timing is implausible is "timing"', () => {
  const w = new TroubleWatch();
  w.engineTiming('output timestamp in the future');
  assert.equal(w.reason, 'timing');
  w.engineTiming(null);
  assert.equal(w.reason, null);
});

test('reasons come most serious first; switching players forgets all but media', () => {
  const w = new TroubleWatch();
  w.expectRunning(0);
  w.context('suspended', 0, 5000);
  w.decodeProbe(false);
  assert.equal(w.reason, 'decode');
  w.mediaFailed();
  assert.equal(w.reason, 'media');
  w.reset();
  assert.equal(w.reason, 'media');
  w.reset({ keepMedia: false });
  assert.equal(w.reason, null);
  w.decodeErrors(0);
  assert.equal(w.reason, null);
  w.decodeErrors(2);
  assert.equal(w.reason, 'decode');
  assert.deepEqual([...TROUBLES], ['media', 'decode', 'start', 'timing']);
});

test('remedies: the <audio> player unless that is what failed; the MP3 always', () => {
  assert.equal(remedies(null, { player: 'webaudio', canPlayMp3: true }), null);
  assert.deepEqual(remedies('decode', { player: 'webaudio', canPlayMp3: true }), { mediaPlayer: true, mp3: true });
  assert.deepEqual(remedies('decode', { player: 'webaudio', canPlayMp3: false }), { mediaPlayer: false, mp3: true });
  assert.deepEqual(remedies('media', { player: 'media', canPlayMp3: true }), { mediaPlayer: false, mp3: true });
  assert.deepEqual(remedies('start', { player: 'media', canPlayMp3: true }), { mediaPlayer: false, mp3: true });
});
