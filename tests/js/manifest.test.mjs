/**
 * client_web/js/manifestcheck.js and the generated manifest schema: real manifests
 * (written by the renderer) validate against docs/manifest.schema.json, the page's
 * copy of the schema is that file, and broken manifests are refused naming the field.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_SCHEMA } from '../../client_web/js/manifestschema.js';
import { checkManifest, validate } from '../../client_web/js/manifestcheck.js';
import { ROOT, needPython, runPython } from './pyenv.mjs';

const DOC_SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs', 'manifest.schema.json'), 'utf8'));

// A real render of a small score (a real click asset, captions, no speech: quick), and the
// demo's manifest from the renderer's own writer (compiled with estimated durations, fake files).
const REAL = String.raw`
import json, os, sys, tempfile
import soundfile as sf
from flashmob.tools.render.bundle import RenderOptions, render_bundle
from flashmob.tools.score import compile_score, load_score
from flashmob.tools.render.manifest import FileFact, GroupFacts, build_manifest
from tests.tools.render.conftest import CLICKS_SCORE, SR, click

work = tempfile.mkdtemp(prefix="flashmob-js-manifest-")
sf.write(os.path.join(work, "click.wav"), click(), SR, subtype="FLOAT")
with open(os.path.join(work, "clicks.yaml"), "w", encoding="utf-8") as fh:
    fh.write(CLICKS_SCORE)
rendered = render_bundle(os.path.join(work, "clicks.yaml"), os.path.join(work, "out"), RenderOptions(workers=1)).manifest

score = load_score("scores/demo.yaml")
timeline = compile_score(score)
fact = lambda p: FileFact(p, 10, "0" * 64)
facts = {g.id: GroupFacts(g.id, fact(g.id + "/x.mp3"), (), g.id + "/c.vtt", g.id + "/c.png", -16.0, -1.0)
         for g in score.groups}
demo = build_manifest(score, timeline, facts, "0123456789abcdef", {g.id: [] for g in score.groups}, {})
import shutil; shutil.rmtree(work)
print(json.dumps({"rendered": rendered, "demo": demo}))
`;

let real = null;
function manifests(t) {
  if (!needPython(t)) return null;
  real ??= runPython(REAL);
  return real;
}

const clone = (x) => JSON.parse(JSON.stringify(x));

test('the page checks with exactly the committed schema (docs/manifest.schema.json)', () => {
  assert.deepEqual(MANIFEST_SCHEMA, DOC_SCHEMA);
  assert.equal(DOC_SCHEMA.$schema, 'https://json-schema.org/draft/2020-12/schema');
});

test('real rendered manifests validate against the schema', (t) => {
  const m = manifests(t);
  if (!m) return;
  for (const [name, manifest] of Object.entries(m)) {
    assert.deepEqual(validate(DOC_SCHEMA, manifest), [], name);
    assert.deepEqual(checkManifest(manifest), [], name);
    assert.ok(manifest.groups[0].cues.every((c) => 'caption_end_ms' in c), name);
  }
  const look = m.demo.groups[0].cues.find((c) => c.id === 'look');
  assert.equal(look.kind, 'caption');
  assert.ok(look.caption_end_ms - look.start_ms >= 5000, 'a show:-only caption is held, not shown for 1 ms');
});

test('broken manifests are refused, naming the field', (t) => {
  const m = manifests(t);
  if (!m) return;
  const cases = [
    [(x) => { x.groups[0].colour = '#D32F2F'; }, 'groups[0].colour'],
    [(x) => { x.groups[1].colour = 'red;background:url(//evil.example/x)'; }, 'groups[1].colour'],
    [(x) => { x.format = 'zip'; }, 'format'],
    [(x) => { x.version = 2; }, 'version'],
    [(x) => { delete x.show_id; }, 'show_id: is missing'],
    [(x) => { x.groups = []; }, 'groups: at least 1 items'],
    [(x) => { x.groups[0].id = 'a/b'; }, 'groups[0].id'],
    [(x) => { x.groups[0].mp3.path = '../../etc/passwd'; }, 'groups[0].mp3.path'],
    [(x) => { x.groups[0].mp3.path = '/etc/passwd'; }, 'groups[0].mp3.path'],
    [(x) => { x.groups[0].segments[0].samples = -1; }, 'groups[0].segments[0].samples'],
    [(x) => { x.groups[0].cues[0].start_ms = 1.5; }, 'groups[0].cues[0].start_ms'],
    [(x) => { x.groups[0].name = ''; }, 'groups[0].name'],
    [(x) => { x.title = 7; }, 'title'],
    [(x) => { x.sample_rate = 10 ** 12; }, 'sample_rate'],
  ];
  for (const [change, where] of cases) {
    const x = clone(m.rendered);
    change(x);
    const problems = checkManifest(x);
    assert.ok(problems.length > 0 && problems[0].startsWith(where), `${where}: ${problems}`);
  }
});

test('what readers may omit is optional: a hand-made manifest passes', () => {
  const minimal = { format: 'flashmob-bundle', version: 1, show_id: 'abc', title: 'T', duration: { ms: 1000 },
    groups: [{ id: 'red', mp3: { path: 'red/show.mp3' }, cues: [{ id: 'c', kind: 'say', start_ms: 0, end_ms: 10 }] }],
    unknown_key: { anything: [1, 2] } };
  assert.deepEqual(checkManifest(minimal), []);
});
