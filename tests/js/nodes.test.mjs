/** client_web/js/nodes.js: the console's rows for feed.nodes (several conductors on Redis). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { nodeRows, totalRow } from '../../client_web/js/nodes.js';

test('one row per node, this one first as the feed orders them, clock with its error bound', () => {
  const rows = nodeRows([
    { node: 'n2', connected: 5, ready: 4, playing: 3, pending: 1, revision: 2, skew_us: -40, rtt_us: 200, ntp_offset_us: 1490, age_ms: 0, here: true },
    { node: 'n1', connected: 7, ready: 7, playing: 0, pending: 0, revision: 2, skew_us: null, rtt_us: null, ntp_offset_us: null, age_ms: 1640, here: false },
  ]);
  assert.deepEqual(rows.map((r) => [r.node, r.here]), [['n2', true], ['n1', false]]);
  assert.deepEqual(rows[0].cells, ['n2 (this one)', '5', '4', '3', '1', '2', '0.0 ms ± 0.1 ms', '1.5 ms', '0.0 s ago']);
  assert.deepEqual(rows[1].cells.slice(6), ['–', '–', '1.6 s ago']);
  assert.deepEqual(totalRow([{ connected: 5, ready: 4, playing: 3, pending: 1 }, { connected: 7, ready: 7, playing: 0, pending: 0 }]).cells.slice(0, 5),
    ['whole show', '12', '11', '3', '1']);
});

test('a single conductor has no rows', () => {
  assert.deepEqual(nodeRows(undefined), []);
  assert.deepEqual(nodeRows([]), []);
});
