/** lifecycle.js (the platforms' traps, pure) and platform.js (its shell) on a simulated browser. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { effectsOf, EVENTS, TABLE, EFFECTS, LifecycleError } from '../../client_web/js/lifecycle.js';
import { bindPlatform } from '../../client_web/js/platform.js';

const F = { soundOn: true, visible: true, ctxState: 'running', wakeLockHeld: true, persisted: false, mediaStopped: false };

test('a return to visible reconnects, resumes a suspended context, asks for the lock again', () => {
  assert.deepEqual(effectsOf('visible', F), ['kick', 'syncEngine']);
  assert.deepEqual(effectsOf('visible', { ...F, ctxState: 'suspended', wakeLockHeld: false }),
    ['kick', 'resumeAudio', 'wakeLock', 'syncEngine']);
  // an interrupted context is never resumed (refused, and iOS may freeze its currentTime)
  assert.deepEqual(effectsOf('visible', { ...F, ctxState: 'interrupted' }), ['kick', 'syncEngine']);
  // no lock before the person enabled sound
  assert.deepEqual(effectsOf('visible', { ...F, soundOn: false, wakeLockHeld: false }), ['kick', 'syncEngine']);
  assert.deepEqual(effectsOf('hidden', F), []);
});

test('a restore from the back-forward cache re-anchors; a normal pageshow does nothing', () => {
  assert.deepEqual(effectsOf('pageshow', { ...F, persisted: true }), ['kick', 'resync', 'outputInterrupted', 'syncEngine']);
  assert.deepEqual(effectsOf('pageshow', F), []);
  assert.deepEqual(effectsOf('resume', { ...F, ctxState: 'suspended' }),
    ['kick', 'resync', 'outputInterrupted', 'resumeAudio', 'syncEngine']);
});

test('an interruption drops the schedule; its end re-anchors; a tap resumes', () => {
  assert.deepEqual(effectsOf('ctxstate', { ...F, ctxState: 'interrupted' }), ['outputInterrupted']);
  assert.deepEqual(effectsOf('ctxstate', { ...F, ctxState: 'suspended' }), ['outputInterrupted']);
  assert.deepEqual(effectsOf('ctxstate', F), ['syncEngine']);
  assert.deepEqual(effectsOf('tap', { ...F, ctxState: 'suspended', wakeLockHeld: false }), ['resumeAudio', 'wakeLock']);
  assert.deepEqual(effectsOf('wakelock-released', { ...F, wakeLockHeld: false }), ['wakeLock']);
  assert.deepEqual(effectsOf('wakelock-released', { ...F, wakeLockHeld: false, visible: false }), []);
});

test('the <audio> player paused by the platform plays again from a tap or a return to visible', () => {
  assert.deepEqual(effectsOf('tap', { ...F, ctxState: null, mediaStopped: true }), ['resumeMedia']);
  assert.deepEqual(effectsOf('visible', { ...F, ctxState: null, mediaStopped: true }), ['kick', 'resumeMedia', 'syncEngine']);
  assert.deepEqual(effectsOf('tap', { ...F, ctxState: null }), []);
});

test('the table names only known effects; bad input says what was expected', () => {
  for (const e of EVENTS) for (const [effect] of TABLE[e]) assert.ok(EFFECTS.includes(effect), effect);
  assert.throws(() => effectsOf('blur', F), (e) => e instanceof LifecycleError && /event: expected one of visible\|hidden/.test(e.message));
  assert.throws(() => effectsOf('tap', { ...F, ctxState: 'paused' }), /facts\.ctxState: expected one of null\|running\|suspended\|interrupted\|closed, got "paused"/);
  assert.throws(() => effectsOf('tap', { ...F, visible: 'yes' }), /facts\.visible: expected a boolean/);
});

/** A browser for platform.js: event targets, a wake lock that can refuse, a clock. */
function browser() {
  const targets = () => {
    const l = {};
    return { addEventListener: (t, f) => { (l[t] ||= []).push(f); }, fire: (t, ev = {}) => (l[t] || []).forEach((f) => f(ev)) };
  };
  const doc = { ...targets(), visibilityState: 'visible' };
  const win = targets();
  let t = 0;
  const wl = { refuse: false, locks: [], async request() {
    if (wl.refuse || doc.visibilityState !== 'visible') throw Object.assign(new Error('not allowed'), { name: 'NotAllowedError' });
    const lock = { ...targets(), released: false, release() { lock.released = true; lock.fire('release'); } };
    wl.locks.push(lock);
    return lock;
  } };
  const nav = { wakeLock: wl, audioSession: { type: 'auto' } };
  return { doc, win, nav, wl, advance: (ms) => { t += ms; }, now: () => t };
}

test('platform.js: audio session, a lock re-acquired after every hide, refusals counted, time held', async () => {
  const b = browser();
  const calls = [];
  const ctx = { ...browser().win, state: 'running' };
  const p = bindPlatform({ ctx: () => ctx, engine: () => ({ outputInterrupted: (why) => calls.push(`interrupted:${why}`) }),
    soundOn: () => true, kick: () => calls.push('kick'), resync: () => calls.push('resync'),
    syncEngine: () => calls.push('sync'), resumeAudio: () => calls.push('resume'), onWakeLock: () => {} },
  { document: b.doc, window: b.win, navigator: b.nav, now: b.now });
  assert.equal(b.nav.audioSession.type, 'playback');
  await p.requestWakeLock();
  b.advance(1000);
  // hidden: the platform releases the lock; visible again: asked again
  b.doc.visibilityState = 'hidden';
  b.wl.locks[0].release();
  b.doc.fire('visibilitychange');
  b.advance(5000);
  b.doc.visibilityState = 'visible';
  b.doc.fire('visibilitychange');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(b.wl.locks.length, 2);
  b.advance(2000);
  // power saving: released while visible, and refused from then on; each tap asks again
  b.wl.refuse = true;
  b.wl.locks[1].release();
  await new Promise((r) => setTimeout(r, 0));
  b.doc.fire('pointerdown');
  await new Promise((r) => setTimeout(r, 0));
  const r = p.report();
  assert.equal(r.audioSession, 'playback');
  assert.equal(r.wakeLock.heldMs, 3000);
  assert.equal(r.wakeLock.refused, 2);
  assert.equal(r.wakeLock.requests, 4);
  assert.equal(r.wakeLock.lastError, 'NotAllowedError: not allowed');
  // an interruption reaches the engine
  p.watchContext();
  ctx.state = 'interrupted';
  ctx.fire('statechange');
  b.win.fire('pageshow', { persisted: true });
  assert.deepEqual(calls, ['kick', 'sync', 'interrupted:interrupted', 'kick', 'resync', 'interrupted:pageshow', 'sync']);
});
