/**
 * client_web/js/protocol.js against the Python definition (conductor/messages.py)
 * and the examples of docs/protocol.md.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../client_web/js/protocol.js';
import { ROOT, needPython, runPython } from './pyenv.mjs';

const DUMP = String.raw`
import dataclasses, json, types, typing
from conductor import messages as m

def desc(hint):
    nul = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nul = len(args) < len(typing.get_args(hint))
        hint = args[0]
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return {"t": "list", "of": item.__name__ if dataclasses.is_dataclass(item) else item.__name__}, nul
    return {"t": hint.__name__ if dataclasses.is_dataclass(hint) else hint.__name__}, nul

def fields(cls):
    hints = typing.get_type_hints(cls)
    out = {}
    for f in dataclasses.fields(cls):
        d, nul = desc(hints[f.name])
        d["req"] = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        d["nul"] = nul
        meta = f.metadata or {}
        for py, js in (("min", "min"), ("min_len", "minLen"), ("max_len", "maxLen"), ("choices", "choices")):
            if meta.get(py) is not None:
                d[js] = list(meta[py]) if py == "choices" else meta[py]
        out[f.name] = d
    return out

errors = {k: v for k, v in vars(m).items() if k.isupper() and isinstance(v, str) and v in getattr(m, "ERROR_CODES", (v,))}
closes = {k[6:]: v for k, v in vars(m).items() if k.startswith("CLOSE_")}
print(json.dumps({
    "messages": {t: fields(c) for d in m.DIRECTIONS.values() for t, c in d.items()},
    "payloads": {c.__name__: fields(c) for c in (m.ShowInfo, m.AnnouncementInfo, m.AlarmInfo, m.GroupCount, m.Histogram,
                                                  m.SeatCounts)},
    "directions": {k: sorted(v) for k, v in m.DIRECTIONS.items()},
    "errors": errors, "close": closes, "states": list(m.SHOW_STATES), "levels": list(m.LEVELS), "alarm_levels": list(m.ALARM_LEVELS),
    "max_frame": m.MAX_FRAME_CHARS,
}))
`;

function normalise(fields) {
  const out = {};
  for (const [k, f] of Object.entries(fields)) {
    const d = { t: f.t, req: !!f.req, nul: !!f.nul };
    if (f.of) d.of = f.of;
    for (const key of ['min', 'minLen', 'maxLen']) if (f[key] !== undefined) d[key] = f[key];
    if (f.choices) d.choices = [...f.choices];
    out[k] = d;
  }
  return out;
}

test('field tables mirror conductor/messages.py exactly', (t) => {
  if (!needPython(t)) return;
  const py = runPython(DUMP);
  assert.deepEqual(Object.keys(P.MESSAGES).sort(), Object.keys(py.messages).sort());
  for (const [type, fields] of Object.entries(py.messages)) {
    assert.deepEqual(normalise(P.MESSAGES[type]), normalise(fields), `message ${type}`);
  }
  for (const [name, fields] of Object.entries(py.payloads)) {
    assert.deepEqual(normalise(P.PAYLOADS[name]), normalise(fields), `payload ${name}`);
  }
  for (const [dir, types] of Object.entries(py.directions)) {
    assert.deepEqual([...P.DIRECTIONS[dir]].sort(), types, `direction ${dir}`);
  }
  assert.deepEqual(Object.values(P.ERRORS).sort(), Object.values(py.errors).sort());
  assert.deepEqual({ ...P.CLOSE }, py.close);
  assert.deepEqual([...P.SHOW_STATES], py.states);
  assert.deepEqual([...P.LEVELS], py.levels);
  assert.deepEqual([...P.ALARM_LEVELS], py.alarm_levels);
  assert.equal(P.MAX_FRAME_CHARS, py.max_frame);
});

/** JSON examples of docs/protocol.md, with the direction their type is sent in. */
function docExamples() {
  const path = join(ROOT, 'docs', 'protocol.md');
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((mt) => mt[1].trim());
}

function directionOf(type) {
  if (P.DIRECTIONS.server.includes(type)) return 'server';
  if (P.DIRECTIONS.participant.includes(type)) return 'participant';
  return 'console';
}

test('every example of docs/protocol.md parses, and round-trips through Python identically', (t) => {
  const examples = docExamples();
  if (examples === null) {
    t.skip('docs/protocol.md is not there yet (the Python tables are compared above)');
    return;
  }
  assert.ok(examples.length >= 20, `only ${examples.length} examples found`);
  const seen = new Set();
  for (const ex of examples) {
    const type = JSON.parse(ex).type;
    seen.add(type);
    const msg = P.parse(ex, directionOf(type));
    assert.equal(msg.type, type);
  }
  for (const type of P.ALL_TYPES) assert.ok(seen.has(type), `docs/protocol.md has no example of ${type}`);
});

const BAD = [
  ['participant', 'not json'],
  ['participant', '[1,2]'],
  ['participant', '{"no":"type"}'],
  ['participant', '{"type":"nope"}'],
  ['participant', '{"type":"arm","in_ms":5}'],
  ['participant', '{"type":"sync","id":-1,"t0":0}'],
  ['participant', '{"type":"sync","id":1.5,"t0":0}'],
  ['participant', '{"type":"sync","id":true,"t0":0}'],
  ['participant', '{"type":"sync","t0":0}'],
  ['participant', '{"type":"sync","id":1,"t0":9007199254740993}'],
  ['participant', '{"type":"status","verified":"yes"}'],
  ['participant', `{"type":"hello","client":"${'x'.repeat(201)}"}`],
  ['participant', `{"type":"hello","client":"${'x'.repeat(17000)}"}`],
  ['participant', '{"type":"answer","id":"c","sha256":"abc"}'],
  ['console', '{"type":"release","scope":"everybody"}'],
  ['console', '{"type":"announce","text":""}'],
  ['console', '{"type":"announce","text":"hi","level":"loud"}'],
  ['console', '{"type":"hello"}'],
  ['server', '{"type":"welcome","participant_id":"a","group":"g","manifest_url":"/m","server_time_us":1,"show":{"state":"armed","duration_us":1}}'],
  ['server', '{"type":"feed","show":{"state":"lobby","duration_us":1,"revision":0},"server_time_us":1,"groups":[{"id":"a"}],"participants_total":0,"connected_total":0,"capacity":null,"sync_error":{},"engines":{},"drift":{},"output_latency":{},"ntp":{}}'],
];
const GOOD = [
  ['participant', '{"type":"hello","participant_id":null,"extra":[1,2]}'],
  ['participant', '{"type":"status","verified":true,"sync_error_us":12,"position_us":-5}'],
  ['console', '{"type":"arm","in_ms":60000,"ref":"c1"}'],
  ['server', '{"type":"show","state":"running","start_at_us":5,"duration_us":9,"revision":2}'],
];

test('refusals carry the same error codes (and field paths) as the Python parser', (t) => {
  if (!needPython(t)) return;
  const code = String.raw`
import json, sys
from conductor import messages as m
out = []
for direction, text in json.load(sys.stdin):
    try:
        m.parse(text, direction); out.append(["ok", ""])
    except m.ProtocolError as e:
        out.append([e.code, e.message.split(":")[0]])
print(json.dumps(out))`;
  const cases = [...BAD, ...GOOD];
  const py = runPython(code, JSON.stringify(cases));
  cases.forEach(([direction, text], i) => {
    let got = ['ok', ''];
    try {
      P.parse(text, direction);
    } catch (e) {
      assert.ok(e instanceof P.ProtocolError, String(e));
      got = [e.code, e.message.split(':')[0]];
    }
    assert.equal(got[0], py[i][0], `${text.slice(0, 80)}: JS ${got[0]} vs Python ${py[i][0]}`);
    if (got[0] === P.ERRORS.BAD_MESSAGE && py[i][1].match(/^[\w.[\]]+$/)) assert.equal(got[1], py[i][1], text.slice(0, 80));
  });
});

test('builders produce frames the Python side accepts', (t) => {
  const frames = [
    ['participant', P.make.hello({ participant_id: 'abc', client: 'flashmob-web/1' })],
    ['participant', P.make.sync(3, 1786000000123456)],
    ['participant', P.make.status({ verified: true, sync_error_us: 300, engine: 'webaudio', position_us: undefined })],
    ['participant', P.make.answer('c1', 'ab'.repeat(32))],
    ['console', P.make.consoleHello('tok')],
    ['console', P.make.arm({ in_ms: 5000, ref: 'r' })],
    ['console', P.make.arm({ start_at_us: 1786000000000000 })],
    ['console', P.make.cancel('c')],
    ['console', P.make.abort('rain', 'a')],
    ['console', P.make.reset()],
    ['console', P.make.announce({ text: 'Stop', level: 'urgent', group: 'red' })],
    ['console', P.make.release('offline', 'r7')],
  ];
  for (const [dir, f] of frames) P.parse(f, dir);
  if (!needPython(t)) return;
  const code = String.raw`
import json, sys
from conductor import messages as m
print(json.dumps([m.to_dict(m.parse(t, d)) for d, t in json.load(sys.stdin)]))`;
  const py = runPython(code, JSON.stringify(frames));
  frames.forEach(([dir, f], i) => assert.equal(py[i].type, JSON.parse(f).type));
});
