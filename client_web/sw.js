/**
 * Service worker: the page works again without network after one visit.
 * - the app shell (pages, scripts, styles) is cached at install and refreshed
 *   network-first (a new client version is picked up when online);
 * - bundle files (/bundle/<revision>/..., and a surprise show's per-participant
 *   /mine/<participant id>/<revision>/...) are content-addressed: cache-first
 *   (the page itself stores them verified in `flashmob-bundle-<revision>`);
 * - /api/info and the websockets are never cached.
 */
const SHELL = 'flashmob-shell-v1';
const SHELL_FILES = ['/', '/css/app.css', '/js/participant.js', '/js/connection.js', '/js/clocksync.js',
  '/js/protocol.js', '/js/wire.js', '/js/storage.js', '/js/download.js', '/js/sha256.js', '/js/engine.js',
  '/js/mediaengine.js', '/js/playplan.js', '/js/audioclock.js', '/js/showstate.js', '/js/i18n.js', '/js/signuptexts.js',
  '/js/probe-worklet.js', '/js/trouble.js', '/js/statuscadence.js', '/js/manifestcheck.js', '/js/manifestschema.js',
  '/js/participantmachine.js', '/js/engineapi.js', '/js/timemap.js', '/js/medialaw.js', '/js/lifecycle.js',
  '/js/platform.js', '/js/offline.js', '/js/practice.js', '/js/practiceplayer.js', '/js/dom.js',
  '/js/rehearsalmark.js', '/js/surprise.js',
  '/js/soundcheckui.js', '/js/soundcheck.js', '/js/soundcheck-worklet.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  try {
    const res = await fetch(request);
    if (res.ok) cache.put(request, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws')) return;
  // a surprise show's files of this participant (/mine/<id>/<revision>/<alias path>) are content-addressed too
  const files = url.pathname.startsWith('/bundle/') || url.pathname.startsWith('/mine/');
  if (files && url.pathname !== '/bundle/manifest.json' && !url.pathname.endsWith('/manifest.json')) {
    if (event.request.headers.has('range')) return; // media element byte ranges: let the network answer
    event.respondWith(cacheFirst(event.request));
    return;
  }
  if (url.pathname.startsWith('/console')) return;
  event.respondWith(networkFirst(event.request));
});
