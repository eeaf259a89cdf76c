/**
 * Stored for offline use: what the participant page tells the person once the
 * group's files are downloaded and verified, and the one URL of the full MP3 the
 * <audio> player may use.
 *
 * - Files kept in the Cache API (download.js, secure contexts) survive a reload
 *   and play without network: "stored on this phone (N MB)". Kept in memory only
 *   (no Cache API): "only while this page stays open".
 * - The browser is asked to keep them (`navigator.storage.persist()`, Storage
 *   Standard, https://storage.spec.whatwg.org/#dom-storagemanager-persist: a
 *   "persistent" box is not evicted under storage pressure; without it a
 *   browser may drop best-effort data; Safari deletes a site's script-writable
 *   storage after seven days of browser use without a visit to it, home-screen
 *   web apps excepted, https://webkit.org/blog/10218/full-third-party-cookie-blocking-and-more/).
 *   Not awaited: Firefox asks the person, and the answer may never come.
 *   A file the browser dropped is fetched again (the seat challenge notices).
 * - The MP3 for the <audio> player is a blob: URL of the kept bytes: a network URL
 *   downloads the whole file again on the square, by ranges the service worker
 *   lets through (sw.js), on every visit.
 */

/** What the page knows about the stored show: {keptIn, bytes, persisted, mp3Url}. */
export async function offlineStatus(store, files, group, nav = globalThis.navigator) {
  const bytes = files.reduce((a, f) => a + (f.bytes || 0), 0);
  const status = { keptIn: store.keptIn, bytes, persisted: null, mp3Url: null };
  try {
    if (nav?.storage?.persisted) {
      status.persisted = await nav.storage.persisted();
      if (!status.persisted && nav.storage.persist) {
        nav.storage.persist().then((p) => { status.persisted = p; }).catch(() => {});
      }
    }
  } catch { /* no Storage API: best effort */ }
  if (group?.mp3?.path) {
    try {
      status.mp3Url = await store.objectUrl(group.mp3.path);
    } catch {
      status.mp3Url = null;
    }
  }
  return status;
}

/** Show `status` in `el` (hidden when null), in the page's language `t`. */
export function renderOffline(el, status, t) {
  el.hidden = !status;
  if (!status) return;
  el.textContent = status.keptIn === 'cache' ? t('stored_offline', { mb: (status.bytes / 1e6).toFixed(1) })
    : t('stored_memory');
}
