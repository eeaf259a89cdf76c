/**
 * Wire protocol of the conductor, browser side: the mirror of conductor/messages.py.
 *
 * Every frame is one JSON object with a "type". `MESSAGES` describes each type
 * (its fields, JSON types, bounds) exactly as the Python dataclasses do;
 * `parse(text, direction)` checks a frame as the server would and returns the
 * object or throws a `ProtocolError` with the same `code`; `make.*` builds the
 * frames this client sends. tests/js/protocol.test.mjs compares these tables
 * with the Python definitions and parses every example of docs/protocol.md.
 *
 * Conventions: times are integer microseconds of server time (`*_us`);
 * integers are JSON integers within ±2**53; unknown fields are ignored.
 * No DOM here: the module runs under Node.
 */

export const MAX_FRAME_CHARS = 16 * 1024;
export const MAX_SAFE_INT = 2 ** 53 - 1;

export const ERRORS = Object.freeze({
  BAD_JSON: 'bad_json', BAD_MESSAGE: 'bad_message', UNKNOWN_TYPE: 'unknown_type', TOO_LARGE: 'too_large',
  NOT_ALLOWED: 'not_allowed', RATE_LIMITED: 'rate_limited', HELLO_REQUIRED: 'hello_required',
  ALREADY_JOINED: 'already_joined', CAPACITY_REACHED: 'capacity_reached', GROUP_REQUIRED: 'group_required',
  GROUP_INVALID: 'group_invalid', GROUP_TOKEN_INVALID: 'group_token_invalid', UNAUTHORIZED: 'unauthorized',
  ILLEGAL_TRANSITION: 'illegal_transition', INVALID_COMMAND: 'invalid_command', INTERNAL: 'internal',
  CHALLENGE_FAILED: 'challenge_failed', CHALLENGE_STALE: 'challenge_stale',
  UNAVAILABLE: 'unavailable',
});

export const CLOSE = Object.freeze({
  NORMAL: 1000, POLICY: 1008, TOO_BIG: 1009, INTERNAL: 1011, TRY_AGAIN: 1013, UNAUTHORIZED: 4401, FULL: 4429,
});

export const SHOW_STATES = Object.freeze(['lobby', 'armed', 'running', 'ended', 'aborted']);
export const LEVELS = Object.freeze(['info', 'urgent']);
export const SEAT_STATES = Object.freeze(['pending', 'confirmed']);
export const RELEASE_SCOPES = Object.freeze(['pending', 'offline']);
export const ALARM_LEVELS = Object.freeze(['warning', 'critical']);
/** Why a phone's sound is in trouble (status.trouble), most serious first: trouble.js. */
export const TROUBLES = Object.freeze(['media', 'decode', 'start', 'timing']);

// Field descriptors: t = int | str | bool | dict | list | <payload name>; req = required;
// nul = may be null; of = item type of a list; min, minLen, maxLen, choices as in Python.
const F = (t, opts = {}) => ({ t, req: false, nul: false, ...opts });
const REQ = { req: true };

/** Nested payload types (not messages). */
export const PAYLOADS = Object.freeze({
  ShowInfo: {
    state: F('str', { ...REQ, choices: SHOW_STATES }),
    start_at_us: F('int', { nul: true }),
    duration_us: F('int', { ...REQ, min: 0 }),
    revision: F('int', { ...REQ, min: 0 }),
    reason: F('str', { nul: true, maxLen: 500 }),
    changed_at_us: F('int'),
  },
  AnnouncementInfo: {
    id: F('int', { ...REQ, min: 0 }),
    level: F('str', { ...REQ, choices: LEVELS }),
    text: F('str', { ...REQ, maxLen: 500 }),
    group: F('str', { nul: true }),
    sent_at_us: F('int'),
  },
  AlarmInfo: {
    key: F('str', { ...REQ, maxLen: 64 }),
    level: F('str', { ...REQ, choices: ALARM_LEVELS }),
    message: F('str', { ...REQ, maxLen: 1000 }),
    since_us: F('int'), last_us: F('int'), count: F('int', { min: 1 }),
    resolved_at_us: F('int', { nul: true }), detail: F('dict', { nul: true }),
  },
  GroupCount: {
    id: F('str', REQ), name: F('str', REQ), colour: F('str', REQ), share: F('int', REQ),
    participants: F('int', REQ), connected: F('int', REQ), ready: F('int', REQ),
  },
  Histogram: {
    bounds_us: F('list', { of: 'int' }), counts: F('list', { of: 'int' }), unknown: F('int'),
  },
  SeatCounts: {
    capacity: F('int', { ...REQ, nul: true }), confirmed: F('int', REQ), pending: F('int', REQ),
    max_pending: F('int', REQ), released: F('int', REQ), expired: F('int', REQ), failed: F('int', REQ),
    refused: F('int', REQ),
  },
});

const REF = F('str', { nul: true, maxLen: 64 });

/** Every message type: its fields. */
export const MESSAGES = Object.freeze({
  hello: {
    participant_id: F('str', { nul: true, maxLen: 64 }), group: F('str', { nul: true, maxLen: 64 }),
    group_token: F('str', { nul: true, maxLen: 128 }), client: F('str', { nul: true, maxLen: 200 }),
  },
  sync: { id: F('int', { ...REQ, min: 0 }), t0: F('int') },
  status: {
    verified: F('bool'), sync_error_us: F('int', { nul: true, min: 0 }), engine: F('str', { nul: true, maxLen: 32 }),
    output_latency_us: F('int', { nul: true, min: 0 }), position_us: F('int', { nul: true }),
    trouble: F('str', { nul: true, choices: TROUBLES }),
  },
  answer: { id: F('str', { ...REQ, maxLen: 64 }), sha256: F('str', { ...REQ, minLen: 64, maxLen: 64 }) },
  console_hello: { token: F('str', { ...REQ, maxLen: 256 }) },
  arm: { ref: REF, start_at_us: F('int', { nul: true, min: 0 }), in_ms: F('int', { nul: true, min: 0 }) },
  cancel: { ref: REF },
  abort: { ref: REF, reason: F('str', { nul: true, maxLen: 500 }) },
  reset: { ref: REF },
  announce: {
    text: F('str', { ...REQ, minLen: 1, maxLen: 500 }), level: F('str', { choices: LEVELS }),
    group: F('str', { nul: true, maxLen: 64 }), ref: REF,
  },
  release: { scope: F('str', { ...REQ, choices: RELEASE_SCOPES }), ref: REF },
  welcome: {
    participant_id: F('str', REQ), group: F('str', REQ), manifest_url: F('str', REQ), show: F('ShowInfo', REQ),
    server_time_us: F('int', REQ), announcements: F('list', { of: 'AnnouncementInfo' }),
    seat: F('str', { choices: SEAT_STATES }),
  },
  challenge: {
    id: F('str', REQ), path: F('str', REQ), offset: F('int', { ...REQ, min: 0 }), length: F('int', { ...REQ, min: 1 }),
  },
  seat: { state: F('str', { ...REQ, choices: SEAT_STATES }), participant_id: F('str') },
  sync_reply: { id: F('int', REQ), t0: F('int', REQ), t1: F('int', REQ), t2: F('int', REQ) },
  show: PAYLOADS.ShowInfo,
  announcement: PAYLOADS.AnnouncementInfo,
  error: {
    code: F('str', REQ), message: F('str', REQ), ref: F('str', { nul: true }), fatal: F('bool'),
    detail: F('dict', { nul: true }),
  },
  ack: { ref: F('str', { nul: true }), command: F('str'), show: F('ShowInfo', { nul: true }) },
  console_welcome: {
    show_id: F('str', REQ), title: F('str', REQ), show: F('ShowInfo', REQ), server_time_us: F('int', REQ),
    assign: F('str', REQ), capacity: F('int', { ...REQ, nul: true }), min_lead_us: F('int', REQ),
    join_url: F('str', REQ), group_join_urls: F('dict', { nul: true }),
  },
  feed: {
    show: F('ShowInfo', REQ), server_time_us: F('int', REQ), groups: F('list', { ...REQ, of: 'GroupCount' }),
    participants_total: F('int', REQ), connected_total: F('int', REQ), capacity: F('int', { ...REQ, nul: true }),
    sync_error: F('Histogram', REQ), engines: F('dict', REQ), drift: F('dict', REQ), output_latency: F('dict', REQ),
    ntp: F('dict', REQ), seats: F('SeatCounts', REQ),
    announcements: F('list', { of: 'AnnouncementInfo' }),
    alarms: F('list', { of: 'AlarmInfo' }),
    trouble: F('dict'),
  },
});

/** Which types each sender may send. */
export const DIRECTIONS = Object.freeze({
  participant: ['hello', 'sync', 'status', 'answer'],
  console: ['console_hello', 'sync', 'arm', 'cancel', 'abort', 'reset', 'announce', 'release'],
  server: ['welcome', 'sync_reply', 'show', 'announcement', 'error', 'ack', 'console_welcome', 'feed', 'challenge',
    'seat'],
});

export const ALL_TYPES = Object.freeze([...new Set(Object.values(DIRECTIONS).flat())].sort());

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
      return value.map((v, i) => convert(v, F(f.of, { req: true }), `${path}[${i}]`));
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

/** Builders of the frames this client sends (JSON text). */
export const make = {
  hello: ({ participant_id = null, group = null, group_token = null, client = null } = {}) =>
    JSON.stringify({ type: 'hello', participant_id, group, group_token, client }),
  sync: (id, t0) => JSON.stringify({ type: 'sync', id, t0 }),
  status: (fields) => JSON.stringify({ type: 'status', ...dropUndefined(fields) }),
  answer: (id, sha256) => JSON.stringify({ type: 'answer', id, sha256 }),
  consoleHello: (token) => JSON.stringify({ type: 'console_hello', token }),
  arm: ({ ref = null, start_at_us = null, in_ms = null }) => JSON.stringify({ type: 'arm', ref, start_at_us, in_ms }),
  cancel: (ref = null) => JSON.stringify({ type: 'cancel', ref }),
  abort: (reason = null, ref = null) => JSON.stringify({ type: 'abort', reason, ref }),
  reset: (ref = null) => JSON.stringify({ type: 'reset', ref }),
  announce: ({ text, level = 'info', group = null, ref = null }) =>
    JSON.stringify({ type: 'announce', text, level, group, ref }),
  release: (scope, ref = null) => JSON.stringify({ type: 'release', scope, ref }),
};

function dropUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
