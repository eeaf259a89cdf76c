/**
 * The Web Audio engine's clock maths, pure (docs/playback.md): the ideal map
 * "show sample -> AudioContext time", the server time a heard frame stands for,
 * the position heard, when a first run may be anchored, the epoch of the map
 * (a jump re-anchors), and the MP3 lead a decoder left in a segment.
 *
 * Nothing here reads a clock: the engine (engine.js) passes performance.now(),
 * performance.timeOrigin, the clock sync's published server time and drift, and
 * the audio clock's mapping (AudioClock.ctxAt, a pure function of its state).
 * Units: performance times in ms, server/client times in µs, context times in s.
 */

/**
 * A show's first run is not anchored on a clock sync whose bound is above this (µs) while
 * a fresh burst of sync requests may still improve it (`syncWaitMs` after play()): a phone
 * that joined a running show on its first, poor estimate played 346 ms off (CI). After the
 * wait it plays on what it has, and a later model change beyond the bound re-anchors
 * (ClockSync `snapUs`).
 */
export const START_SYNC_BOUND_US = 10_000;

/**
 * The ideal map at performance time `perfNow` (ms): ctx(s) = ctx0 + s * ctxPerSample.
 * Sample s is due at server time start + s/sr; the client runs `driftPpm` against the
 * server (server µs per client µs = 1 + driftPpm/1e6); it must be *heard* at that
 * performance time minus the manual offset (`offsetMs`: how late this device is heard).
 * `ctxAtPerf(perfMs)` is the audio clock: the context time heard at a performance time.
 * The slope is taken over 1000 s of show (a secant: exact for a straight audio clock).
 * @returns {{ctx0: number, ctxPerSample: number}}
 */
export function idealMap({ perfNow, serverNowUs, driftPpm, startAtUs, sampleRate, offsetMs, ctxAtPerf }) {
  const rate = 1 + driftPpm / 1e6;
  const ctxOfSample = (s) => {
    const serverUs = startAtUs + (s * 1e6) / sampleRate;
    const perfHeard = perfNow + (serverUs - serverNowUs) / rate / 1000;
    return ctxAtPerf(perfHeard - offsetMs);
  };
  const ctx0 = ctxOfSample(0);
  const span = sampleRate * 1000;
  return { ctx0, ctxPerSample: (ctxOfSample(span) - ctx0) / span };
}

/**
 * Client time (µs since the epoch) at which a frame heard at performance time
 * `heardPerfMs` reaches the listener, counting the manual offset; null stays null.
 */
export function heardClientUs(heardPerfMs, timeOriginMs, offsetMs) {
  if (heardPerfMs === null || heardPerfMs === undefined) return null;
  return (timeOriginMs + heardPerfMs + offsetMs) * 1000;
}

/** Context time heard now: the audio clock at performance time `perfNow` minus the manual offset. */
export const heardCtxNow = (ctxAtPerf, perfNow, offsetMs) => ctxAtPerf(perfNow - offsetMs);

/** A show sample as a position (µs, rounded), null stays null. */
export function sampleToUs(sample, sampleRate) {
  return sample === null || sample === undefined ? null : Math.round((sample * 1e6) / sampleRate);
}

/**
 * May the engine schedule (anchor or keep a run) now? Not before the audio clock has
 * settled and the context has run `settleS` (its first second: no latency is read, the
 * output stream is starting). A first run (`hasRuns` false) also waits for steady
 * stamps (`stable`) for at most `stableWaitS` of context time, and for a clock sync
 * bound within START_SYNC_BOUND_US while a burst may still improve it (until
 * `syncWaitUntilMs`, performance time).
 */
export function mayAnchor({ settled, stable, ctxTime, settleS, stableWaitS, hasRuns, syncBoundUs, nowMs,
  syncWaitUntilMs }) {
  if (!settled || !(ctxTime >= settleS)) return false;
  if (!hasRuns) {
    if (!stable && ctxTime < settleS + stableWaitS) return false;
    if (!(syncBoundUs <= START_SYNC_BOUND_US) && nowMs < syncWaitUntilMs) return false;
  }
  return true;
}

/**
 * The map's epoch: it changes when the map jumps - the published server time was set
 * to its model (ClockSync snaps), the reading trusted for the output changed, or the
 * stamp line restarted (faults jump, line-impossible, shift). A new epoch re-anchors.
 */
export function mapEpoch(snaps, source, faults) {
  return `${snaps}/${source}/${faults.jump || 0}/${faults['line-impossible'] || 0}/${faults.shift || 0}`;
}

/**
 * Output time lost between two readings `{perfNow (ms), ctxTime (s)}` of a running context:
 * how much less the context's time advanced than performance time, in ms, when that is more
 * than `minLostMs` (else 0). A context that stopped rendering while it said 'running' (a
 * frozen page: the back-forward cache, a locked screen; an output device that went away)
 * comes back with its frames heard that much later than the audio clock's line says. Below
 * `minLostMs` (1 s: the freezes above last seconds) a glitch is the audio clock's own
 * business (its jump and shift rules re-anchor without the restart's wait for steady
 * readings); a starved main thread moves both readings alike and loses nothing.
 */
export function outputLostMs(prev, cur, minLostMs = 1000) {
  if (!prev || !cur) return 0;
  const lost = (cur.perfNow - prev.perfNow) - (cur.ctxTime - prev.ctxTime) * 1000;
  return lost > minLostMs ? lost : 0;
}

/**
 * Which frames of a decoded segment are the segment's own (docs/playback.md, "Decoders
 * and the MP3 lead"): a buffer of `length` frames at `bufRate` for a segment of
 * `seg.samples` at the bundle's `sampleRate`. Blink returns the samples; Gecko keeps the
 * encoder delay (576) and drops the decoder's 529; GStreamer's mpg123 keeps both. The
 * tail is always padding - 529, so lead = extra - (padding - 529), within [0, extra];
 * without `padding`, encoder delay + 529. Returns null when there is nothing to cut.
 * @returns {{lead: number, want: number}|null}
 */
export function trimWindow(length, bufRate, seg, sampleRate) {
  const ratio = bufRate / sampleRate;
  const want = Math.round(seg.samples * ratio);
  if (length <= want + 1) return null;
  const extra = length - want;
  const tail = seg.padding != null ? Math.max(0, Math.round((seg.padding - 529) * ratio)) : null;
  const lead = tail !== null ? Math.min(extra, Math.max(0, extra - tail))
    : Math.min(extra, Math.round(((seg.encoder_delay ?? 576) + 529) * ratio));
  return { lead, want };
}
