/**
 * When a phone sends `status` (docs/protocol.md, "Joining"): at once after each
 * `welcome`, then, checked every `STATUS_CHECK_MS` (2 s), when what it says has
 * changed, and otherwise every `STATUS_QUIET_MS` (10 s).  A settled phone that
 * repeated the same status every 2 s sent more frames than its clock sync did:
 * half of the conductor's inbound frames (docs/benchmarks.md, issue 14).
 *
 * "Changed" is what the console would show differently (its counts and
 * histograms): readiness, engine, trouble, playing or not, a sync error bound
 * that doubled or halved, an output latency that moved by 10 ms, each against
 * the last status sent (so a value near a step does not flap).  While playing, the position
 * (the console's drift) goes out with every status, so at least every 10 s.
 * Pure (injected time): the page asks `due(fields, nowMs)`.
 */
export const STATUS_CHECK_MS = 2000;
export const STATUS_QUIET_MS = 10000;

const known = (v) => v !== undefined && v !== null;

/** Would the console show `b` differently from `a` (the last status sent)? */
export function changed(a, b) {
  if (!a) return true;
  if (!!a.verified !== !!b.verified || (a.engine ?? null) !== (b.engine ?? null)
      || (a.trouble ?? null) !== (b.trouble ?? null) || known(a.position_us) !== known(b.position_us)
      || (a.offset_ms ?? null) !== (b.offset_ms ?? null) || (a.output ?? null) !== (b.output ?? null)) return true;
  const [ea, eb] = [a.sync_error_us, b.sync_error_us];
  if (known(ea) !== known(eb) || (known(ea) && Math.max(ea, eb) >= 2 * Math.max(Math.min(ea, eb), 250))) return true;
  const [la, lb] = [a.output_latency_us, b.output_latency_us];
  return known(la) !== known(lb) || (known(la) && Math.abs(la - lb) >= 10_000);
}

export class StatusCadence {
  constructor({ quietMs = STATUS_QUIET_MS } = {}) {
    this.quietMs = quietMs;
    this.reset();
  }

  /** A new connection: the next status goes out whatever it says. */
  reset() {
    this.last = null;
    this.lastAtMs = -Infinity;
  }

  /** Should a status with these fields be sent at `nowMs`? (true: it is taken as sent) */
  due(fields, nowMs) {
    if (!changed(this.last, fields) && nowMs - this.lastAtMs < this.quietMs) return false;
    this.last = { ...fields };
    this.lastAtMs = nowMs;
    return true;
  }
}
