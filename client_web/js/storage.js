/**
 * What a phone keeps between reloads (localStorage, one JSON record per origin):
 * participant id and group, the last show record, the clock model, the manual
 * audio offset (and the offsets per output: soundcheckui.js), and the manifest URL. Principle 6 (docs/architecture.md): once armed, the start time
 * and the clock model survive a reload without network.
 * `storage` is injected (window.localStorage in the page); failures (private
 * mode, quota) degrade to memory.
 */
const KEY = 'flashmob:v1';

export class Keeper {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
    this.data = {};
    try {
      this.data = JSON.parse(storage?.getItem(KEY) || '{}') || {};
    } catch {
      this.data = {};
    }
  }

  get(name, fallback = null) {
    return name in this.data ? this.data[name] : fallback;
  }

  set(values) {
    Object.assign(this.data, values);
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.data));
    } catch {
      /* memory only */
    }
  }

  /** Forget the participant (another show was loaded on this origin). */
  resetFor(showId) {
    if (this.data.show_id !== showId) {
      const { offset_ms: offset, offsets } = this.data; // this device's outputs, whatever the show
      this.data = { show_id: showId, offset_ms: offset ?? 0, ...(offsets ? { offsets } : {}) };
      this.set({});
    }
  }
}
