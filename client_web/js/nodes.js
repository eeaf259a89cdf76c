/**
 * Console: the conductor processes of a show run by several (`flashmob serve
 * --redis`; docs/protocol.md "Console feed", `feed.nodes`). One row per node
 * whose heartbeat is fresh, this console's node first: its phones, the show
 * revision it holds and its clock against Redis's. The panel stays hidden for
 * a single conductor (`nodes` empty).
 *
 * `nodeRows(nodes)` is the pure part (runs under Node); `renderNodes(panel,
 * body, nodes)` builds the table rows with createElement and textContent only.
 */

const ms = (us) => {
  if (us === null || us === undefined) return '–';
  const tenths = Math.round(us / 100);
  return `${(tenths === 0 ? 0 : tenths / 10).toFixed(1)} ms`;
};

/** One row per node: { node, here, cells: [...] } (cells: name, connected, ready, playing, pending, revision, clock, NTP, heartbeat). */
export function nodeRows(nodes) {
  return (nodes || []).map((n) => ({
    node: n.node,
    here: !!n.here,
    cells: [
      n.here ? `${n.node} (this one)` : n.node,
      String(n.connected), String(n.ready), String(n.playing), String(n.pending), String(n.revision),
      n.skew_us === null || n.skew_us === undefined ? '–' : `${ms(n.skew_us)} ± ${ms(n.rtt_us / 2)}`,
      ms(n.ntp_offset_us),
      `${(n.age_ms / 1000).toFixed(1)} s ago`,
    ],
  }));
}

/** The whole show's row: the sums of connected, ready, playing and pending phones over the nodes. */
export function totalRow(nodes) {
  const sum = (k) => (nodes || []).reduce((n, x) => n + (x[k] || 0), 0);
  return { node: '', here: false, total: true,
    cells: ['whole show', String(sum('connected')), String(sum('ready')), String(sum('playing')), String(sum('pending')), '', '', '', ''] };
}

/** Fill `body` (a <tbody>) with the rows and the total; show `panel` only when there are nodes. */
export function renderNodes(panel, body, nodes) {
  const rows = nodeRows(nodes);
  if (rows.length) rows.push(totalRow(nodes));
  panel.hidden = rows.length === 0;
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.node = r.node;
    if (r.here) tr.className = 'here';
    if (r.total) tr.className = 'total';
    for (const c of r.cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  }));
}
