/** engineapi.js: both players implement the one interface participant.js drives. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { engineProblems, ENGINE_METHODS } from '../../client_web/js/engineapi.js';
import { WebAudioEngine } from '../../client_web/js/engine.js';
import { MediaEngine } from '../../client_web/js/mediaengine.js';

test('WebAudioEngine and MediaEngine implement every member', () => {
  assert.deepEqual(engineProblems(WebAudioEngine.prototype, { checkFields: false }), []);
  assert.deepEqual(engineProblems(MediaEngine.prototype, { checkFields: false }), []);
  // a constructed media engine, on a stand-in element (no DOM under Node)
  const audio = { src: '', paused: true, pause() {}, play: () => Promise.resolve() };
  const m = new MediaEngine({ audio, clock: { serverTime: () => 0 }, src: '/bundle/x.mp3' });
  assert.deepEqual(engineProblems(m), []);
  assert.equal(m.timingTrouble(), null);
  assert.equal(m.startBoundUs(), null);
  assert.equal(m.playing, false);
});

test('what is missing is named', () => {
  assert.deepEqual(engineProblems(null), ['not an engine (expected an object)']);
  const p = engineProblems({ name: 'vinyl', report: {}, play() {} });
  assert.ok(p.includes('stop(): expected a method'));
  assert.ok(p.includes('playing: expected a boolean getter'));
  assert.ok(p.some((x) => /^name: expected one of webaudio\|media, got "vinyl"/.test(x)));
  assert.equal(p.filter((x) => x.endsWith('expected a method')).length, ENGINE_METHODS.length - 1);
});

test('MediaEngine: paused by the platform mid-show is resumed from a gesture at the clock\'s position', () => {
  let now = 0;
  const calls = [];
  const audio = { src: '', paused: true, currentTime: 0, duration: 30, playbackRate: 1,
    pause() { this.paused = true; }, play() { this.paused = false; calls.push(this.currentTime); return Promise.resolve(); } };
  const m = new MediaEngine({ audio, clock: { serverTime: () => now }, src: 'blob:x', tickMs: 1e9 });
  const show = { start_at_us: 1_000_000 };
  assert.equal(m.stoppedByPlatform(), false); // not playing
  now = 500_000;
  m.play(show); // before the start: waits
  assert.equal(m.stoppedByPlatform(), false);
  now = 3_000_000;
  m.tick();
  assert.equal(audio.paused, false);
  audio.pause(); // a call
  now = 9_000_000;
  assert.equal(m.stoppedByPlatform(), true);
  m.resumeFromGesture();
  assert.equal(audio.paused, false);
  assert.deepEqual(calls, [2, 8]); // started at 2 s, resumed where the show is: 8 s
  m.stopNow();
  assert.equal(m.stoppedByPlatform(), false);
});
