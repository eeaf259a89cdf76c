/** medialaw.js: the media-element player's control law, against a simulated element. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { expectedS, mediaStep, LAW } from '../../client_web/js/medialaw.js';

test('expectedS: server time since the start plus the manual offset', () => {
  assert.equal(expectedS(12_500_000, 10_000_000, 0), 2.5);
  assert.equal(expectedS(12_500_000, 10_000_000, 100), 2.6);
  assert.equal(expectedS(9_000_000, 10_000_000, 0), -1);
});

test('the steps: wait at 0, start, seek when far, trim when near, pause at the end', () => {
  assert.deepEqual(mediaStep({ wantS: -1, currentTime: 0, paused: true, durationS: NaN }), {});
  assert.deepEqual(mediaStep({ wantS: -1, currentTime: 3, paused: false, durationS: 60 }), { pause: true, seekTo: 0 });
  assert.deepEqual(mediaStep({ wantS: -0.04, currentTime: 0, paused: true, durationS: 60 }),
    { seekTo: 0, play: true, started: true }); // within the pre-roll: starts at 0
  assert.deepEqual(mediaStep({ wantS: 12, currentTime: 0, paused: true, durationS: 60 }), { seekTo: 12, play: true, started: true });
  assert.deepEqual(mediaStep({ wantS: 12, currentTime: 12.3, paused: false, durationS: 60 }), { seekTo: 12.05, seeked: true });
  assert.deepEqual(mediaStep({ wantS: 12, currentTime: 12.1, paused: false, durationS: 60 }), { rate: 1 - 0.1 * LAW.gain });
  assert.deepEqual(mediaStep({ wantS: 12, currentTime: 11.8, paused: false, durationS: 60 }), { rate: 1.02 }); // clamped
  assert.deepEqual(mediaStep({ wantS: 60, currentTime: 59.9, paused: false, durationS: 60 }), { pause: true });
});

test('closed loop: an element that lags 80 ms and runs 300 ppm slow is brought within 5 ms', () => {
  // the element plays at `rate * (1 - 300e-6)`; the law runs every 250 ms
  const el = { currentTime: 0, paused: true, rate: 1 };
  let t = 0; // show seconds (want)
  const dt = 0.25;
  let seeks = 0;
  for (let i = 0; i < 4 * 600; i++) {
    const act = mediaStep({ wantS: t, currentTime: el.currentTime, paused: el.paused, durationS: 3600 });
    if (act.pause) el.paused = true;
    if (act.seekTo !== undefined) el.currentTime = act.seekTo;
    if (act.play) { el.paused = false; el.currentTime -= 0.08; } // started 80 ms late
    if (act.seeked) seeks++;
    if (act.rate !== undefined) el.rate = act.rate;
    t += dt;
    if (!el.paused) el.currentTime += dt * el.rate * (1 - 300e-6);
  }
  assert.equal(seeks, 0);
  assert.ok(Math.abs(el.currentTime - t) < 0.005, `error ${(el.currentTime - t) * 1000} ms`);
});
