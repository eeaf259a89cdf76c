/** showstate.js and sha256.js: pure helpers of the pages (audioclock.js: audioclock.test.mjs). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as SS from '../../client_web/js/showstate.js';
import { sha256HexJs, sha256Hex } from '../../client_web/js/sha256.js';
import { rng } from './netsim.mjs';

test('phaseAt: lobby, countdown, playing, ended from the clock, aborted', () => {
  const show = { state: 'armed', start_at_us: 10_000_000, duration_us: 5_000_000, revision: 1 };
  assert.equal(SS.phaseAt(null, 0).phase, 'lobby');
  assert.deepEqual(SS.phaseAt(show, 7_500_000), { phase: 'countdown', positionUs: -2_500_000, untilStartUs: 2_500_000, remainingUs: 5_000_000 });
  assert.equal(SS.phaseAt(show, 10_000_000).phase, 'playing');
  // a "running" message arriving early changes nothing: time decides
  assert.equal(SS.phaseAt({ ...show, state: 'running' }, 9_000_000).phase, 'countdown');
  // "ended" is not shown before the end of the sound even if the message says so
  assert.equal(SS.phaseAt({ ...show, state: 'ended' }, 14_999_999).phase, 'playing');
  assert.equal(SS.phaseAt(show, 15_000_000).phase, 'ended');
  assert.equal(SS.phaseAt({ ...show, state: 'aborted' }, 12_000_000).phase, 'aborted');
  assert.equal(SS.phaseAt({ ...show, state: 'lobby', start_at_us: null }, 12_000_000).phase, 'lobby');
  assert.equal(SS.newerShow(show, { ...show, revision: 0, state: 'lobby' }), show);
});

test('cueAt: a cue with caption_end_ms is shown until then (the caption rule), null: never', () => {
  const cues = [{ start_ms: 0, end_ms: 105000, text: null, caption_end_ms: null },
    { start_ms: 3000, end_ms: 6521, text: 'Welcome', caption_end_ms: 7521 },
    { start_ms: 25000, end_ms: 25000, text: 'Look around', caption_end_ms: 30000 },
    { start_ms: 30000, end_ms: 31199, text: 'Stop', caption_end_ms: 33199 },
    { start_ms: 40000, end_ms: 40250, text: 'clap', caption_end_ms: null },
    { start_ms: 175000, end_ms: 175000, text: 'The end', caption_end_ms: null }];
  assert.equal(SS.cueAt(cues, 7000).text, 'Welcome'); // held after the speech, as in the WebVTT file
  assert.equal(SS.cueAt(cues, 7521), null);
  for (const ms of [25000, 25001, 27000, 29999]) assert.equal(SS.cueAt(cues, ms).text, 'Look around');
  assert.equal(SS.cueAt(cues, 30000).text, 'Stop');
  assert.equal(SS.cueAt(cues, 40100), null);
  assert.equal(SS.cueAt(cues, 175000), null);
  assert.equal(SS.captionEndMs({ start_ms: 5, end_ms: 5 }), 6); // written before the key existed
});

test('cues, countdown and clock formatting', () => {
  const cues = [{ start_ms: 0, end_ms: 2500, text: 'Welcome', vibrate: [200] },
    { start_ms: 3000, end_ms: 6000, text: 'Walk', vibrate: null }, { start_ms: 5000, end_ms: 5500, text: 'Clap' }];
  assert.equal(SS.cueAt(cues, 100).text, 'Welcome');
  assert.equal(SS.cueAt(cues, 2700), null);
  assert.equal(SS.cueAt(cues, 5200).text, 'Clap');
  assert.equal(SS.cueAt(cues, 5700).text, 'Walk');
  assert.deepEqual(SS.cuesStartingBetween(cues, 2000, 3000).map((c) => c.text), ['Walk']);
  assert.equal(SS.countdownSeconds(2_000_001), 3);
  assert.equal(SS.countdownSeconds(1), 1);
  assert.deepEqual(SS.countdownVibration(1), [300]);
  assert.equal(SS.countdownVibration(6), null);
  assert.equal(SS.formatClock(3_723_000_000), '1:02:03');
  assert.equal(SS.formatClock(65_500_000), '1:05');
  assert.equal(SS.formatClock(1_000_001, { up: true }), '0:02');
});

test('groupPalette: text always reaches WCAG AA (4.5:1) on the group colour', () => {
  for (const c of ['#d32f2f', '#1976d2', '#ffeb3b', '#4caf50', '#ff9800', '#9c27b0', '#00bcd4', '#ffffff', '#000000', 'bad']) {
    const p = SS.groupPalette(c);
    assert.ok(SS.contrast(p.bg, p.fg) >= 4.5, `${c}: ${p.bg} / ${p.fg} = ${SS.contrast(p.bg, p.fg).toFixed(2)}`);
  }
  assert.equal(SS.groupPalette('#ffeb3b').fg, '#111111');
});

test('sha256: pure JS equals node:crypto for lengths around the block edges and 1 MB', async () => {
  const rand = rng(1);
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 1 << 20]) {
    const buf = new Uint8Array(n).map(() => Math.floor(rand() * 256));
    const want = createHash('sha256').update(buf).digest('hex');
    assert.equal(sha256HexJs(buf), want, `length ${n}`);
    assert.equal(sha256HexJs(buf.buffer), want);
    assert.equal(await sha256Hex(buf), want);
  }
});
