/** qr.js against the Python `qrcode` package (same version, level and mask -> same modules). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { encodeQr, qrPath } from '../../client_web/js/qr.js';
import { needPython, runPython } from './pyenv.mjs';

const CASES = [
  ['http://192.168.1.20:8000/', 'M', 2, 0],
  ['https://mob.example.org/?g=red&k=8wq1dK0mVbL2cP9sXyZ3aQ', 'M', 4, 3],
  ['https://mob.example.org/?g=blue&k=Jc2m0Pq8Rt5uVw1xYz3aBc', 'L', 4, 5],
  ['x'.repeat(150), 'M', 8, 6],
  ['Flashmob à la fontaine — rendez-vous 18 h ' + 'y'.repeat(180), 'M', 11, 2],
  ['z'.repeat(300), 'L', 12, 7],
];

test('modules equal the Python qrcode package for fixed version, level and mask', (t) => {
  if (!needPython(t)) return;
  const code = String.raw`
import json, sys, qrcode
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_M
out = []
for text, ecc, ver, mask in json.load(sys.stdin):
    q = qrcode.QRCode(version=ver, error_correction={"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M}[ecc],
                      border=0, mask_pattern=mask)
    q.add_data(text.encode("utf-8"), optimize=0)
    q.make(fit=False)
    out.append([[bool(v) for v in row] for row in q.modules])
print(json.dumps(out))`;
  const py = runPython(code, JSON.stringify(CASES));
  CASES.forEach(([text, ecc, version, mask], i) => {
    const qr = encodeQr(text, { ecc, version, mask });
    assert.equal(qr.size, py[i].length, `case ${i}: size`);
    assert.deepEqual(qr.modules, py[i], `case ${i}: modules (version ${version}, ${ecc}, mask ${mask})`);
  });
});

test('automatic version and mask; path data', () => {
  const qr = encodeQr('http://127.0.0.1:8000/');
  assert.equal(qr.version, 2);
  assert.ok(qr.mask >= 0 && qr.mask < 8);
  const { n, d } = qrPath(qr);
  assert.equal(n, 33);
  assert.match(d, /^(M\d+,\d+h1v1h-1z)+$/);
  assert.throws(() => encodeQr('x'.repeat(700)), RangeError);
});
