/**
 * client_web/sw.js caches the participant page's shell at install: every module the page
 * imports (transitively) and every worklet it loads must be in SHELL_FILES, or an offline
 * reload fails on the missing one (it did: soundcheckui.js, net::ERR_FAILED).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './pyenv.mjs';

const JS = join(ROOT, 'client_web', 'js');

function reachable(entry) {
  const seen = new Set();
  const walk = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const src = readFileSync(join(JS, name), 'utf8');
    const refs = [...src.matchAll(/from\s+'\.\/([\w.-]+\.js)'/g), ...src.matchAll(/new URL\('\.\/([\w.-]+\.js)'/g)];
    for (const m of refs) walk(m[1]);
  };
  walk(entry);
  return seen;
}

test('the service worker caches every module and worklet the participant page loads', () => {
  const sw = readFileSync(join(ROOT, 'client_web', 'sw.js'), 'utf8');
  const list = sw.match(/SHELL_FILES = \[([^\]]*)\]/)[1];
  const cached = new Set([...list.matchAll(/'\/js\/([\w.-]+\.js)'/g)].map((m) => m[1]));
  const missing = [...reachable('participant.js')].filter((f) => !cached.has(f));
  assert.deepEqual(missing, []);
});
