/**
 * The one interface of the page's players (engine.js WebAudioEngine: Web Audio
 * sources scheduled on the audio clock; mediaengine.js MediaEngine: an <audio>
 * element kept on time). participant.js drives either through these members
 * only:
 *
 *   name                 'webaudio' | 'media' (status.engine)
 *   report               { firstSample, clicks, ... } (report(), the tests)
 *   play(show)           play the show record (absolute start): from its start or where it is
 *   stop({ fadeS })      fade out and stop (abort, back to the lobby)
 *   stopNow()            stop at once (the person switched players)
 *   playing              true between play() and a stop
 *   positionUs()         position heard now (µs), or null
 *   outputLatencyUs()    output latency the engine believes (µs), or null
 *   timingTrouble()      why its output timing cannot be trusted now, or null
 *   startBoundUs()       error bound (µs) of its account of the start, or null
 *
 * `engineProblems` lists what an object lacks (the tests check both players).
 */

export const ENGINE_METHODS = Object.freeze(['play', 'stop', 'stopNow', 'positionUs', 'outputLatencyUs',
  'timingTrouble', 'startBoundUs']);
export const ENGINE_NAMES = Object.freeze(['webaudio', 'media']);

/** What `e` (an engine, or a class's prototype with `checkFields` false) lacks of the interface: [] when none. */
export function engineProblems(e, { checkFields = true } = {}) {
  const out = [];
  if (!e) return ['not an engine (expected an object)'];
  for (const m of ENGINE_METHODS) if (typeof e[m] !== 'function') out.push(`${m}(): expected a method`);
  const proto = Object.getPrototypeOf(e);
  const hasPlaying = 'playing' in e || (proto && Object.getOwnPropertyDescriptor(proto, 'playing'));
  if (!hasPlaying) out.push('playing: expected a boolean getter');
  if (checkFields) {
    if (!ENGINE_NAMES.includes(e.name)) out.push(`name: expected one of ${ENGINE_NAMES.join('|')}, got ${JSON.stringify(e.name)}`);
    if (!e.report || typeof e.report !== 'object') out.push('report: expected an object');
  }
  return out;
}
