/**
 * The platforms' traps, the shell: listens to the browser's lifecycle events,
 * asks lifecycle.js (pure) what to do, and does it through the hooks
 * participant.js gives. Also: the audio session type (iOS's ringer switch) and
 * the screen wake lock, with what the page needs to know about both.
 *
 * `navigator.audioSession.type = 'playback'` (Audio Session API, Safari 16.4+,
 * https://w3c.github.io/audio-session/#dom-audiosession-type): audio for media
 * playback, which iOS plays with the ringer switch on silent - the default
 * ('auto') lets Web Audio be muted by it. Set where the API exists; elsewhere
 * nothing to do (Android and desktops have no ringer switch for page audio).
 *
 * The screen wake lock (https://w3c.github.io/screen-wake-lock/) is requested
 * from the tap that enables sound and again on every return to visible and on
 * every tap while it is not held (the platform releases it when the page is
 * hidden, and may refuse or release it in power saving / low battery); a
 * refused lock shows the "keep the screen on" hint (participant.js #wakelock).
 * `report()` says how long it was held and how often asked and refused.
 */
import { effectsOf } from './lifecycle.js';

/**
 * @param {object} h hooks: ctx() the AudioContext or null; engine() the player or null;
 *   soundOn() boolean; kick() reconnect now; resync() a clock sync burst; syncEngine();
 *   resumeAudio() resume the (suspended) context;
 *   onWakeLock(lock|null) the lock held (or none) changed
 * @param {object} [env] the browser (injected for the tests): document, window, navigator, now()
 */
export function bindPlatform(h, env = {}) {
  const doc = env.document || globalThis.document;
  const win = env.window || globalThis.window;
  const nav = env.navigator || globalThis.navigator;
  const now = env.now || (() => performance.now());
  const stats = { audioSession: null, wakeLock: { requests: 0, refused: 0, released: 0, heldMs: 0, lastError: null },
    events: {} };
  let lock = null;
  let heldSince = null;
  let requesting = false;
  let boundCtx = null;

  function setAudioSession() {
    try {
      if (nav.audioSession && nav.audioSession.type !== 'playback') nav.audioSession.type = 'playback';
      stats.audioSession = nav.audioSession ? nav.audioSession.type : null;
    } catch (e) {
      stats.audioSession = `error: ${e}`;
    }
  }

  function held(l) {
    if (lock === l) return;
    if (heldSince !== null) stats.wakeLock.heldMs += now() - heldSince;
    lock = l;
    heldSince = l ? now() : null;
    h.onWakeLock(l);
  }

  async function requestWakeLock() {
    if (requesting || (lock && !lock.released)) return;
    requesting = true;
    stats.wakeLock.requests++;
    try {
      if (!nav.wakeLock) throw new Error('no Screen Wake Lock API');
      const l = await nav.wakeLock.request('screen');
      l.addEventListener('release', () => {
        stats.wakeLock.released++;
        if (lock === l) held(null);
        run('wakelock-released');
      });
      held(l);
    } catch (e) {
      stats.wakeLock.refused++;
      stats.wakeLock.lastError = String(e && e.name ? `${e.name}: ${e.message}` : e);
      held(null);
    } finally {
      requesting = false;
    }
  }

  function facts(persisted = false) {
    const ctx = h.ctx();
    const state = ctx ? ctx.state : null;
    return { soundOn: !!h.soundOn(), visible: doc.visibilityState === 'visible', persisted,
      ctxState: ['running', 'suspended', 'interrupted', 'closed'].includes(state) ? state : null,
      wakeLockHeld: !!(lock && !lock.released), mediaStopped: !!h.engine()?.stoppedByPlatform?.() };
  }

  const DO = {
    kick: () => h.kick(),
    resync: () => h.resync(),
    // why: the context's state for a statechange ('interrupted', 'suspended'), else the event
    outputInterrupted: (event) => h.engine()?.outputInterrupted?.(event === 'ctxstate' ? h.ctx()?.state : event),
    resumeAudio: () => h.resumeAudio(),
    resumeMedia: () => h.engine()?.resumeFromGesture?.(),
    wakeLock: () => requestWakeLock(),
    syncEngine: () => h.syncEngine(),
  };

  function run(event, persisted = false) {
    stats.events[event] = (stats.events[event] || 0) + 1;
    watchContext();
    for (const effect of effectsOf(event, facts(persisted))) DO[effect](event);
  }

  /** Follow the context's statechange (a new context after a reload or the player switch). */
  function watchContext() {
    const ctx = h.ctx();
    if (!ctx || ctx === boundCtx) return;
    boundCtx = ctx;
    ctx.addEventListener('statechange', () => { if (h.ctx() === ctx) run('ctxstate'); });
  }

  doc.addEventListener('visibilitychange', () => run(doc.visibilityState === 'visible' ? 'visible' : 'hidden'));
  win.addEventListener('pagehide', (ev) => run('pagehide', !!ev.persisted));
  win.addEventListener('pageshow', (ev) => run('pageshow', !!ev.persisted));
  doc.addEventListener('resume', () => run('resume'));
  doc.addEventListener('pointerdown', () => run('tap'), { capture: true, passive: true });
  setAudioSession();

  return {
    /** Ask for the screen wake lock (from the tap that enables sound; again by the rules). */
    requestWakeLock,
    /** Set the audio session type again (call inside the tap that enables sound). */
    setAudioSession,
    /** Bind the context's statechange now (after creating one). */
    watchContext,
    /** What the platform did: audio session type, wake lock time and refusals, events seen. */
    report() {
      const w = { ...stats.wakeLock, held: !!(lock && !lock.released) };
      if (heldSince !== null) w.heldMs += now() - heldSince;
      w.heldMs = Math.round(w.heldMs);
      return { audioSession: stats.audioSession, wakeLock: w, events: { ...stats.events } };
    },
  };
}
