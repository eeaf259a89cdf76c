/**
 * client_web/js/protocol.js and its generated tables (wire.js) against the Python
 * definition (conductor/messages.py) and the examples of docs/protocol.md.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as P from '../../client_web/js/protocol.js';
import * as W from '../../client_web/js/wire.js';
import { ROOT, needPython, runPython } from './pyenv.mjs';

const TABLES = String.raw`
import json
from flashmob.conductor import wirejs
print(json.dumps({"tables": wirejs.tables(), "text": wirejs.render()}))
`;

test('wire.js is what the generator writes from conductor/messages.py now', (t) => {
  if (!needPython(t)) return;
  const py = runPython(TABLES);
  assert.equal(readFileSync(join(ROOT, 'client_web', 'js', 'wire.js'), 'utf8'), py.text,
    'client_web/js/wire.js is stale: run python -m flashmob.conductor.wirejs');
  for (const [name, value] of Object.entries(py.tables)) assert.deepEqual(W[name], value, name);
  for (const name of Object.keys(W)) assert.ok(name in py.tables, `wire.js exports ${name} the generator does not write`);
});

test('protocol.js re-exports every table of wire.js', () => {
  for (const [name, value] of Object.entries(W)) assert.equal(P[name], value, name);
});

test('frame() refuses a field its type does not have, drops undefined ones', () => {
  assert.throws(() => P.frame(P.TYPES.SYNC, { id: 1, t0: 2, t1: 3 }), /sync has no field t1/);
  assert.throws(() => P.frame('launch', {}), /unknown message type/);
  assert.equal(P.frame(P.TYPES.STATUS, { verified: true, engine: undefined }), '{"type":"status","verified":true}');
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
from flashmob.conductor import messages as m
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
    assert.equal(got[0] === 'ok', i >= BAD.length, `${text.slice(0, 80)}: ${got[0]}`);
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
from flashmob.conductor import messages as m
print(json.dumps([m.to_dict(m.parse(t, d)) for d, t in json.load(sys.stdin)]))`;
  const py = runPython(code, JSON.stringify(frames));
  frames.forEach(([dir, f], i) => assert.equal(py[i].type, JSON.parse(f).type));
});

test('a maximum in the Python definition is checked by the browser too (status.offset_ms)', () => {
  assert.throws(() => P.parse('{"type":"status","offset_ms":5000}', 'participant'), /<= 1000/);
  assert.throws(() => P.parse('{"type":"status","offset_ms":-1001}', 'participant'), />= -1000/);
  assert.equal(P.parse('{"type":"status","offset_ms":-250,"output":"bluetooth"}', 'participant').offset_ms, -250);
});
