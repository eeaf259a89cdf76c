/**
 * The peers' servers for the side-by-side benchmark, in one Node process:
 * a `timesync` server and an `@ircam/sync` SyncServer, each on a websocket
 * (127.0.0.1, free ports), both reading true time (clocks.mjs), so every
 * library is measured against the same reference as the conductor.
 *
 *   node bench/peers/servers.mjs '{"epochOffsetUs": ..., "originUs": ..., "seconds": 60}'
 *
 * Prints {"timesync": port, "ircam": port} on one line, then serves until
 * `seconds` have passed or stdin closes.
 */
import { WebSocketServer, SyncServer } from './deps.mjs';
import { trueClock } from './clocks.mjs';

const cfg = JSON.parse(process.argv[2] || '{}');
const trueNow = trueClock(cfg.epochOffsetUs ?? 0);
const originUs = cfg.originUs ?? trueNow();

function listen(onConnection) {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    wss.on('connection', (ws) => {
      ws._socket.setNoDelay(true);
      onConnection(ws);
    });
    wss.on('listening', () => resolve(wss));
  });
}

// timesync: a JSON-RPC request {id, method: 'timesync'} gets {id, result: server time in ms}
// (what its HTTP request handler answers, over a websocket instead).
const tsServer = await listen((ws) => {
  ws.on('message', (data) => {
    const req = JSON.parse(data.toString());
    if (req && req.id !== undefined) ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: trueNow() / 1000 }));
  });
});

// @ircam/sync: the README's ping/pong framing around SyncServer.start(send, receive).
const syncServer = new SyncServer(() => (trueNow() - originUs) / 1e6);
const ircamServer = await listen((ws) => {
  syncServer.start(
    (id, clientPing, serverPing, serverPong) => ws.send(JSON.stringify([1, id, clientPing, serverPing, serverPong])),
    (callback) => ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m[0] === 0) callback(m[1], m[2]);
    }),
  );
});

console.log(JSON.stringify({ timesync: tsServer.address().port, ircam: ircamServer.address().port }));

function quit() {
  for (const s of [tsServer, ircamServer]) {
    for (const c of s.clients) c.terminate();
    s.close();
  }
  process.exit(0);
}
setTimeout(quit, (cfg.seconds ?? 300) * 1000);
process.stdin.on('end', quit);
process.stdin.on('close', quit);
process.stdin.resume();
process.on('SIGTERM', quit);
