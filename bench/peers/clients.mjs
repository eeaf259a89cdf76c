/**
 * The three clock-sync clients of the side-by-side benchmark, each over its own
 * websocket (through the relay) and fed the same virtual phone clock:
 *
 * - `flashmob`: the web client's own ClockSync (client_web/js/clocksync.js,
 *   default options, as participant.js uses it) against the real conductor
 *   (`/ws`: `hello`, then `sync` requests);
 * - `timesync` (enmasseio, npm): its documented custom-transport hooks
 *   (`ts.send` overridden, `ts.receive` fed the replies); options as in its
 *   README example (`interval: 10000`), the rest default (5 requests 1 s apart
 *   per round, outliers above median + 1 sd dropped, mean offset);
 * - `ircam` (@ircam/sync): `SyncClient(getTime).start(send, receive)` with the
 *   ad-hoc ping/pong framing of its README; default options (series of 10
 *   pings 250 ms apart every 10-20 s, offset + frequency regression after a
 *   120 s training, monotonic stabilisation at 160 ppm).
 *
 * Each client exposes `estimateUs(c)`: its estimate of server time (absolute
 * µs) at virtual client reading c, or null before its first estimate.
 */
import { ClockSync } from '../../client_web/js/clocksync.js';
import { WebSocket, timesync, SyncClient } from './deps.mjs';

function open(url, onMessage, onOpen) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('open', onOpen);
  ws.on('message', (data) => onMessage(data.toString()));
  ws.on('error', () => {});
  return ws;
}

const isOpen = (ws) => ws.readyState === WebSocket.OPEN;

/** flashmob: ClockSync against the conductor's /ws. */
export function flashmobClient({ url, now, client = 'bench-sync' }) {
  let ws = null;
  const clock = new ClockSync({
    now,
    send: (text) => {
      if (!ws || !isOpen(ws)) return false;
      ws.send(text);
      return true;
    },
  });
  return {
    name: 'flashmob',
    clock,
    start() {
      ws = open(url, (text) => {
        const msg = JSON.parse(text);
        if (msg.type === 'sync_reply') clock.handleReply(msg);
      }, () => {
        ws.send(JSON.stringify({ type: 'hello', participant_id: null, client }));
        clock.start();
      });
    },
    stop() {
      clock.stop();
      ws?.terminate();
    },
    estimateUs(c) {
      return clock.ready ? clock.serverTime(c) : null;
    },
  };
}

/** timesync over a websocket: JSON-RPC requests, the server answers its time in ms. */
export function timesyncClient({ url, now }) {
  let ws = null;
  let ts = null;
  let got = false;
  return {
    name: 'timesync',
    start() {
      ws = open(url, (text) => ts?.receive(null, JSON.parse(text)), () => {
        ts = timesync.create({ server: 'bench', interval: 10_000, now: () => now() / 1000 });
        ts.send = (to, data) => {
          if (!isOpen(ws)) return Promise.reject(new Error('closed'));
          ws.send(JSON.stringify(data));
          return Promise.resolve();
        };
        ts.on('change', () => { got = true; });
        ts.on('error', () => {});
      });
    },
    stop() {
      ts?.destroy();
      ws?.terminate();
    },
    estimateUs(c) {
      return got ? c + ts.offset * 1000 : null;
    },
  };
}

/**
 * @ircam/sync over a websocket: [0, id, clientPing] / [1, id, clientPing, serverPing, serverPong].
 * Its clocks are in seconds from an origin near the run start (as its README
 * advises, to keep the regression's resolution): client `(c - originUs) / 1e6`,
 * server `(t - originUs) / 1e6`.
 */
export function ircamClient({ url, now, originUs }) {
  let ws = null;
  let got = false;
  const client = new SyncClient(() => (now() - originUs) / 1e6);
  return {
    name: 'ircam',
    start() {
      let onPong = null;
      ws = open(url, (text) => {
        const m = JSON.parse(text);
        if (m[0] === 1 && onPong) onPong(m[1], m[2], m[3], m[4]);
      }, () => {
        client.start(
          (id, clientPing) => { if (isOpen(ws)) ws.send(JSON.stringify([0, id, clientPing])); },
          (callback) => { onPong = callback; },
          (report) => { if (report.status === 'training' || report.status === 'sync') got = true; },
        );
      });
    },
    stop() {
      client.stop();
      ws?.terminate();
    },
    estimateUs(c) {
      return got ? client.getSyncTime((c - originUs) / 1e6) * 1e6 + originUs : null;
    },
  };
}

export const CLIENTS = { flashmob: flashmobClient, timesync: timesyncClient, ircam: ircamClient };
