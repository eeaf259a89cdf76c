/**
 * Download a group's files, verify each sha256 against the manifest, keep them.
 *
 * Files: the segments (what Web Audio plays) first, then the full MP3 (the
 * <audio> fallback), then captions and cover (no checksum). A file is kept in the
 * Cache API (`flashmob-bundle-<revision>`, secure contexts: a reload without
 * network still has it) or in memory otherwise. A checksum mismatch is retried
 * (3 times) and never kept. `bytesOf(path)` returns the verified bytes;
 * `rangeOf(path, offset, length)` only those bytes (read through Blob.slice, so a
 * long file is never loaded whole) - what a seat challenge asks for.
 */
import { sha256Hex } from './sha256.js';

/** The files of a group, in download order: {path, sha256|null, bytes|null, kind}. */
export function groupFiles(group) {
  const out = [];
  for (const s of group.segments || []) out.push({ path: s.path, sha256: s.sha256, bytes: s.bytes ?? null, kind: 'segment' });
  if (group.mp3?.path) out.push({ path: group.mp3.path, sha256: group.mp3.sha256, bytes: group.mp3.bytes ?? null, kind: 'mp3' });
  for (const key of ['captions', 'cover']) if (typeof group[key] === 'string') out.push({ path: group[key], sha256: null, bytes: null, kind: key });
  return out;
}

export class BundleStore {
  /** @param {string} base URL prefix of the bundle files, e.g. "/bundle/<rev>/" */
  constructor(base, revision) {
    this.base = base;
    this.cacheName = `flashmob-bundle-${revision}`;
    this.memory = new Map();
    this.cachesOk = typeof caches !== 'undefined';
  }

  url(path) {
    return this.base + path.split('/').map(encodeURIComponent).join('/');
  }

  async _cache() {
    if (!this.cachesOk) return null;
    try {
      return await caches.open(this.cacheName);
    } catch {
      this.cachesOk = false;
      return null;
    }
  }

  /** Verified bytes of a file kept earlier, or null. */
  async bytesOf(path) {
    if (this.memory.has(path)) return this.memory.get(path);
    const cache = await this._cache();
    const hit = cache && await cache.match(this.url(path));
    return hit ? hit.arrayBuffer() : null;
  }

  /** `length` bytes at `offset` of a kept file (an ArrayBuffer), or null when not kept. */
  async rangeOf(path, offset, length) {
    if (this.memory.has(path)) return this.memory.get(path).slice(offset, offset + length);
    const cache = await this._cache();
    const hit = cache && await cache.match(this.url(path));
    return hit ? (await hit.blob()).slice(offset, offset + length).arrayBuffer() : null;
  }

  /**
   * A URL of a kept file that never touches the network (a blob: URL of the kept bytes), or null
   * when it is not kept: the <audio> player plays the verified file (a network URL would
   * download it again, by ranges the service worker lets through).
   */
  async objectUrl(path, type = 'audio/mpeg') {
    if (typeof URL === 'undefined' || typeof URL.createObjectURL !== 'function') return null;
    if (this.memory.has(path)) return URL.createObjectURL(new Blob([this.memory.get(path)], { type }));
    const cache = await this._cache();
    const hit = cache && await cache.match(this.url(path));
    if (!hit) return null;
    const blob = await hit.blob();
    return URL.createObjectURL(blob.type === type ? blob : new Blob([blob], { type }));
  }

  /** Where the files are kept: 'cache' (survives a reload, offline) or 'memory' (this page only). */
  get keptIn() {
    return this.cachesOk ? 'cache' : 'memory';
  }

  async has(path) {
    if (this.memory.has(path)) return true;
    const cache = await this._cache();
    return !!(cache && await cache.match(this.url(path)));
  }

  /** Fetch, verify and keep one file; throws after `tries` failed attempts. */
  async fetchVerified(file, { tries = 3, onBytes = () => {} } = {}) {
    let lastError = null;
    for (let attempt = 0; attempt < tries; attempt++) {
      try {
        const res = await fetch(this.url(file.path), { cache: attempt ? 'reload' : 'default' });
        if (!res.ok) throw new Error(`HTTP ${res.status} for ${file.path}`);
        const buf = await res.arrayBuffer();
        onBytes(buf.byteLength);
        if (file.sha256) {
          const got = await sha256Hex(buf);
          if (got !== file.sha256) throw new Error(`sha256 mismatch for ${file.path}`);
        }
        const cache = await this._cache();
        if (cache) {
          await cache.put(this.url(file.path), new Response(buf, { headers: {
            'Content-Type': res.headers.get('Content-Type') || 'application/octet-stream', 'X-Flashmob-Verified': '1' } }));
        } else {
          this.memory.set(file.path, buf);
        }
        return buf.byteLength;
      } catch (e) {
        lastError = e;
        await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
      }
    }
    throw lastError;
  }

  /**
   * Make sure every file is kept and verified. onProgress({done, total, bytes}).
   * Returns {verified: true} when all files with a checksum are kept.
   */
  async ensureAll(files, onProgress = () => {}) {
    let done = 0, bytes = 0;
    const total = files.length;
    for (const f of files) {
      if (!(await this.has(f.path))) {
        await this.fetchVerified(f, { onBytes: (n) => { bytes += n; } });
      }
      done++;
      onProgress({ done, total, bytes });
    }
    return { verified: true };
  }
}
