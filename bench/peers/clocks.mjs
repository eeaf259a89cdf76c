/**
 * Time for the benchmarks, pure apart from `trueNowUs`.
 *
 * True time is CLOCK_MONOTONIC (process.hrtime, the same clock in every process
 * of the machine, Python's time.monotonic too) plus one epoch offset handed down
 * by the Python orchestrator: the conductor's server time at start (Unix µs)
 * minus CLOCK_MONOTONIC, so true time *is* the conductor's server time.
 *
 * A virtual phone clock reads c(t) = t + offset + drift * (t - t0): an offset
 * (up to ±2 s) and a rate error (up to ±200 ppm) from the instant t0.
 */

/** True time (µs) with the given epoch offset. */
export function trueClock(epochOffsetUs) {
  return () => Number(process.hrtime.bigint() / 1000n) + epochOffsetUs;
}

/** The reading of a virtual clock at true time t (µs). */
export function virtualReading(t, { offsetUs, driftPpm, t0Us }) {
  return t + offsetUs + (driftPpm * (t - t0Us)) / 1e6;
}

/** A virtual clock bound to a true-time source: () => µs. */
export function virtualClock(trueNow, params) {
  return () => virtualReading(trueNow(), params);
}
