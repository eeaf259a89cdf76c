/** consolesignups.js's describe() and the sign-up strings through i18n.js (Node, no DOM). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { describe } from '../../client_web/js/consolesignups.js';
import { translator } from '../../client_web/js/i18n.js';

const summary = { enabled: true, open: true, capacity: 350, confirmed: 348, waiting: 12, cancelled: 4, promoted: 4,
  groups: [], keep_days: 30, erase_at_us: null, erased: false };

test('the console panel says counts, capacity and when everything is deleted', () => {
  assert.deepEqual(describe(summary), {
    totals: '348 signed up · 12 waiting · 350 places',
    detail: '4 cancelled · 4 promoted from the waiting list · open · deleted 30 days after the show ends' });
  assert.equal(describe({ ...summary, capacity: null }).totals, '348 signed up · 12 waiting · no limit');
  assert.match(describe({ ...summary, open: false, erased: true }).detail, /closed · deleted \(the show is over\)$/);
  assert.match(describe({ ...summary, erase_at_us: 1_784_304_000_000_000 }).detail, /deleted on .+2026/);
});

test('the sign-up strings are served by the pages\' translator, in French and English', () => {
  assert.equal(translator('fr')('su_waiting', { n: 2, name: 'Zoë' }).startsWith('Vous êtes n° 2 sur la liste'), true);
  assert.equal(translator('en')('su_group', { name: 'Reds' }), 'Your group: Reds');
  assert.equal(translator('fr')('su_group', { name: 'Rouges' }), 'Votre groupe : Rouges');
  assert.equal(translator('en')('join_button'), 'Join'); // the page's own strings are still there
});
