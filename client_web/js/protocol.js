/**
 * Wire protocol of the conductor, browser side: parse and build frames.
 *
 * Every frame is one JSON object with a "type". The tables (types, fields, JSON
 * types, bounds, codes, choices) are ./wire.js, generated from conductor/messages.py
 * (`python -m flashmob.conductor.wirejs`); this module re-exports them.
 * `parse(text, direction)` checks a frame as the server would and returns the
 * object or throws a `ProtocolError` with the same `code`; `frame(type, fields)`
 * builds a frame, refusing a field its type does not have; `make.*` are the
 * frames this client sends. tests/js/protocol.test.mjs parses every example of
 * docs/protocol.md and compares refusals with the Python parser.
 *
 * Conventions: times are integer microseconds of server time (`*_us`);
 * integers are JSON integers within ±2**53; unknown fields are ignored.
 * No DOM here: the module runs under Node.
 */
import {
  ALL_TYPES, DIRECTIONS, ERRORS, LEVEL, MAX_FRAME_CHARS, MAX_SAFE_INT, MESSAGES, PAYLOADS, TYPES,
} from './wire.js';

export * from './wire.js';

export class ProtocolError extends Error {
  /** @param {string} code one of ERRORS @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function fail(path, expected, got) {
  let shown;
  if (typeof got === 'string') shown = JSON.stringify(got).slice(0, 40);
  else if (typeof got === 'number') shown = String(got);
  else shown = got === null ? 'null' : Array.isArray(got) ? 'list' : typeof got;
  return new ProtocolError(ERRORS.BAD_MESSAGE, `${path}: expected ${expected}, got ${shown}`);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function convert(value, f, path) {
  if (value === null) {
    if (f.nul) return null;
    throw fail(path, 'a value', null);
  }
  switch (f.t) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail(path, 'an integer', value);
      if (Math.abs(value) > MAX_SAFE_INT) throw fail(path, 'an integer within ±2**53', value);
      if (f.min !== undefined && value < f.min) throw fail(path, `an integer >= ${f.min}`, value);
      if (f.max !== undefined && value > f.max) throw fail(path, `an integer <= ${f.max}`, value);
      return value;
    case 'str':
      if (typeof value !== 'string') throw fail(path, 'a string', value);
      if (f.maxLen !== undefined && [...value].length > f.maxLen) throw fail(path, `at most ${f.maxLen} characters`, value);
      if (f.minLen !== undefined && [...value].length < f.minLen) throw fail(path, `at least ${f.minLen} characters`, value);
      if (f.choices && !f.choices.includes(value)) throw fail(path, `one of ${f.choices.join(', ')}`, value);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw fail(path, 'true or false', value);
      return value;
    case 'dict':
      if (!isObject(value)) throw fail(path, 'an object', value);
      return value;
    case 'list':
      if (!Array.isArray(value)) throw fail(path, 'an array', value);
      if (f.maxItems !== undefined && value.length > f.maxItems) throw fail(path, `at most ${f.maxItems} items`, value.length);
      return value.map((v, i) => convert(v, { t: f.of, req: true, nul: false }, `${path}[${i}]`));
    default: {
      if (!isObject(value)) throw fail(path, 'an object', value);
      return build(PAYLOADS[f.t], value, path);
    }
  }
}

function build(fields, obj, path) {
  const out = {};
  for (const [name, f] of Object.entries(fields)) {
    const sub = path ? `${path}.${name}` : name;
    if (!(name in obj)) {
      if (f.req) throw new ProtocolError(ERRORS.BAD_MESSAGE, `${sub}: missing (required)`);
      continue;
    }
    out[name] = convert(obj[name], f, sub);
  }
  return out;
}

/**
 * Parse one text frame sent by `direction` ("participant", "console", "server").
 * Returns a plain object holding "type" and the known fields (unknown ones dropped);
 * throws ProtocolError with the code the Python parser would use.
 */
export function parse(text, direction) {
  const allowed = DIRECTIONS[direction];
  if (!allowed) throw new TypeError(`unknown direction ${direction}`);
  if (typeof text !== 'string') throw new ProtocolError(ERRORS.BAD_MESSAGE, 'binary frames are not used: send JSON text');
  if (text.length > MAX_FRAME_CHARS) {
    throw new ProtocolError(ERRORS.TOO_LARGE, `frame of ${text.length} characters; the limit is ${MAX_FRAME_CHARS}`);
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(ERRORS.BAD_JSON, `not JSON: ${String(e.message).slice(0, 80)}`);
  }
  if (!isObject(obj)) throw new ProtocolError(ERRORS.BAD_MESSAGE, 'expected a JSON object');
  const kind = obj.type;
  if (typeof kind !== 'string') throw new ProtocolError(ERRORS.BAD_MESSAGE, 'expected a string field "type"');
  if (!allowed.includes(kind)) {
    const code = ALL_TYPES.includes(kind) ? ERRORS.NOT_ALLOWED : ERRORS.UNKNOWN_TYPE;
    throw new ProtocolError(code, `"${kind.slice(0, 40)}" is not accepted here (expected one of ${[...allowed].sort().join(', ')})`);
  }
  return { type: kind, ...build(MESSAGES[kind], obj, '') };
}

/**
 * The JSON text of a frame of `type` (one of TYPES) with `fields`; fields that are
 * undefined are left out. Throws a TypeError for a field the type does not have
 * (a typo here would be silently ignored by the server).
 */
export function frame(type, fields = {}) {
  const known = MESSAGES[type];
  if (!known) throw new TypeError(`unknown message type ${type}`);
  const out = { type };
  for (const [k, v] of Object.entries(fields)) {
    if (!(k in known)) throw new TypeError(`${type} has no field ${k}`);
    if (v !== undefined) out[k] = v;
  }
  return JSON.stringify(out);
}

/** Builders of the frames this client sends (JSON text). */
export const make = {
  hello: ({ participant_id = null, group = null, group_token = null, client = null } = {}) =>
    frame(TYPES.HELLO, { participant_id, group, group_token, client }),
  sync: (id, t0) => frame(TYPES.SYNC, { id, t0 }),
  status: (fields) => frame(TYPES.STATUS, fields),
  answer: (id, sha256) => frame(TYPES.ANSWER, { id, sha256 }),
  consoleHello: (token) => frame(TYPES.CONSOLE_HELLO, { token }),
  // `rehearsal`: the command is for the rehearsal record (docs/protocol.md, "Rehearsal"); left out when false
  arm: ({ ref = null, start_at_us = null, in_ms = null, rehearsal = false }) =>
    frame(TYPES.ARM, { ref, start_at_us, in_ms, rehearsal: rehearsal || undefined }),
  cancel: (ref = null, rehearsal = false) => frame(TYPES.CANCEL, { ref, rehearsal: rehearsal || undefined }),
  abort: (reason = null, ref = null, rehearsal = false) =>
    frame(TYPES.ABORT, { reason, ref, rehearsal: rehearsal || undefined }),
  reset: (ref = null, rehearsal = false) => frame(TYPES.RESET, { ref, rehearsal: rehearsal || undefined }),
  announce: ({ text, level = LEVEL.INFO, group = null, ref = null }) =>
    frame(TYPES.ANNOUNCE, { text, level, group, ref }),
  release: (scope, ref = null) => frame(TYPES.RELEASE, { scope, ref }),
};
