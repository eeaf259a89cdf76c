/**
 * A websocket that comes back: reconnects with jittered exponential backoff
 * (0.5 s doubling to 10 s) after any close except a fatal one, and says so.
 * `send(text)` returns false when not connected (callers keep working offline).
 */
import { CLOSE } from './wire.js';

export class Connection {
  /**
   * @param {string} url ws:// or wss:// URL
   * @param {{onOpen?: Function, onMessage?: (text: string) => void, onState?: (online: boolean) => void,
   *   WebSocket?: typeof WebSocket}} handlers
   */
  constructor(url, { onOpen = () => {}, onMessage = () => {}, onState = () => {}, WebSocket: WS = globalThis.WebSocket } = {}) {
    this.url = url;
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onState = onState;
    this.WS = WS;
    this.ws = null;
    this.delay = 500;
    this.stopped = false;
    this.online = false;
    this.timer = null;
  }

  open() {
    this.stopped = false;
    this._connect();
  }

  _connect() {
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new this.WS(this.url);
    } catch {
      this._retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this._setOnline(true);
      this.onOpen();
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._setOnline(false);
      if (!this.stopped && ev.code !== CLOSE.UNAUTHORIZED && ev.code !== CLOSE.FULL) this._retry();
    };
    ws.onerror = () => {};
  }

  _retry() {
    if (this.stopped) return;
    const wait = this.delay * (0.75 + Math.random() * 0.5);
    this.delay = Math.min(this.delay * 2, 10_000);
    this.timer = setTimeout(() => this._connect(), wait);
  }

  _setOnline(on) {
    if (this.online !== on) {
      this.online = on;
      this.onState(on);
    }
  }

  /** Reconnect now (e.g. the browser says the network is back). */
  kick() {
    if (!this.ws && !this.stopped) {
      this.delay = 500;
      this._connect();
    }
  }

  send(text) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(text);
    return true;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(CLOSE.NORMAL);
    this.ws = null;
    this._setOnline(false);
  }
}

/** ws(s):// URL of a path on this page's origin. */
export function socketUrl(path, location = globalThis.location) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}
