/** participantmachine.js: the participant page's screen rules, transitions and engine commands. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { SCREENS, PHASES, RULES, TRANSITIONS, ScreenMachine, MachineError, screenFor, checkFacts,
  engineCommand, playerFor } from '../../client_web/js/participantmachine.js';

const BOOLS = [false, true];
function* allFacts() {
  for (const joined of BOOLS) for (const phase of PHASES) for (const verified of BOOLS)
    for (const soundOn of BOOLS) for (const hasShow of BOOLS) yield { joined, phase, verified, soundOn, hasShow };
}

/** The if-chain render() held before the split (participant.js at 9be6308), as the reference. */
function oldChain({ joined, phase, verified, soundOn, hasShow }) {
  if (!joined) return 'join';
  if (phase === 'aborted') return 'aborted';
  if (phase === 'ended') return 'end';
  if (!verified) return 'group';
  if (!soundOn) return hasShow && phase === 'playing' ? 'rejoin' : 'group';
  if (phase === 'countdown') return 'countdown';
  if (phase === 'playing') return 'play';
  return 'wait';
}

test('the rules choose the screen the old if-chain chose, for every combination of facts', () => {
  let n = 0;
  for (const f of allFacts()) {
    assert.equal(screenFor(f), oldChain(f), JSON.stringify(f));
    n++;
  }
  assert.equal(n, 2 * 5 * 2 * 2 * 2);
  // every rule is used by some facts (none is shadowed), and every screen has a rule
  for (const r of RULES) assert.ok([...allFacts()].some((f) => RULES.find((x) => Object.entries(x.when)
    .every(([k, v]) => f[k] === v)) === r), `rule ${JSON.stringify(r)} is never the first match`);
  assert.deepEqual([...new Set(RULES.map((r) => r.screen))].sort(), [...SCREENS].sort());
});

test('TRANSITIONS is exactly the set of moves facts can make (joined and soundOn never go back)', () => {
  const reachable = new Map(SCREENS.map((s) => [s, new Set()]));
  const facts = [...allFacts()];
  for (const a of facts) for (const b of facts) {
    if ((a.joined && !b.joined) || (a.soundOn && !b.soundOn)) continue;
    const sa = screenFor(a), sb = screenFor(b);
    if (sa !== sb) reachable.get(sa).add(sb);
  }
  for (const s of SCREENS) assert.deepEqual([...reachable.get(s)].sort(), [...TRANSITIONS[s]].sort(), `from ${s}`);
  assert.deepEqual([...TRANSITIONS.null].sort(), [...SCREENS].sort());
});

test('a phone\'s evening: join, download, sound, countdown, play, end, a new show, a lost file', () => {
  const m = new ScreenMachine();
  const f = { joined: false, phase: 'lobby', verified: false, soundOn: false, hasShow: false };
  const seq = [];
  const step = (change) => { Object.assign(f, change); const r = m.step({ ...f }); seq.push(r.screen); return r; };
  assert.equal(step({}).changed, true);
  step({ joined: true, hasShow: true });
  assert.equal(step({}).changed, false); // staying is not a move
  step({ verified: true });
  step({ soundOn: true });
  step({ phase: 'countdown' });
  step({ phase: 'playing' });
  step({ verified: false }); // the browser dropped a kept file mid-show: back to the download
  step({ verified: true });
  step({ phase: 'ended' });
  step({ phase: 'countdown' }); // the next show
  step({ phase: 'aborted' });
  assert.deepEqual(seq, ['join', 'group', 'group', 'group', 'wait', 'countdown', 'play', 'group', 'play', 'end',
    'countdown', 'aborted']);
});

test('a reload mid-show: the first screen may be any; without sound the page asks for a tap', () => {
  const m = new ScreenMachine();
  assert.equal(m.step({ joined: true, phase: 'playing', verified: true, soundOn: false, hasShow: true }).screen, 'rejoin');
  assert.equal(m.step({ joined: true, phase: 'playing', verified: true, soundOn: true, hasShow: true }).screen, 'play');
});

test('errors say what was expected', () => {
  const ok = { joined: true, phase: 'playing', verified: true, soundOn: true, hasShow: true };
  assert.throws(() => checkFacts({ ...ok, phase: 'running' }),
    (e) => e instanceof MachineError && /facts\.phase: expected one of lobby\|countdown\|playing\|ended\|aborted, got "running"/.test(e.message));
  assert.throws(() => checkFacts({ ...ok, verified: 1 }), /facts\.verified: expected a boolean, got 1/);
  assert.throws(() => checkFacts({ ...ok, extra: true }), /facts\.extra: not a fact/);
  assert.throws(() => checkFacts(null), /facts: expected an object/);
  const m = new ScreenMachine();
  m.step(ok);
  // sound never goes back off: 'rejoin' cannot follow 'play'; the error carries the rules' choice
  assert.throws(() => m.step({ ...ok, soundOn: false }), (e) => e instanceof MachineError && e.screen === 'rejoin'
    && /screen 'rejoin' cannot follow 'play'.*expected one of group\|wait\|countdown\|end\|aborted/.test(e.message));
  assert.equal(m.screen, 'play'); // not applied
  assert.throws(() => m.step({ ...ok, joined: false }), /screen 'join' cannot follow 'play'/);
  assert.throws(() => m.force('lobby'), /screen: expected one of join\|group/);
});

test('engine commands: the old syncEngine() for every show state, start, phase and playing', () => {
  const old = (show, ph, playing) => {
    if (!show) return null;
    if (show.state === 'aborted') return playing ? { stop: 1.5 } : null;
    if (show.state === 'lobby' || show.start_at_us == null) return playing ? { stop: 0.3 } : null;
    if (ph === 'countdown' || ph === 'playing') return { play: true };
    return null;
  };
  for (const state of ['lobby', 'armed', 'running', 'ended', 'aborted']) for (const start of [null, 5]) {
    for (const ph of PHASES) for (const playing of BOOLS) {
      const show = { state, start_at_us: start };
      assert.deepEqual(engineCommand(show, ph, playing), old(show, ph, playing), JSON.stringify({ state, start, ph, playing }));
    }
  }
  assert.equal(engineCommand(null, 'lobby', true), null);
  assert.throws(() => engineCommand({ state: 'armed', start_at_us: 1 }, 'soon', false), /phase: expected one of/);
});

test('playerFor: Web Audio unless forced, chosen, or impossible', () => {
  assert.equal(playerFor(), 'webaudio');
  assert.equal(playerFor({ forced: 'media' }), 'media');
  assert.equal(playerFor({ forced: 'webaudio', chosen: 'media' }), 'media'); // the person's choice stands
  assert.equal(playerFor({ chosen: 'media' }), 'media');
  assert.equal(playerFor({ hasContext: false }), 'media');
  assert.equal(playerFor({ hasSegments: false }), 'media');
  assert.equal(playerFor({ forced: 'other', chosen: null }), 'webaudio');
});
