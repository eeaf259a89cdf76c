/**
 * The participant page's screens, pure (h11-style: the rules first, the
 * transitions as data, explicit states whose errors say what was expected).
 *
 * The page (participant.js) shows one screen at a time. Which one follows from
 * what the page knows now - never from how it got there, so a reload, a lost
 * network or a late join land on the right screen by the same rules:
 *
 *   facts = { joined, phase, verified, soundOn, hasShow }
 *     joined    the page has a participant id and the show's manifest
 *     phase     showstate.js phaseAt(show, server now): lobby|countdown|playing|ended|aborted
 *     verified  the group's files are downloaded and their hashes checked
 *     soundOn   the person tapped "enable sound" (or the browser let a reload resume it)
 *     hasShow   a show record is known (kept across reloads)
 *
 * `RULES` is read top to bottom, the first match wins. `TRANSITIONS` says which
 * screen may follow which: two facts only ever change one way (a phone that has
 * joined stays joined; sound, once on, stays on), so a screen that needs the
 * other value can never follow. `ScreenMachine.step` applies the rules and
 * checks the transition; what it cannot accept throws a `MachineError` naming
 * what was expected (and carrying the screen the rules chose, so a shell can
 * still show it). Engine commands (`engineCommand`) follow the same way from
 * the show record and the phase. Nothing here touches the DOM, a clock or audio.
 */
import { STATE } from './wire.js';

/** Every screen of index.html (`#screen-<name>`). */
export const SCREENS = Object.freeze(['join', 'group', 'rejoin', 'wait', 'countdown', 'play', 'end', 'aborted']);
/** Every phase showstate.js phaseAt() returns. */
export const PHASES = Object.freeze(['lobby', 'countdown', 'playing', 'ended', 'aborted']);
/** The facts a screen follows from, with their type. */
export const FACTS = Object.freeze({ joined: 'boolean', phase: 'phase', verified: 'boolean', soundOn: 'boolean',
  hasShow: 'boolean' });

/**
 * The rules, first match wins: `when` lists the facts that must hold (all of them).
 * Why this order: the end and an abort are shown whatever else is true (the show is
 * over); nothing plays before the files are verified; a phone without sound on a
 * playing show is asked to tap (rejoin), before a show it sees its group.
 */
export const RULES = Object.freeze([
  { screen: 'join', when: { joined: false } },
  { screen: 'aborted', when: { phase: 'aborted' } },
  { screen: 'end', when: { phase: 'ended' } },
  { screen: 'group', when: { verified: false } },
  { screen: 'rejoin', when: { soundOn: false, hasShow: true, phase: 'playing' } },
  { screen: 'group', when: { soundOn: false } },
  { screen: 'countdown', when: { phase: 'countdown' } },
  { screen: 'play', when: { phase: 'playing' } },
  { screen: 'wait', when: {} },
].map((r) => Object.freeze({ screen: r.screen, when: Object.freeze(r.when) })));

const ALL = SCREENS;
const BUT = (...no) => Object.freeze(ALL.filter((s) => !no.includes(s)));
/**
 * Which screens may follow each screen (`null`: the page just loaded). A screen
 * stays itself (not a transition). Why the gaps: `join` is only shown before the
 * phone joined (joined never goes back to false); `rejoin` needs the sound off,
 * and wait/countdown/play are only shown with the sound on (soundOn never goes back).
 */
export const TRANSITIONS = Object.freeze({
  null: ALL,
  join: BUT('join'),
  group: BUT('join', 'group'),
  rejoin: BUT('join', 'rejoin'),
  wait: BUT('join', 'rejoin', 'wait'),
  countdown: BUT('join', 'rejoin', 'countdown'),
  play: BUT('join', 'rejoin', 'play'),
  end: BUT('join', 'end'),
  aborted: BUT('join', 'aborted'),
});

/** A fact, a state or a transition the machine cannot accept; `screen`: what the rules chose (or null). */
export class MachineError extends Error {
  constructor(message, screen = null) {
    super(message);
    this.name = 'MachineError';
    this.screen = screen;
  }
}

/** Throws a MachineError unless `facts` has every fact of FACTS with its type (and no other). */
export function checkFacts(facts) {
  if (!facts || typeof facts !== 'object') throw new MachineError(`facts: expected an object with ${Object.keys(FACTS).join(', ')}, got ${facts}`);
  for (const [k, type] of Object.entries(FACTS)) {
    const v = facts[k];
    if (type === 'phase' ? !PHASES.includes(v) : typeof v !== type) {
      const want = type === 'phase' ? `one of ${PHASES.join('|')}` : `a ${type}`;
      throw new MachineError(`facts.${k}: expected ${want}, got ${JSON.stringify(v)}`);
    }
  }
  for (const k of Object.keys(facts)) {
    if (!(k in FACTS)) throw new MachineError(`facts.${k}: not a fact (expected only ${Object.keys(FACTS).join(', ')})`);
  }
}

/** The screen the rules choose for `facts` (checked). */
export function screenFor(facts) {
  checkFacts(facts);
  for (const r of RULES) {
    if (Object.entries(r.when).every(([k, v]) => facts[k] === v)) return r.screen;
  }
  throw new MachineError('no rule matched (the last rule matches everything)'); // unreachable
}

/** The screen state machine: `step(facts)` -> {screen, changed, from}. */
export class ScreenMachine {
  constructor() {
    /** The current screen, null before the first step. */
    this.screen = null;
  }

  /**
   * Apply the rules to `facts` and move there. Throws a MachineError (with `.screen`
   * the rules' choice, not applied) when the move is not in TRANSITIONS.
   */
  step(facts) {
    const next = screenFor(facts);
    const from = this.screen;
    if (next === from) return { screen: next, changed: false, from };
    const allowed = TRANSITIONS[from];
    if (!allowed.includes(next)) {
      throw new MachineError(`screen '${next}' cannot follow '${from}' (facts ${JSON.stringify(facts)}): `
        + `expected one of ${allowed.join('|')}`, next);
    }
    this.screen = next;
    return { screen: next, changed: true, from };
  }

  /** Move to `screen` without the rules (after a MachineError the shell still showed it). */
  force(screen) {
    if (!SCREENS.includes(screen)) throw new MachineError(`screen: expected one of ${SCREENS.join('|')}, got ${JSON.stringify(screen)}`);
    this.screen = screen;
  }
}

/**
 * Which player plays the show (docs/playback.md, "The platforms' traps": screen lock). The
 * Web Audio engine, sample-accurate on the audio clock, unless the URL forces the <audio>
 * element (`?engine=media`), the person chose it (the trouble card's "simple player",
 * remembered), there is no AudioContext, or the group has no segments. The element keeps
 * playing across a screen lock on platforms that suspend Web Audio, but is tens of ms off:
 * the page keeps the screen on (wake lock) instead of switching by itself.
 * @returns {'webaudio'|'media'}
 */
export function playerFor({ forced = null, chosen = null, hasContext = true, hasSegments = true } = {}) {
  if (forced === 'media' || chosen === 'media') return 'media';
  if (!hasContext || !hasSegments) return 'media';
  return 'webaudio';
}

/**
 * What the engine must do, from the show record's state, whether it has a start,
 * the phase and whether the engine plays: first match wins.
 * `{ stop: fadeS }`, `{ play: true }`, or null (nothing to do).
 */
export const ENGINE_RULES = Object.freeze([
  { when: { state: STATE.ABORTED, playing: true }, command: Object.freeze({ stop: 1.5 }) },
  { when: { state: STATE.ABORTED }, command: null },
  { when: { armed: false, playing: true }, command: Object.freeze({ stop: 0.3 }) },
  { when: { armed: false }, command: null },
  { when: { phase: 'countdown' }, command: Object.freeze({ play: true }) },
  { when: { phase: 'playing' }, command: Object.freeze({ play: true }) },
  { when: {}, command: null },
].map((r) => Object.freeze({ when: Object.freeze(r.when), command: r.command })));

/**
 * The engine command for `show` (the show record or null), `phase` and `playing`.
 * `armed`: the show is not in the lobby and has a start time.
 */
export function engineCommand(show, phase, playing) {
  if (!show) return null;
  if (!PHASES.includes(phase)) throw new MachineError(`phase: expected one of ${PHASES.join('|')}, got ${JSON.stringify(phase)}`);
  const f = { state: show.state, armed: !(show.state === STATE.LOBBY || show.start_at_us == null), phase, playing: !!playing };
  for (const r of ENGINE_RULES) {
    if (Object.entries(r.when).every(([k, v]) => f[k] === v)) return r.command;
  }
  return null;
}
