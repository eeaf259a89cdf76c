import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marked } from '../../client_web/js/rehearsalmark.js';

test('the rehearsal mark: on a rehearsal record in any phase but the lobby', () => {
  assert.equal(marked({ rehearsal: true }, 'countdown'), true);
  assert.equal(marked({ rehearsal: true }, 'ended'), true);
  assert.equal(marked({ rehearsal: true }, 'lobby'), false);
  assert.equal(marked({ state: 'running' }, 'playing'), false);
  assert.equal(marked(null, 'playing'), false);
});
