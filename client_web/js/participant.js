/**
 * The participant page (index.html): join -> group -> download and verify ->
 * enable sound -> wait (clock sync shown) -> countdown -> play with captions ->
 * end. Abort fades out; urgent announcements take over the screen.
 *
 * Principles (docs/architecture.md, 3 and 6): the start is absolute ("sample 0 at server time T"); the screen
 * follows from phaseAt(show, server now) every frame, by the rules of participantmachine.js (pure); the show record, the
 * clock model, the participant id and the manual offset are kept in
 * localStorage, so a reload, a call, a lock or a lost network resume where the
 * show is. Test hooks: `window.flashmob` (state and engine reports), and
 * `?probe=1` (click timestamps), `?engine=media` (force the fallback).
 *
 * Failures are visible (trouble.js): a page that cannot decode the audio, start
 * its AudioContext, or trust its audio clock says so and offers the <audio>
 * player, or the MP3 to play elsewhere at the exact start time; `status.trouble`
 * tells the console.
 */
import { Connection, socketUrl } from './connection.js';
import { ClockSync } from './clocksync.js';
import { parse, make, TYPES, ERRORS, LEVEL, SEAT, PATHS } from './protocol.js';
import { Keeper } from './storage.js';
import { BundleStore, groupFiles } from './download.js';
import { sha256Hex } from './sha256.js';
import { WebAudioEngine, createUnlockedContext, playTestTone } from './engine.js';
import { MediaEngine } from './mediaengine.js';
import * as SS from './showstate.js';
import { ScreenMachine, engineCommand, playerFor } from './participantmachine.js';
import { engineProblems } from './engineapi.js';
import { bindPlatform } from './platform.js';
import { offlineStatus, renderOffline } from './offline.js';
import { checkManifest } from './manifestcheck.js';
import { pickLanguage, translator } from './i18n.js';
import { TroubleWatch, remedies } from './trouble.js';
import { StatusCadence, STATUS_CHECK_MS } from './statuscadence.js';
import { SoundCheckUi } from './soundcheckui.js';
import { PracticePlayer } from './practiceplayer.js';
import { markRehearsal } from './rehearsalmark.js';
import { Surprise } from './surprise.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const keeper = new Keeper();
const clientNowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
/** ?i=: the participant id of a sign-up's personal link (docs/signups.md); it carries its group. */
const signupPid = () => new URLSearchParams(location.search).get('i');
function dropSignupPid() {
  const rest = new URLSearchParams(location.search);
  rest.delete('i');
  history.replaceState(null, '', location.pathname + (rest.toString() ? `?${rest}` : '') + location.hash);
}

const st = {
  info: null, manifest: null, group: null, groupId: keeper.get('group'),
  pid: signupPid() || keeper.get('participant_id'),
  show: keeper.get('show'), verified: false, engine: null, ctx: null, online: false, screen: null,
  announcements: [], dismissed: new Set(), lastCountdown: null, lastCueMs: null, wakeLock: null, error: null,
  trouble: null,
  seat: null, challenge: null, machineError: null,
};
/** The screens' rules and transitions (participantmachine.js); render() feeds it the facts. */
const screens = new ScreenMachine();
const watch = new TroubleWatch();
const surprise = new Surprise(keeper); // a surprise show: no group shown before the reveal (surprise.js)
/** The player the person chose (or the URL forces): 'media' or 'webaudio'. */
const player = () => playerFor({ forced: params.get('engine'), chosen: keeper.get('player') });
let t = translator(pickLanguage(null, navigator.languages || []));

const clock = new ClockSync({ now: clientNowUs, send: (text) => conn.send(text),
  onUpdate: () => { keeper.set({ clock: clock.toJSON(), clock_saved_at: Date.now() }); } });
if (keeper.get('clock')) clock.restore(keeper.get('clock'), { extraBoundUs: 2000 });

const conn = new Connection(socketUrl(PATHS.PARTICIPANT_WS), {
  onOpen: () => {
    clock.resync();
    const hello = { participant_id: st.pid, client: `flashmob-web/1 (${navigator.userAgent.slice(0, 150)})` };
    if (params.get('g')) Object.assign(hello, { group: params.get('g'), group_token: params.get('k') });
    conn.send(make.hello(hello));
  },
  onMessage: (text) => onMessage(text),
  // offline, the seat is not known (the console may release it): the next welcome says
  onState: (online) => { st.online = online; if (!online) st.seat = null; render(); },
});

// "check my sound" and the offset per output (soundcheckui.js)
const soundcheck = new SoundCheckUi({ ctx: () => st.ctx, engine: () => st.engine, clock, keeper, t: () => t,
  changed: () => { render(); sendStatus(); }, acousticMs: params.has('acoustic_ms') ? Number(params.get('acoustic_ms')) : undefined });

/** The platforms' traps (platform.js, lifecycle.js): visibility, back-forward cache, interruptions, wake lock. */
const platform = bindPlatform({ ctx: () => st.ctx, engine: () => st.engine, soundOn: () => !!st.soundOn,
  kick: () => conn.kick(), resync: () => clock.resync(), syncEngine: () => syncEngine(),
  resumeAudio: () => {
    if (!st.ctx || st.ctx.state === 'running') return;
    watch.expectRunning(performance.now());
    st.ctx.resume().catch(() => {});
  },
  onWakeLock: (lock) => { st.wakeLock = lock; render(); } });

window.flashmob = { st, clock, keeper, conn, platform, soundcheck, report: () => report() };
// practice mode (practiceplayer.js): the verified files at home, outside a show
const practice = new PracticePlayer({ $, t: (k, v) => t(k, v), group: () => st.group,
  bytesOf: (p) => st.store.bytesOf(p), onChange: () => render() });
window.flashmob.practice = practice;

function report() {
  const e = st.engine;
  return { screen: st.screen, phase: SS.phaseAt(st.show, clock.serverTime() ?? 0).phase, verified: st.verified,
    seat: st.seat,
    group: st.groupId, pid: st.pid, engine: e?.name ?? null, syncBoundUs: clock.errorBound(),
    firstSample: e?.report.firstSample ?? null, clicks: e?.report.clicks ?? [], reanchors: e?.report.reanchors ?? 0,
    runs: e?.report.runs ?? [], syncSamples: clock.samples.length,
    position_us: e?.positionUs?.() ?? null, startAt: st.show?.start_at_us ?? null, online: st.online,
    ctxState: st.ctx?.state ?? null, error: st.error, decodeErrors: e?.report.decodeErrors ?? 0, trouble: st.trouble,
    machineError: st.machineError, outputStops: e?.report.outputStops ?? [], platform: platform.report(),
    soundcheck: soundcheck.last, offset: soundcheck.applied() };
}

// ------------------------------------------------------------------ messages

/** Errors that refuse the join itself (shown until the person acts). */
const JOIN_REFUSALS = [ERRORS.CAPACITY_REACHED, ERRORS.GROUP_REQUIRED, ERRORS.GROUP_INVALID, ERRORS.GROUP_TOKEN_INVALID];

function onMessage(text) {
  let msg;
  try {
    msg = parse(text, 'server');
  } catch {
    return;
  }
  switch (msg.type) {
    case TYPES.SYNC_REPLY: clock.handleReply(msg); break;
    case TYPES.WELCOME: onWelcome(msg); break;
    case TYPES.SHOW: setShow(msg); break;
    case TYPES.ANNOUNCEMENT: addAnnouncement(msg); break;
    case TYPES.CHALLENGE: st.challenge = msg; answerChallenge(); break;
    case TYPES.SEAT: st.seat = msg.state; st.challenge = null; render(); break;
    case TYPES.REVEAL: surprise.reveal(msg.group, t); render(); break;
    case TYPES.ERROR:
      if (msg.fatal || JOIN_REFUSALS.includes(msg.code)) {
        st.error = msg.code === ERRORS.CAPACITY_REACHED ? t('error_full') : t('error_generic', { message: msg.message });
        // a refused hello, or a seat the conductor could not store (unavailable: the phone retries by
        // itself), ends with a welcome
        st.joinError = !st.pid || msg.code === ERRORS.UNAVAILABLE;
        render();
      }
      break;
    default:
  }
}

async function onWelcome(w) {
  if (st.joinError) { st.joinError = false; st.error = null; }
  st.pid = w.participant_id;
  st.groupId = w.group;
  keeper.set({ participant_id: w.participant_id, group: w.group, manifest_url: w.manifest_url });
  // a ?i= id the conductor did not take (an old badge of a show rendered again): the stored id from now on
  if (signupPid() && signupPid() !== w.participant_id) dropSignupPid();
  st.seat = w.seat;
  if (w.seat === SEAT.CONFIRMED) st.challenge = null;
  setShow(w.show);
  for (const a of w.announcements || []) addAnnouncement(a, { replay: true });
  if (!st.manifest || keeper.get('manifest_url') !== w.manifest_url) await loadManifest(w.manifest_url);
  sendStatus({ force: true });
}

function setShow(show) {
  const { type, ...rec } = show;
  const newer = SS.newerShow(st.show, rec);
  if (newer === st.show && st.show) return;
  st.show = newer;
  keeper.set({ show: newer });
  syncEngine();
  render();
}

function addAnnouncement(a, { replay = false } = {}) {
  if (st.announcements.some((x) => x.id === a.id)) return;
  if (a.group && st.groupId && a.group !== st.groupId) return;
  st.announcements.push({ ...a, replay });
  if (a.level === LEVEL.URGENT && navigator.vibrate) navigator.vibrate([400, 150, 400]);
  render();
}

// ------------------------------------------------------------------ manifest and files

async function loadManifest(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`manifest: HTTP ${res.status}`);
  const text = await res.text();
  applyManifest(JSON.parse(text), url);
  keeper.set({ manifest_url: url });
  try {
    const cache = await caches.open('flashmob-manifest');
    await cache.put(url, new Response(text, { headers: { 'Content-Type': 'application/json' } }));
  } catch { /* no Cache API: memory only */ }
  await download();
}

function applyManifest(manifest, url) {
  const problems = checkManifest(manifest); // the rules the conductor loaded it with (contract/manifest.py)
  if (problems.length) throw new Error(`manifest.json: ${problems.join('; ')}`);
  st.manifest = manifest;
  st.group = manifest.groups.find((g) => g.id === st.groupId) || null;
  t = translator(pickLanguage(manifest.language, navigator.languages || []));
  document.documentElement.lang = pickLanguage(manifest.language, navigator.languages || []);
  const base = url.slice(0, url.lastIndexOf('/') + 1);
  st.store = new BundleStore(base, base.split('/').filter(Boolean).pop());
  applyTexts();
  render();
}

async function download() {
  if (!st.group) return;
  const files = groupFiles(st.group);
  st.progress = { done: 0, total: files.length };
  render();
  for (;;) {
    try {
      await st.store.ensureAll(files, (p) => { st.progress = p; render(); });
      await keepForOffline(files);
      st.verified = true;
      keeper.set({ verified_manifest: keeper.get('manifest_url') });
      break;
    } catch (e) {
      st.error = t('verify_failed');
      render();
      await new Promise((r) => setTimeout(r, 2000));
      st.error = null;
    }
  }
  sendStatus();
  answerChallenge();
  render();
  tryAutoResume();
}

/**
 * The files are kept (offline.js): the <audio> player gets the kept MP3 (never the network
 * again), the person is told the show is stored, and the browser is asked to keep it.
 */
async function keepForOffline(files) {
  st.offline = await offlineStatus(st.store, files, st.group);
  if (st.offline.mp3Url && st.engine?.name === 'media') st.engine.setSource?.(st.offline.mp3Url);
}

/**
 * Seat challenge (docs/protocol.md, "Seats"): once the files are verified, send
 * sha256(challenge id + the challenged bytes), read from the kept file (Blob.slice:
 * one range, never the whole show). A newer challenge replaces an older one.
 */
async function answerChallenge() {
  const c = st.challenge;
  if (!c || !st.verified || !st.store || st.answering === c) return;
  st.answering = c;
  try {
    const range = await st.store.rangeOf(c.path, c.offset, c.length);
    if (!range || range.byteLength !== c.length) {
      // the browser dropped a kept file: fetch what is missing once, then answer from it
      if (st.refetchedFor !== c) { st.refetchedFor = c; st.verified = false; download(); }
      return;
    }
    const id = new TextEncoder().encode(c.id);
    const buf = new Uint8Array(id.length + range.byteLength);
    buf.set(id);
    buf.set(new Uint8Array(range), id.length);
    const hex = await sha256Hex(buf);
    if (st.challenge === c) conn.send(make.answer(c.id, hex));
  } catch { /* the server sends a new challenge on the next hello */ } finally {
    if (st.answering === c) st.answering = null;
  }
}

// ------------------------------------------------------------------ sound

function enableSound() {
  const sr = st.manifest?.sample_rate || 44100;
  if (player() !== 'media') {
    st.ctx = st.ctx || createUnlockedContext(sr);
    watch.expectRunning(performance.now());
    probeDecode();
  }
  if (st.ctx) playTestTone(st.ctx);
  platform.setAudioSession();
  platform.watchContext();
  requestWakeLock();
  st.soundOn = true;
  makeEngine();
  keeper.set({ sound_was_on: true });
  render();
}

function makeEngine() {
  if (st.engine || !st.group) return;
  const offsetMs = () => keeper.get('offset_ms', 0);
  const useMedia = playerFor({ forced: params.get('engine'), chosen: keeper.get('player'), hasContext: !!st.ctx,
    hasSegments: !!st.group.segments?.length }) === 'media';
  if (useMedia) {
    const audio = $('fallback-audio');
    const src = st.offline?.mp3Url || st.store.url(st.group.mp3.path);
    st.engine = new MediaEngine({ audio, clock, src, offsetMs });
    audio.play().then(() => audio.pause()).catch(() => {});
  } else {
    st.engine = new WebAudioEngine({ ctx: st.ctx, clock, group: st.group, sampleRate: st.manifest.sample_rate,
      bytesOf: (p) => st.store.bytesOf(p), offsetMs, probe: params.get('probe') === '1' });
  }
  const missing = engineProblems(st.engine); // engineapi.js: the one interface of both players
  if (missing.length) st.machineError = `engine ${st.engine.name}: ${missing.join('; ')}`;
  syncEngine();
}

/** After a reload: resume sound without a tap when the browser allows it. */
function tryAutoResume() {
  if (st.soundOn || !keeper.get('sound_was_on') || !st.verified) return;
  const sr = st.manifest?.sample_rate || 44100;
  const ctx = player() === 'media' ? null : createUnlockedContext(sr);
  if (!ctx) return;
  // A context allowed to start reaches 'running' once its output is open: at once in
  // Chromium, after the sound server answers in Firefox (hundreds of ms under load).
  // Still suspended after 2 s: the browser wants a tap (the rejoin screen asks for it).
  let done = false;
  const settle = () => {
    if (done || st.soundOn) return;
    if (ctx.state === 'running') {
      done = true;
      st.ctx = ctx;
      st.soundOn = true;
      platform.watchContext();
      requestWakeLock();
      makeEngine();
      render();
    }
  };
  ctx.addEventListener('statechange', settle);
  settle();
  setTimeout(() => {
    settle();
    if (!done) {
      done = true;
      ctx.close().catch(() => {});
    }
  }, 2000);
}

/** The screen wake lock (platform.js: asked again on every return to visible and every tap while not held). */
function requestWakeLock() {
  return platform.requestWakeLock();
}

function syncEngine() {
  const e = st.engine;
  if (!e || !st.show) return;
  const cmd = engineCommand(st.show, SS.phaseAt(st.show, clock.serverTime() ?? 0).phase, e.playing);
  if (cmd?.stop) e.stop({ fadeS: cmd.stop });
  else if (cmd?.play) e.play(st.show);
}

// ------------------------------------------------------------------ trouble

/** Decode the group's first segment once: a browser that cannot decode MP3 says so before the show. */
async function probeDecode() {
  const seg = st.group?.segments?.[0];
  if (!seg || !st.ctx || st.probed) return;
  st.probed = true;
  let ok = false;
  try {
    const bytes = await st.store.bytesOf(seg.path);
    if (bytes) {
      // decoders that cannot decode may also never answer: 8 s is ages for 3 s of audio
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('decode timeout')), 8000));
      await Promise.race([st.ctx.decodeAudioData(bytes.slice(0)), timeout]);
      ok = true;
    }
  } catch (e) {
    st.decodeProbeError = String(e);
  }
  watch.decodeProbe(ok);
  checkTrouble();
}

function checkTrouble() {
  const e = st.engine;
  if (st.ctx && e?.name !== 'media' && document.visibilityState === 'visible') {
    watch.context(st.ctx.state, st.ctx.currentTime, performance.now());
  }
  if (e?.report?.decodeErrors) watch.decodeErrors(e.report.decodeErrors);
  if (typeof e?.timingTrouble === 'function') watch.engineTiming(e.timingTrouble());
  const reason = watch.reason;
  if (reason !== st.trouble) {
    st.trouble = reason;
    sendStatus();
    render();
  }
}

/** The person chose the <audio> player (a tap: the media element may start from it). */
function useMediaPlayer() {
  keeper.set({ player: 'media' });
  if (st.engine) st.engine.stopNow();
  st.engine = null;
  watch.reset();
  st.soundOn = true;
  makeEngine();
  checkTrouble();
  render();
}

const canPlayMp3 = () => document.createElement('audio').canPlayType('audio/mpeg') !== '';

function renderTrouble(ph, g) {
  const rem = st.verified ? remedies(st.trouble, { player: st.engine?.name ?? player(), canPlayMp3: canPlayMp3() }) : null;
  $('trouble').hidden = !rem;
  if (!rem) return;
  $('trouble-why').textContent = t(`trouble_${st.trouble}`);
  $('trouble-media').hidden = !rem.mediaPlayer;
  if (g?.mp3 && st.store) $('trouble-mp3').href = st.store.url(g.mp3.path);
  let when = t('trouble_press_wait');
  if (st.show?.start_at_us != null && clock.ready && (ph.phase === 'countdown' || ph.phase === 'playing')) {
    const startLocal = new Date(Date.now() + (st.show.start_at_us - clock.serverTime()) / 1000);
    // in the language of the page's words (a French sentence gets a French time), to the second
    const time = startLocal.toLocaleTimeString(document.documentElement.lang || [],
      { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    when = ph.phase === 'playing'
      ? t('trouble_started', { time, position: SS.formatClock(ph.positionUs) })
      : t('trouble_press_at', { time });
  }
  $('trouble-when').textContent = when;
}

// ------------------------------------------------------------------ status

const statusCadence = new StatusCadence();

/** A status after each welcome (`force`), then when it changed or every 10 s (statuscadence.js). */
function sendStatus({ force = false } = {}) {
  if (!st.pid) return;
  const e = st.engine;
  const bound = clock.errorBound();
  const fields = { verified: st.verified, sync_error_us: Number.isFinite(bound) ? Math.round(bound) : null,
    engine: e ? e.name : null, output_latency_us: e?.outputLatencyUs?.() ?? null,
    position_us: e?.playing ? (e.positionUs() ?? undefined) : undefined, trouble: st.trouble,
    ...soundcheck.statusFields() };
  if (force) statusCadence.reset();
  if (statusCadence.due(fields, performance.now())) conn.send(make.status(fields));
}

// ------------------------------------------------------------------ rendering

function applyTexts() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  const title = st.manifest?.title || st.info?.title;
  if (title) {
    document.title = title;
    for (const el of document.querySelectorAll('.show-title')) el.textContent = title;
  }
}

/**
 * The screen the rules of participantmachine.js choose for what the page knows. A fact or a
 * move the machine cannot accept is a bug of this page: kept in report().machineError (the
 * tests fail on it) and the rules' choice is shown all the same.
 */
function chooseScreen(ph) {
  const facts = { joined: !!(st.pid && st.manifest), phase: ph.phase, verified: !!st.verified, soundOn: !!st.soundOn,
    hasShow: !!st.show };
  try {
    return screens.step(facts).screen;
  } catch (e) {
    st.machineError = st.machineError || String(e.message || e);
    if (!e.screen) throw e;
    screens.force(e.screen);
    return e.screen;
  }
}

function show(screen) {
  if (st.screen === screen) return;
  st.screen = screen;
  document.body.dataset.screen = screen;
  for (const el of document.querySelectorAll('.screen')) el.hidden = el.id !== `screen-${screen}`;
}

function render() {
  const nowUs = clock.ready ? clock.serverTime() : null;
  const ph = nowUs !== null ? SS.phaseAt(st.show, nowUs) : { phase: 'lobby' };
  const g = st.group || st.manifest?.groups.find((x) => x.id === st.groupId);
  const shown = surprise.shown(st.manifest, g); // null: a surprise not revealed yet (no name, no colour)
  if (shown) {
    const pal = SS.groupPalette(shown.colour);
    document.body.style.setProperty('--group-bg', pal.bg);
    document.body.style.setProperty('--group-fg', pal.fg);
  }
  if (g) for (const el of document.querySelectorAll('.group-name')) surprise.label(el, shown, t);
  $('offline').hidden = st.online || !st.pid;
  $('error').hidden = !st.error;
  $('error').textContent = st.error || '';

  show(practice.over(chooseScreen(ph))); // practice (practiceplayer.js) covers the group and wait screens

  // group / download
  if (st.progress) {
    const { done, total } = st.progress;
    $('progress').value = total ? done / total : 0;
    $('progress-text').textContent = st.verified
      ? t('verified', { n: total }) + (st.seat === SEAT.CONFIRMED ? ` · ${t('seat_confirmed')}` : '')
      : `${t('downloading')} ${done}/${total}`;
  }
  $('enable-sound').hidden = !st.verified;
  renderOffline($('offline-ready'), st.verified ? st.offline : null, t);
  practice.offer(st.verified, ph.phase === 'countdown' || ph.phase === 'playing'); // the show comes first
  markRehearsal($, st.show, ph.phase); // rehearsalmark.js
  // clock
  const bound = clock.errorBound();
  const clockText = Number.isFinite(bound) ? t('clock', { ms: (bound / 1000).toFixed(bound < 10_000 ? 1 : 0) }) : t('clock_wait');
  for (const el of document.querySelectorAll('.clock-status')) el.textContent = clockText;
  $('wakelock').hidden = !!st.wakeLock || !st.soundOn;
  // countdown
  if (ph.phase === 'countdown') {
    const secs = SS.countdownSeconds(ph.untilStartUs);
    $('countdown-digits').textContent = secs >= 60 ? SS.formatClock(ph.untilStartUs, { up: true }) : String(secs);
    const local = new Date(Date.now() + ph.untilStartUs / 1000);
    $('starts-at').textContent = t('starts_at', { time: local.toLocaleTimeString() });
    if (st.lastCountdown !== secs) {
      const v = SS.countdownVibration(secs);
      if (v && navigator.vibrate) navigator.vibrate(v);
      st.lastCountdown = secs;
    }
  }
  // playing
  if (ph.phase === 'playing' && g) {
    const ms = Math.floor(ph.positionUs / 1000);
    const cue = SS.cueAt(g.cues, ms);
    $('caption').textContent = cue ? cue.text : '…';
    if (st.lastCueMs !== null && navigator.vibrate) {
      for (const c of SS.cuesStartingBetween(g.cues, st.lastCueMs, ms)) if (c.vibrate) navigator.vibrate(c.vibrate);
    }
    st.lastCueMs = ms;
    $('elapsed').textContent = SS.formatClock(ph.positionUs);
    $('remaining').textContent = t('remaining', { time: SS.formatClock(ph.remainingUs, { up: true }) });
    $('play-progress').value = ph.positionUs / st.show.duration_us;
  }
  if (ph.phase === 'aborted') $('abort-reason').textContent = st.show?.reason || '';
  // announcements
  const urgent = st.announcements.find((a) => a.level === LEVEL.URGENT && !st.dismissed.has(a.id) && !a.replay);
  $('urgent').hidden = !urgent;
  if (urgent) $('urgent-text').textContent = urgent.text;
  const info = [...st.announcements].reverse().find((a) => a.level === LEVEL.INFO && !st.dismissed.has(a.id));
  $('info').hidden = !info;
  if (info) $('info-text').textContent = info.text;
  $('offset-value').textContent = t('offset_value', { ms: keeper.get('offset_ms', 0) });
  renderTrouble(ph, g);
  soundcheck.render();
}

// ------------------------------------------------------------------ start

async function restoreOffline() {
  const url = keeper.get('manifest_url');
  if (!url) return false;
  try {
    const res = await fetch(url).catch(() => null) || await caches.match(url);
    if (!res || !res.ok) return false;
    applyManifest(await res.json(), url);
    return true;
  } catch {
    return false;
  }
}

/** The show this server runs; storage of another show on this origin is forgotten. */
async function loadInfo() {
  try {
    const res = await fetch(PATHS.API_INFO, { cache: 'no-store' });
    st.info = await res.json();
    keeper.resetFor(st.info.show_id);
    st.pid = signupPid() || keeper.get('participant_id');
    st.groupId = keeper.get('group');
    st.show = keeper.get('show');
    applyTexts();
  } catch {
    st.info = null; // offline: keep what is stored
  }
}

async function main() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  applyTexts();
  const infoReady = loadInfo();
  $('join-button').addEventListener('click', async () => {
    $('join-button').disabled = true;
    $('join-button').textContent = t('joining');
    // A tap before /api/info answered must not join yet: loadInfo() resets storage for a
    // new show, which would erase the participant id the welcome is about to store.
    await infoReady;
    conn.open();
  });
  $('enable-sound').addEventListener('click', enableSound);
  $('rejoin-button').addEventListener('click', enableSound);
  $('tone-again').addEventListener('click', () => st.ctx && playTestTone(st.ctx));
  $('trouble-media').addEventListener('click', useMediaPlayer);
  $('fallback-audio').addEventListener('error', () => {
    if (st.engine?.name === 'media') {
      watch.mediaFailed();
      checkTrouble();
    }
  });
  $('urgent-ok').addEventListener('click', () => {
    for (const a of st.announcements) if (a.level === LEVEL.URGENT) st.dismissed.add(a.id);
    render();
  });
  $('info-close').addEventListener('click', () => {
    for (const a of st.announcements) if (a.level === LEVEL.INFO) st.dismissed.add(a.id);
    render();
  });
  for (const [id, d] of [['offset-minus', -10], ['offset-plus', 10], ['offset-minus-big', -100], ['offset-plus-big', 100]]) {
    $(id).addEventListener('click', () => soundcheck.nudge(d));
  }
  window.addEventListener('online', () => conn.kick());
  await infoReady;
  if (st.pid) {
    await restoreOffline();
    if (st.group) download();
    conn.open();
  }
  clock.start();
  setInterval(() => { render(); syncEngine(); checkTrouble(); }, 100);
  setInterval(sendStatus, STATUS_CHECK_MS);
  setInterval(() => soundcheck.watchLatency(), 1000);
  soundcheck.mount();
  render();
}

main();
