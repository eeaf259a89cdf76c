/**
 * The platforms' traps, pure: what the participant page does when the platform
 * hides, freezes, interrupts or restores it (docs/playback.md, "The
 * platforms' traps"). `effectsOf(event, facts)` returns the effects, in order;
 * platform.js (the shell) listens to the browser and performs them.
 *
 * The show's position is always kept by the clock sync (server time), never by
 * the audio: whatever stopped the sound, the page re-anchors where the show is
 * by then (engine.js `outputInterrupted`, then a fresh audio clock).
 *
 * Events and what the platforms document about them:
 * - 'visible' / 'hidden' (Page Visibility, `visibilitychange`): a hidden page loses
 *   its screen wake lock ("handling document loss of visibility",
 *   https://w3c.github.io/screen-wake-lock/#handling-document-loss-of-visibility) and
 *   may not request one (NotAllowedError): it is requested again on *every* return
 *   to visible. Its timers may be throttled (Chromium: a hidden page silent for
 *   30 s - a silent track does not count - gets 1 wake-up per second, 1 per minute
 *   after 5 min hidden, https://developer.chrome.com/blog/timer-throttling-in-chrome-88;
 *   the engine schedules that far ahead, playplan.js `scheduleAheadFor`).
 * - 'pagehide' / 'pageshow' with `persisted` (the back-forward cache,
 *   https://html.spec.whatwg.org/multipage/nav-history-apis.html#the-pagetransitionevent-interface,
 *   https://web.dev/articles/bfcache): a page restored from it was frozen, its audio
 *   too; its socket was closed. Reconnect, resync, re-anchor. (A page with an open
 *   WebSocket is not put in the cache by Chromium or Gecko - WPT
 *   websockets/back-forward-cache-with-open-websocket-connection - so on most phones
 *   a return is a reload, the tested path; Safari's rules differ.)
 * - 'resume' (Page Lifecycle API, Chromium's `resume` after `freeze`,
 *   https://developer.chrome.com/docs/web-platform/page-lifecycle-api): as a restore.
 * - 'ctxstate' (the AudioContext's `statechange`): 'interrupted' (a call, Siri, an
 *   alarm, another app taking the audio session: WebKit, and the Web Audio spec since
 *   2025, https://webaudio.github.io/web-audio-api/#dom-audiocontextstate-interrupted,
 *   WebAudio/web-audio-api#2392) - `resume()` is refused while it lasts and a refused
 *   resume can leave iOS's context 'running' with a frozen currentTime
 *   (GetStream/stream-video-js#2249): never resume an interrupted context, wait for
 *   the platform to end the interruption ('running') or to hand it back 'suspended'
 *   (then resume on the next tap or visibility change). 'suspended' by the platform
 *   (a locked screen): the same.
 * - 'tap' (any pointerdown: a user gesture, the one thing every engine accepts to
 *   resume audio and to request a wake lock).
 * - 'wakelock-released': the platform let go of the lock while the page was visible
 *   (power saving, a low battery): ask again; a refusal shows the "keep the screen on" hint.
 * A phone call mid-show is 'interrupted' (iOS), or a 'hidden' page whose audio the OS
 * pauses (Android's audio focus): both end in a re-anchor at the show's position. The
 * <audio> player paused by the platform (`mediaStopped`: a call, another app's audio) is
 * played again from the next tap or return to visible - inside the gesture, which the
 * platforms require of a play() - at the clock's position (medialaw.js).
 */

/** Every effect the shell performs. */
export const EFFECTS = Object.freeze(['kick', 'resync', 'outputInterrupted', 'resumeAudio', 'resumeMedia', 'wakeLock',
  'syncEngine']);
/** Every event the shell feeds in. */
export const EVENTS = Object.freeze(['visible', 'hidden', 'pagehide', 'pageshow', 'resume', 'tap', 'ctxstate',
  'wakelock-released']);
/** AudioContext states (`null`: no context). */
export const CTX_STATES = Object.freeze([null, 'running', 'suspended', 'interrupted', 'closed']);

/** The facts an event's effects depend on, with their type. */
export const FACTS = Object.freeze({ soundOn: 'boolean', visible: 'boolean', ctxState: 'ctx', wakeLockHeld: 'boolean',
  persisted: 'boolean', mediaStopped: 'boolean' });

// conditions of the rules, by name (data: the table below names them)
const COND = Object.freeze({
  always: () => true,
  persisted: (f) => f.persisted,
  resumable: (f) => f.ctxState === 'suspended', // never 'interrupted' (see above)
  stopped: (f) => f.ctxState === 'suspended' || f.ctxState === 'interrupted',
  soundOn: (f) => f.soundOn,
  wantsLock: (f) => f.soundOn && f.visible && !f.wakeLockHeld,
  running: (f) => f.ctxState === 'running',
  mediaStopped: (f) => f.mediaStopped,
});

/**
 * The table: for each event, the effects in order, each with the condition it needs.
 * A restore (pageshow from the cache, a lifecycle resume) was a freeze of the page and its
 * audio: the output is declared interrupted whatever the context says.
 */
export const TABLE = Object.freeze({
  visible: [['kick', 'always'], ['resumeAudio', 'resumable'], ['resumeMedia', 'mediaStopped'], ['wakeLock', 'wantsLock'],
    ['syncEngine', 'always']],
  hidden: [],
  pagehide: [],
  pageshow: [['kick', 'persisted'], ['resync', 'persisted'], ['outputInterrupted', 'persisted'],
    ['resumeAudio', 'resumable'], ['wakeLock', 'wantsLock'], ['syncEngine', 'persisted']],
  resume: [['kick', 'always'], ['resync', 'always'], ['outputInterrupted', 'always'], ['resumeAudio', 'resumable'],
    ['wakeLock', 'wantsLock'], ['syncEngine', 'always']],
  tap: [['resumeAudio', 'resumable'], ['resumeMedia', 'mediaStopped'], ['wakeLock', 'wantsLock']],
  ctxstate: [['outputInterrupted', 'stopped'], ['syncEngine', 'running']],
  'wakelock-released': [['wakeLock', 'wantsLock']],
});

/** An event or facts the core cannot accept, naming what was expected. */
export class LifecycleError extends Error {
  constructor(message) {
    super(message);
    this.name = 'LifecycleError';
  }
}

function checkFacts(facts) {
  for (const [k, type] of Object.entries(FACTS)) {
    const v = facts?.[k];
    const ok = type === 'ctx' ? CTX_STATES.includes(v) : typeof v === type;
    if (!ok) {
      const want = type === 'ctx' ? `one of ${CTX_STATES.map(String).join('|')}` : `a ${type}`;
      throw new LifecycleError(`facts.${k}: expected ${want}, got ${JSON.stringify(v)}`);
    }
  }
}

/** The effects of `event` given `facts` (both checked), in the order the shell performs them. */
export function effectsOf(event, facts) {
  if (!EVENTS.includes(event)) throw new LifecycleError(`event: expected one of ${EVENTS.join('|')}, got ${JSON.stringify(event)}`);
  checkFacts(facts);
  return TABLE[event].filter(([, cond]) => COND[cond](facts)).map(([effect]) => effect);
}
