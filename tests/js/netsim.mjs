/**
 * A simulated link for clock-sync tests: virtual true time (µs), an event queue,
 * a client clock with offset and drift, a server clock, and per-direction delays
 * with seeded jitter, spikes and asymmetry. Deterministic for a given seed.
 */

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Sim {
  /**
   * @param {object} o
   * @param {number} o.seed
   * @param {number} [o.clientOffsetUs] client clock - true time at t = 0
   * @param {number} [o.clientDriftPpm] client clock rate error
   * @param {number} [o.serverOffsetUs] server clock - true time
   * @param {number} [o.upUs] base one-way delay client -> server
   * @param {number} [o.downUs] base one-way delay server -> client
   * @param {number} [o.jitterUs] mean of the exponential jitter added each way
   * @param {number} [o.spikeProb] probability that a message gets a spike
   * @param {number} [o.spikeUs] spike size (uniform in [0.5, 1.5] x this)
   * @param {number} [o.lossProb] probability that a message is lost
   */
  constructor(o) {
    this.o = { clientOffsetUs: 0, clientDriftPpm: 0, serverOffsetUs: 0, upUs: 10_000, downUs: 10_000, jitterUs: 0,
      spikeProb: 0, spikeUs: 200_000, lossProb: 0, ...o };
    this.rand = rng(o.seed);
    this.t = 0;
    this.queue = [];
    this.seq = 0;
    this.online = true;
    this.onReply = () => {};
  }

  clientNow() {
    return this.t * (1 + this.o.clientDriftPpm / 1e6) + this.o.clientOffsetUs;
  }

  serverNow() {
    return this.t + this.o.serverOffsetUs;
  }

  /** True server time at the instant the client clock reads c. */
  serverAtClient(c) {
    const t = (c - this.o.clientOffsetUs) / (1 + this.o.clientDriftPpm / 1e6);
    return t + this.o.serverOffsetUs;
  }

  at(t, fn) {
    this.queue.push({ t, fn, seq: this.seq++ });
  }

  delay(base) {
    let d = base;
    if (this.o.jitterUs) d += -Math.log(1 - this.rand()) * this.o.jitterUs;
    if (this.rand() < this.o.spikeProb) d += this.o.spikeUs * (0.5 + this.rand());
    return d;
  }

  /** The client's send(): the server stamps t1/t2 and replies over the link. */
  send = (text) => {
    if (!this.online) return false;
    const msg = JSON.parse(text);
    if (this.rand() < this.o.lossProb) return true;
    const arrive = this.t + this.delay(this.o.upUs);
    this.at(arrive, () => {
      const t1 = Math.round(this.serverNow());
      const t2 = t1 + 30;
      const back = this.t + 30 + this.delay(this.o.downUs);
      this.at(back, () => this.onReply({ type: 'sync_reply', id: msg.id, t0: msg.t0, t1, t2 }));
    });
    return true;
  };

  setTimeout = (fn, ms) => {
    const ev = { t: this.t + ms * 1000, fn, seq: this.seq++ };
    this.queue.push(ev);
    return ev;
  };

  clearTimeout = (ev) => {
    if (ev) ev.fn = () => {};
  };

  /** Run events until true time `until` (µs), calling `probe()` every `everyUs`. */
  run(until, probe = null, everyUs = 1_000_000) {
    let nextProbe = probe ? this.t + everyUs : Infinity;
    for (;;) {
      this.queue.sort((a, b) => a.t - b.t || a.seq - b.seq);
      const ev = this.queue[0];
      const nextT = Math.min(ev ? ev.t : Infinity, nextProbe, until);
      if (nextT === until && (!ev || ev.t > until) && nextProbe > until) {
        this.t = until;
        return;
      }
      if (nextProbe <= (ev ? ev.t : Infinity) && nextProbe <= until) {
        this.t = nextProbe;
        probe();
        nextProbe += everyUs;
        continue;
      }
      this.queue.shift();
      this.t = ev.t;
      ev.fn();
    }
  }
}
