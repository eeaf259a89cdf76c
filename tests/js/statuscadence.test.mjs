/** client_web/js/statuscadence.js: status on change, at most every 10 s otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusCadence, changed, STATUS_CHECK_MS, STATUS_QUIET_MS } from '../../client_web/js/statuscadence.js';

const SETTLED = { verified: true, sync_error_us: 1500, engine: 'webaudio', output_latency_us: 20000, trouble: null };

test('a settled phone sends one status every 10 s, not every 2 s', () => {
  const c = new StatusCadence();
  const sent = [];
  for (let ms = 0; ms <= 60_000; ms += STATUS_CHECK_MS) if (c.due(SETTLED, ms)) sent.push(ms);
  assert.deepEqual(sent, [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  assert.equal(STATUS_QUIET_MS, 10_000);
});

test('a change goes out at the next check', () => {
  const c = new StatusCadence();
  assert.equal(c.due(SETTLED, 0), true);
  assert.equal(c.due(SETTLED, 2000), false);
  assert.equal(c.due({ ...SETTLED, trouble: 'decode' }, 4000), true);
  assert.equal(c.due({ ...SETTLED, trouble: 'decode' }, 6000), false);
  assert.equal(c.due({ ...SETTLED, trouble: 'decode', verified: false }, 8000), true);
  assert.equal(c.due({ ...SETTLED, position_us: 5 }, 10_000), true); // playing now
});

test('small moves of the sync bound or the latency are not a change; a factor of 2 is', () => {
  assert.equal(changed(SETTLED, { ...SETTLED, sync_error_us: 1400, output_latency_us: 22000 }), false);
  assert.equal(changed(SETTLED, { ...SETTLED, sync_error_us: 2900 }), false);
  assert.equal(changed(SETTLED, { ...SETTLED, sync_error_us: 3000 }), true);
  assert.equal(changed(SETTLED, { ...SETTLED, sync_error_us: 700 }), true);
  assert.equal(changed({ ...SETTLED, sync_error_us: 100 }, { ...SETTLED, sync_error_us: 400 }), false); // below 0.25 ms
  assert.equal(changed(SETTLED, { ...SETTLED, sync_error_us: null }), true);
  assert.equal(changed(SETTLED, { ...SETTLED, output_latency_us: 45000 }), true);
});

test('after reset (a new welcome) the next status goes out at once', () => {
  const c = new StatusCadence();
  assert.equal(c.due(SETTLED, 0), true);
  c.reset();
  assert.equal(c.due(SETTLED, 1000), true);
});

test('a new offset or output goes out at the next check (the console counts them)', () => {
  const c = new StatusCadence();
  assert.equal(c.due({ ...SETTLED, offset_ms: 0, output: 'unknown' }, 0), true);
  assert.equal(c.due({ ...SETTLED, offset_ms: 250, offset_how: 'preset', output: 'unknown' }, 2000), true);
  assert.equal(c.due({ ...SETTLED, offset_ms: 250, offset_how: 'preset', output: 'bluetooth' }, 4000), true);
  assert.equal(c.due({ ...SETTLED, offset_ms: 250, offset_how: 'preset', output: 'bluetooth' }, 6000), false);
});
