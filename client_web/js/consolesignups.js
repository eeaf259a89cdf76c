/**
 * The console's sign-up panel (console.html #signups-panel; docs/signups.md).
 *
 * Polls `GET /api/signups` (contract/signups.py SignupSummary: counts only,
 * no personal data) with the console token as `Authorization: Bearer`, every
 * POLL_MS, and shows sign-ups per group, the waiting list, cancellations,
 * promotions and when everything is deleted. "Export badges CSV" downloads
 * `GET /api/signups.csv`, the file `flashmob qr --badges` reads. A show
 * without sign-ups answers 204 (no content): the panel stays hidden.
 */
import { h } from './dom.js';

export const SIGNUPS_API = { SUMMARY: '/api/signups', CSV: '/api/signups.csv' };
const POLL_MS = 10_000;
const $ = (id) => document.getElementById(id);

/** The panel's text for a summary (pure: tested through the page). */
export function describe(s) {
  const cap = s.capacity == null ? 'no limit' : `${s.capacity} places`;
  const erase = s.erased ? 'deleted (the show is over)'
    : s.erase_at_us == null ? `deleted ${s.keep_days} days after the show ends` : `deleted on ${new Date(s.erase_at_us / 1000).toLocaleString()}`;
  return {
    totals: `${s.confirmed} signed up · ${s.waiting} waiting · ${cap}`,
    detail: `${s.cancelled} cancelled · ${s.promoted} promoted from the waiting list · ${s.open ? 'open' : 'closed'} · ${erase}`,
  };
}

/** Start polling; `joinUrl` (console_welcome.join_url) gives the public address of the sign-up page. */
export function startSignups(token, joinUrl = null) {
  let timer = null;
  const auth = { Authorization: `Bearer ${token}` };

  async function poll() {
    clearTimeout(timer);
    try {
      const r = await fetch(SIGNUPS_API.SUMMARY, { headers: auth, cache: 'no-store' });
      if (r.status === 204 || r.status === 404) { $('signups-panel').hidden = true; return; } // no sign-ups for this show
      if (r.ok) render(await r.json());
    } catch { /* offline: try again */ }
    timer = setTimeout(poll, POLL_MS);
  }

  function render(s) {
    $('signups-panel').hidden = false;
    const text = describe(s);
    $('signups-totals').textContent = text.totals;
    $('signups-detail').textContent = text.detail;
    $('signups-groups').replaceChildren(...s.groups.map((g) => h('tr', {}, h('td', {}, g.name), h('td', {}, g.signups))));
  }

  async function exportCsv() {
    const r = await fetch(SIGNUPS_API.CSV, { headers: auth, cache: 'no-store' });
    if (!r.ok) { $('signups-result').textContent = `✗ HTTP ${r.status}`; return; }
    const url = URL.createObjectURL(await r.blob());
    const a = h('a', { href: url, download: 'signups.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    $('signups-result').textContent = '✓ signups.csv: flashmob qr BUNDLE --url PUBLIC_URL -o DIR --badges signups.csv';
  }

  $('signups-csv').addEventListener('click', exportCsv);
  const page = new URL('/signup', joinUrl || location.origin).href;
  $('signups-page').href = page;
  $('signups-page').textContent = page;
  poll();
  return { poll };
}
