/**
 * Helpers for node tests that compare the browser modules with the Python side:
 * run a snippet with the project's venv python (repository root on sys.path).
 * `python()` returns null when no venv is there (local runs without it skip;
 * under CI=true the caller fails instead).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VENV_PY = join(ROOT, '.venv', 'bin', 'python');

/** Path of the venv python, or null. */
export function python() {
  return existsSync(VENV_PY) ? VENV_PY : null;
}

/** Run `code` with the venv python (stdin = `input`), parse its stdout as JSON. */
export function runPython(code, input = '') {
  const out = execFileSync(VENV_PY, ['-c', code], { cwd: ROOT, input, maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8'));
}

/** Skip locally / fail under CI when the venv python is missing. */
export function needPython(t) {
  if (python()) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${VENV_PY} is missing`);
  t.skip(`no venv python at ${VENV_PY}`);
  return false;
}
