/**
 * The sign-up page (signup.html; docs/signups.md).
 *
 * Before signing up: the show's title, date and place, a name-or-handle field
 * (an e-mail field only when the score asks for one, an invitation-code field
 * only when the conductor needs one), the organizer's privacy notice and a
 * consent box. After: the person's own page, at `/signup#me=KEY` (the private
 * key stays in the fragment: never sent in a URL, only in the
 * `X-Flashmob-Signup` header), with their status, group (unless a surprise),
 * personal join QR code and link, the calendar file, and "cancel and delete".
 * While waiting, the page asks again every 20 s, so a promotion shows up.
 *
 * The shapes are contract/signups.py's (SignupInfo, SignupRequest, SignupView);
 * every text is set as text (dom.js), never parsed as HTML.
 */
import { encodeQr, qrPath } from './qr.js';
import { h, svg } from './dom.js';
import { pickLanguage, translator } from './i18n.js';

export const API = { INFO: '/api/signup', ME: '/api/signup/me', CALENDAR: '/api/signup/me/calendar' };
export const KEY_HEADER = 'X-Flashmob-Signup';
const KEY_STORE = 'flashmob-signup-key';
const POLL_MS = 20_000;

const $ = (id) => document.getElementById(id);
let t = translator(pickLanguage(null, navigator.languages || []));
const st = { info: null, view: null, key: null, screen: null, error: null };
window.flashmobSignup = st;

function keyFromUrl() {
  const k = new URLSearchParams(location.hash.slice(1)).get('me');
  return k && /^[A-Za-z0-9_-]{22,64}$/.test(k) ? k : null;
}

function show(screen) {
  st.screen = screen;
  document.body.dataset.screen = screen;
  for (const s of ['form', 'closed', 'mine', 'deleted']) $(`screen-${s}`).hidden = s !== screen;
}

function fail(message) {
  st.error = message;
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function translate() {
  document.documentElement.lang = st.info?.language?.split('-')[0] || 'en';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
}

async function api(path, { method = 'GET', body, key } = {}) {
  const headers = {};
  if (key) headers[KEY_HEADER] = key;
  if (body) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  let data = null;
  try { data = await r.json(); } catch { /* a calendar, or an empty answer */ }
  return { ok: r.ok, status: r.status, data };
}

function renderInfo(info) {
  $('title').textContent = info.title;
  document.title = `${info.title} · ${t('su_eyebrow')}`;
  const when = info.starts ? new Date(info.starts).toLocaleString(document.documentElement.lang,
    { dateStyle: 'full', timeStyle: 'short' }) : '';
  $('when').textContent = [when, info.place].filter(Boolean).join(' · ');
  $('privacy').textContent = info.privacy;
  $('keep').textContent = t('su_keep', { days: info.keep_days });
  $('email-row').hidden = info.email === 'no';
  $('email-label').textContent = t(info.email === 'required' ? 'su_email' : 'su_email_optional');
  $('email').required = info.email === 'required';
  $('code-row').hidden = !info.code_required;
  $('places').textContent = info.places_left == null ? '' : info.places_left > 0
    ? t('su_places', { n: info.places_left }) : t('su_full');
}

function renderMine(v) {
  st.view = v;
  show('mine');
  const waiting = v.status === 'waiting';
  $('status').textContent = waiting ? t('su_waiting', { n: v.position, name: v.name }) : t('su_confirmed', { name: v.name });
  $('group').hidden = !v.group_name;
  if (v.group_name) {
    $('group-name').textContent = t('su_group', { name: v.group_name });
    $('swatch').style.background = v.colour || 'transparent';
  }
  $('qr').hidden = !v.join_url;
  $('join-row').hidden = !v.join_url;
  if (v.join_url) {
    const { n, d } = qrPath(encodeQr(v.join_url, { ecc: 'M' }));
    const code = svg('svg', { viewBox: `0 0 ${n} ${n}`, 'shape-rendering': 'crispEdges', role: 'img', 'aria-label': t('su_qr_alt') },
      svg('rect', { width: n, height: n, fill: '#fff' }), svg('path', { d, fill: '#000' }));
    $('qr').replaceChildren(code);
    $('join').href = v.join_url;
    $('join').textContent = t('su_join');
  }
  const manage = `${location.origin}/signup#me=${st.key}`;
  $('manage').href = manage;
  $('manage').textContent = manage;
  if (waiting) setTimeout(refresh, POLL_MS);
}

async function refresh() {
  if (!st.key || st.screen === 'deleted') return;
  const r = await api(API.ME, { key: st.key });
  if (r.ok) renderMine(r.data);
  else if (r.status === 404) { forget(); fail(t('su_unknown')); startForm(); }
}

function forget() {
  st.key = null;
  localStorage.removeItem(KEY_STORE);
  history.replaceState(null, '', location.pathname);
}

function startForm() {
  const info = st.info;
  if (!info) return;
  if (!info.open) { show('closed'); $('closed').textContent = t(`su_closed_${info.closed}`); return; }
  show('form');
}

async function submit(ev) {
  ev.preventDefault();
  fail(null);
  const name = $('name').value.trim();
  if (!name) { fail(t('su_need_name')); return; }
  if (!$('consent').checked) { fail(t('su_need_consent')); return; }
  const body = { name, consent: true };
  if (st.info.email !== 'no' && $('email').value.trim()) body.email = $('email').value.trim();
  if (st.info.code_required) body.code = $('code').value;
  $('submit').disabled = true;
  try {
    const r = await api(API.INFO, { method: 'POST', body });
    if (!r.ok) { fail(refusal(r)); return; }
    st.key = r.data.key;
    localStorage.setItem(KEY_STORE, st.key);
    history.replaceState(null, '', `${location.pathname}#me=${st.key}`);
    renderMine(r.data);
  } finally {
    $('submit').disabled = false;
  }
}

/** A refusal in the page's language when it has words for its code (docs/signups.md), else the server's. */
function refusal(r) {
  const key = `su_err_${r.data?.code}`;
  const text = t(key);
  return text !== key ? text : (r.data?.error || `HTTP ${r.status}`);
}

async function cancel() {
  if (!st.key || !confirm(t('su_cancel_confirm'))) return;
  const r = await api(API.ME, { method: 'DELETE', key: st.key });
  if (r.ok || r.status === 404) { forget(); st.view = null; show('deleted'); fail(null); }
  else fail(r.data?.error || `HTTP ${r.status}`);
}

async function calendar() {
  const r = await fetch(API.CALENDAR, { headers: { [KEY_HEADER]: st.key }, cache: 'no-store' });
  if (!r.ok) { fail((await r.json().catch(() => null))?.error || `HTTP ${r.status}`); return; }
  const url = URL.createObjectURL(await r.blob());
  const a = h('a', { href: url, download: 'flashmob.ics' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function main() {
  $('form').addEventListener('submit', submit);
  $('cancel').addEventListener('click', cancel);
  $('calendar').addEventListener('click', calendar);
  const r = await api(API.INFO);
  if (!r.ok) { translate(); fail(r.data?.error || t('su_disabled')); return; }
  st.info = r.data;
  t = translator(pickLanguage(st.info.language, navigator.languages || []));
  translate();
  renderInfo(st.info);
  st.key = keyFromUrl() || localStorage.getItem(KEY_STORE);
  if (st.key) {
    if (!keyFromUrl()) history.replaceState(null, '', `${location.pathname}#me=${st.key}`);
    await refresh();
    if (st.screen === 'mine') return;
  }
  startForm();
}

main();
