/**
 * The organizer console (console.html#token=SECRET).
 *
 * The token is read from the URL fragment (never sent in a URL: only inside the
 * console_hello frame) and the fragment is then removed from the address bar.
 * Shows the show state with a synced countdown or elapsed time, counts and
 * readiness per group with each group's current cue, the histogram of the
 * phones' sync error bounds, engines, drift and NTP status. Commands: arm in N
 * seconds or at a wall-clock time (converted with the console's own clock
 * sync), cancel, abort (confirmed), reset, announce, release seats (pending ones,
 * or those of phones not connected; docs/protocol.md "Seats"). Projector mode: full-screen
 * countdown and the join QR code(s), drawn by qr.js.
 */
import { Connection, socketUrl } from './connection.js';
import { ClockSync } from './clocksync.js';
import { parse, make, TYPES, ERRORS, LEVEL, SCOPE, PATHS } from './protocol.js';
import * as SS from './showstate.js';
import { checkManifest } from './manifestcheck.js';
import { encodeQr, qrPath } from './qr.js';
import { h, svg } from './dom.js';
import { renderAlarms } from './alarms.js';
import { renderOffsets } from './consoleoffsets.js';
import { ReportLink } from './reportlink.js';
import { startSignups } from './consolesignups.js';
import { renderNodes } from './nodes.js';
import { Preview } from './consolepreview.js';

const $ = (id) => document.getElementById(id);
const clientNowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('flashmob-console-token');
if (token) sessionStorage.setItem('flashmob-console-token', token);
if (location.hash) history.replaceState(null, '', location.pathname);

const st = { welcome: null, feed: null, show: null, manifest: null, refs: 0 };
window.flashmobConsole = st;

const clock = new ClockSync({ now: clientNowUs, send: (t) => conn.send(t) });
const conn = new Connection(socketUrl(PATHS.CONSOLE_WS), {
  onOpen: () => { conn.send(make.consoleHello(token || '')); clock.resync(); },
  onMessage: (text) => onMessage(text),
  onState: (on) => { $('conn').textContent = on ? 'connected' : 'offline'; $('conn').classList.toggle('on', on); },
});

function onMessage(text) {
  let msg;
  try {
    msg = parse(text, 'server');
  } catch {
    return;
  }
  if (msg.type === TYPES.SYNC_REPLY) clock.handleReply(msg);
  else if (msg.type === TYPES.CONSOLE_WELCOME) onWelcome(msg);
  else if (msg.type === TYPES.FEED) { st.feed = msg; setShow(msg.show); if (msg.rehearsal) setShow(msg.rehearsal); renderFeed(); }
  else if (msg.type === TYPES.SHOW) setShow(msg);
  else if (msg.type === TYPES.ACK) { $('cmd-result').textContent = `✓ ${msg.command} done`; if (msg.show) setShow(msg.show); }
  else if (msg.type === TYPES.ERROR) {
    if (msg.code === ERRORS.UNAUTHORIZED) {
      $('auth-error').hidden = false;
      $('auth-error').textContent = 'Wrong or missing console token: open the console URL printed by "flashmob serve".';
      conn.close();
    } else {
      $('cmd-result').textContent = `✗ ${msg.message}`;
    }
  }
}

async function onWelcome(w) {
  if (!st.welcome) st.signups = startSignups(token || '', w.join_url); // the sign-up panel (consolesignups.js)
  st.welcome = w;
  $('main').hidden = false;
  $('auth-error').hidden = true;
  $('title').textContent = w.title;
  document.title = `${w.title} · console`;
  setShow(w.show);
  if (w.rehearsal) setShow(w.rehearsal);
  try {
    const info = await (await fetch(PATHS.API_INFO, { cache: 'no-store' })).json();
    // a surprise show's bundle is for organizers only: the token opens it (docs/protocol.md, "Surprise groups")
    const manifest = await (await fetch(info.manifest_url, { headers: { Authorization: `Bearer ${token}` } })).json();
    const problems = checkManifest(manifest); // the rules the conductor loaded it with (contract/manifest.py)
    if (problems.length) throw new Error(`manifest.json: ${problems.join('; ')}`);
    st.manifest = manifest;
    preview.setManifest(manifest, info.manifest_url);
    const sel = $('announce-group');
    sel.length = 1;
    for (const g of st.manifest.groups) sel.add(new Option(g.name, g.id));
  } catch { /* the console works without the manifest, minus cues */ }
}

const report = new ReportLink({ button: $('report'), status: $('report-result'), token });

function setShow(show) {
  const { type, ...rec } = show;
  st.show = SS.newerShow(st.show, rec);
  report.update(st.show.state);
}

function send(frame) {
  $('cmd-result').textContent = '…';
  if (!conn.send(frame)) $('cmd-result').textContent = '✗ not connected';
}
const ref = () => `c${++st.refs}`;
/** Commands after an arm act on the record the phones follow: the rehearsal's while it leads. */
const rehearsing = () => !!st.show?.rehearsal;
const preview = new Preview({ $, serverTime: () => (clock.ready ? clock.serverTime() : null), show: () => st.show });
window.flashmobConsole.preview = preview;

function renderFeed() {
  const f = st.feed;
  const now = clock.ready ? clock.serverTime() : f.server_time_us;
  renderAlarms($('alarms-panel'), $('alarms'), f.alarms, now);
  renderNodes($('nodes-panel'), $('nodes'), f.nodes);
  const ph = SS.phaseAt(st.show, now); // the record phones follow (the rehearsal's while it leads)
  const rows = f.groups.map((g) => {
    const mg = st.manifest?.groups.find((x) => x.id === g.id);
    const cue = ph.phase === 'playing' && mg ? SS.cueAt(mg.cues, Math.floor(ph.positionUs / 1000)) : null;
    return h('tr', {},
      h('td', {}, h('span', { className: 'swatch', style: { background: SS.safeColour(g.colour) } }), g.name),
      h('td', {}, g.participants), h('td', {}, g.connected), h('td', {}, `${g.ready}/${g.connected}`),
      h('td', { className: 'cue' }, cue ? cue.text : '—'));
  });
  $('groups').replaceChildren(...rows);
  $('totals').textContent = `· ${f.participants_total} confirmed, ${f.connected_total} connected`
    + (f.capacity ? ` (capacity ${f.capacity})` : '');
  const s = f.seats;
  $('seats').textContent = `Seats: ${s.confirmed} held (confirmed)${s.capacity ? ` of ${s.capacity}` : ''}, `
    + `${s.pending} pending (max ${s.max_pending}) · since start: ${s.released} released, ${s.expired} expired, `
    + `${s.failed} wrong answers, ${s.refused} refused (full)`;
  const hist = f.sync_error;
  const counts = [...hist.counts, hist.unknown];
  const max = Math.max(1, ...counts);
  const labels = [...hist.bounds_us.map((b) => `≤${b / 1000} ms`), `>${hist.bounds_us[hist.bounds_us.length - 1] / 1000} ms`, 'unknown'];
  $('histogram').replaceChildren(...counts.map((c, i) => h('div', { className: 'bar', title: labels[i] },
    h('span', {}, c), h('div', { style: { height: `${(100 * c) / max}%` } }), h('span', {}, labels[i]))));
  $('engines').textContent = `Engines: ${Object.entries(f.engines).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}`;
  renderTrouble(f.trouble || {});
  renderOffsets($('offsets'), $('offsets-histogram'), f.offsets);
  const d = f.drift;
  $('drift').textContent = d.playing ? `Playing ${d.playing}: position error median ${(d.median_us / 1000).toFixed(1)} ms, `
    + `worst ${(d.max_abs_us / 1000).toFixed(1)} ms` : 'No phone playing';
  const n = f.ntp || {};
  $('ntp').textContent = n.chosen ? `Disciplined by ${n.chosen} (${n.last_action}); server − system clock `
    + `${((n.server_minus_wall_us || 0) / 1000).toFixed(1)} ms${n.slewing ? ', slewing' : ''}; ${n.rounds} rounds`
    : 'No NTP server configured: server time is this machine\'s clock (start with --ntp HOST).';
  $('announcements').replaceChildren(...[...(f.announcements || [])].reverse().map((a) => h('li', {},
    a.level === LEVEL.URGENT ? [h('span', { className: 'urgent-tag' }, 'URGENT'), ' '] : null,
    a.group ? `[${a.group}] ` : null, a.text)));
}

function renderClock() {
  if (!st.show) return;
  const now = clock.ready ? clock.serverTime() : null;
  if (now === null) return;
  const ph = SS.phaseAt(st.show, now);
  $('server-time').textContent = new Date(now / 1000).toLocaleTimeString();
  const b = clock.errorBound();
  $('console-sync').textContent = Number.isFinite(b) ? `${(b / 1000).toFixed(1)} ms` : '—';
  const labels = { lobby: 'Lobby: not armed', countdown: 'Armed: countdown', playing: 'Running', ended: 'Ended', aborted: 'Aborted' };
  $('state').textContent = labels[ph.phase];
  $('rehearsal-tag').hidden = !(st.show.rehearsal && ph.phase !== 'lobby');
  $('arm-rehearsal-label').hidden = ph.phase !== 'lobby';
  preview.tick();
  let big = '—', detail = '';
  if (ph.phase === 'countdown') {
    big = SS.formatClock(ph.untilStartUs, { up: true });
    detail = `Starts at ${new Date(st.show.start_at_us / 1000).toLocaleTimeString()} (server time)`;
  } else if (ph.phase === 'playing') {
    big = SS.formatClock(ph.positionUs);
    detail = `Elapsed of ${SS.formatClock(st.show.duration_us, { up: true })}`;
  } else if (ph.phase === 'aborted') {
    detail = st.show.reason || '';
  }
  $('big-time').textContent = big;
  $('state-detail').textContent = detail;
  $('cancel').disabled = ph.phase !== 'countdown';
  $('abort').disabled = !['countdown', 'playing'].includes(ph.phase);
  $('reset').disabled = !['ended', 'aborted'].includes(ph.phase);
  for (const el of document.querySelectorAll('#arm-in-form button, #arm-at-form button')) el.disabled = ph.phase !== 'lobby';
  if (!$('projector').hidden) {
    $('p-state').textContent = (st.show.rehearsal && ph.phase !== 'lobby' ? 'Rehearsal · ' : '') + { lobby: 'Scan to join', countdown: 'Starting in', playing: 'Now playing', ended: 'Thank you', aborted: 'Stopped' }[ph.phase];
    $('p-time').textContent = ph.phase === 'countdown' ? SS.formatClock(ph.untilStartUs, { up: true })
      : ph.phase === 'playing' ? SS.formatClock(ph.positionUs) : '';
  }
  if (st.feed && ph.phase === 'playing') renderFeed();
}

function openProjector() {
  const w = st.welcome;
  if (!w) return;
  $('p-title').textContent = w.title;
  // a surprise show's group codes are organizers-only material: never on the projector
  const urls = w.group_join_urls && !st.manifest?.surprise ? Object.entries(w.group_join_urls) : [[null, w.join_url]];
  $('p-qr').replaceChildren(...urls.map(([g, url]) => {
    const name = g && st.manifest ? st.manifest.groups.find((x) => x.id === g)?.name ?? g : '';
    const { n, d } = qrPath(encodeQr(url, { ecc: 'M' }));
    const code = svg('svg', { viewBox: `0 0 ${n} ${n}`, 'shape-rendering': 'crispEdges' },
      svg('rect', { width: n, height: n, fill: '#fff' }), svg('path', { d, fill: '#000' }));
    return h('figure', {}, code, name ? h('figcaption', {}, name) : null);
  }));
  $('p-url').textContent = w.join_url;
  $('projector').hidden = false;
  document.documentElement.requestFullscreen?.().catch(() => {});
}

function main() {
  if (!token) {
    $('auth-error').hidden = false;
    $('auth-error').textContent = 'No console token: open the console URL printed by "flashmob serve" (…/console#token=…).';
    return;
  }
  $('arm-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    send(make.arm({ in_ms: Math.round(Number($('arm-in').value) * 1000), ref: ref(), rehearsal: $('arm-rehearsal').checked }));
    $('arm-rehearsal').checked = false; // each rehearsal is asked for: the next arm is the show's
  });
  $('arm-at-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const [h, m, s = 0] = $('arm-at').value.split(':').map(Number);
    const target = new Date();
    target.setHours(h, m, s, 0);
    if (target.getTime() < Date.now()) target.setDate(target.getDate() + 1);
    // wall clock of this computer -> server time through the console's clock sync
    const clientUs = clientNowUs() + (target.getTime() - Date.now()) * 1000;
    send(make.arm({ start_at_us: Math.round(clock.estimate(clientUs).serverUs), ref: ref(), rehearsal: $('arm-rehearsal').checked }));
    $('arm-rehearsal').checked = false;
  });
  $('cancel').addEventListener('click', () => send(make.cancel(ref(), rehearsing())));
  $('release-pending').addEventListener('click', () => send(make.release(SCOPE.PENDING, ref())));
  $('release-offline').addEventListener('click', () => {
    if (window.confirm('Release the seats of every confirmed phone that is not connected now? '
      + 'After arming, phones in airplane mode are offline on purpose.')) send(make.release(SCOPE.OFFLINE, ref()));
  });
  $('reset').addEventListener('click', () => send(make.reset(ref(), rehearsing())));
  $('abort').addEventListener('click', () => $('abort-dialog').showModal());
  $('abort-dialog').addEventListener('close', () => {
    if ($('abort-dialog').returnValue === 'abort') send(make.abort($('abort-reason').value.trim() || null, ref(), rehearsing()));
  });
  $('announce-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('announce-text').value.trim();
    if (!text) return;
    send(make.announce({ text, level: $('announce-level').value, group: $('announce-group').value || null, ref: ref() }));
    $('announce-text').value = '';
  });
  $('projector-open').addEventListener('click', openProjector);
  $('projector-close').addEventListener('click', () => { $('projector').hidden = true; document.exitFullscreen?.().catch(() => {}); });
  conn.open();
  clock.start();
  setInterval(renderClock, 100);
}

main();

/** Why phones cannot play by themselves (status.trouble), most serious first; they were told what to do. */
const TROUBLE_WHY = {
  media: 'cannot play the MP3 at all', decode: 'cannot decode the audio', start: 'sound did not start',
  timing: 'audio clock implausible',
};

function renderTrouble(trouble) {
  const entries = Object.keys(TROUBLE_WHY).filter((k) => trouble[k] > 0).map((k) => [k, trouble[k]]);
  for (const [k, v] of Object.entries(trouble)) if (!(k in TROUBLE_WHY) && v > 0) entries.push([k, v]);
  const total = entries.reduce((a, [, v]) => a + v, 0);
  $('trouble').hidden = total === 0;
  $('trouble').textContent = total === 0 ? '' : `${total} phone${total > 1 ? 's' : ''} in trouble: `
    + entries.map(([k, v]) => `${v} ${TROUBLE_WHY[k] || k}`).join(', ')
    + ' — they were shown the simple player or the MP3 and the exact time to press play.';
}
