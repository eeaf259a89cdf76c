/** surprise.js: what the page may show of its group, and a reveal that happens once. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Surprise, REVEAL_VIBRATION } from '../../client_web/js/surprise.js';
import { Keeper } from '../../client_web/js/storage.js';
import { SYMBOLS } from '../../client_web/js/wire.js';

function memory() {
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v) };
}

const GROUP = { id: 'mine', name: 'mine', colour: '#888888', symbol: undefined };
const REVEALED = { name: 'Reds', colour: '#d32f2f', symbol: 'star' };

test('shown: a plain show shows its group; a surprise shows nothing until the reveal', () => {
  const s = new Surprise(new Keeper(memory()), null);
  assert.deepEqual(s.shown({ groups: [GROUP] }, { ...GROUP, name: 'Reds' }), { name: 'Reds', colour: '#888888', symbol: undefined });
  assert.equal(s.shown({ surprise: { reveal_ms: 1000 }, groups: [GROUP] }, GROUP), null);
  assert.equal(s.shown(null, null), null);
});

test('reveal: kept (a reload shows it), vibrates and shows the card once', () => {
  const storage = memory();
  const s = new Surprise(new Keeper(storage), null);
  const cards = [];
  const vibrations = [];
  s.showCard = (g) => cards.push(g);
  globalThis.navigator ??= {};
  const before = globalThis.navigator.vibrate;
  Object.defineProperty(globalThis.navigator, 'vibrate', { value: (p) => vibrations.push(p), configurable: true, writable: true });
  try {
    s.reveal(REVEALED, (k) => k);
    s.reveal(REVEALED, (k) => k); // a reconnection's welcome repeats the frame
    assert.deepEqual(cards, [REVEALED]);
    assert.deepEqual(vibrations, [REVEAL_VIBRATION]);
    const again = new Surprise(new Keeper(storage), null);
    assert.deepEqual(again.shown({ surprise: { reveal_ms: 0 }, groups: [GROUP] }, GROUP), REVEALED);
  } finally {
    Object.defineProperty(globalThis.navigator, 'vibrate', { value: before, configurable: true, writable: true });
  }
});

test('the page draws every symbol the wire allows', async () => {
  const src = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../client_web/js/surprise.js', import.meta.url), 'utf8'));
  for (const name of SYMBOLS) assert.match(src, new RegExp(`\\b${name}: \\['`), name);
});
