/**
 * playplan.js through simulated hours: a drifting audio clock, a noisy ideal map,
 * decode latency, late joins and a suspended context. Thresholds are stated in
 * each test.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Planner, segmentIndexAt, trimRate, idealCtx, nextSilence, scheduleAheadFor } from '../../client_web/js/playplan.js';
import { rng } from './netsim.mjs';

const SR = 48_000;

function makeSegments(totalS, segS) {
  const total = totalS * SR, per = segS * SR, out = [];
  for (let s = 0; s < total; s += per) out.push({ path: `g/seg-${out.length}.mp3`, first_sample: s, samples: Math.min(per, total - s) });
  return out;
}

/**
 * Drive a planner: the ideal map drifts at `driftPpm` (the audio clock against
 * server time) with ±`noiseS` of estimation noise per tick; decodes take 0.1 s.
 * `events(t, sim)` may change the map (e.g. a suspension). Returns everything started.
 */
function simulate({ totalS = 3600, segS = 30, driftPpm = 200, noiseS = 0.0003, startAtCtx = 5, tickS = 0.25,
  joinAtCtx = 0, untilCtx = null, events = () => {}, hook = () => {}, seed = 1, silences = [] }) {
  const rand = rng(seed);
  const segments = makeSegments(totalS, segS);
  const planner = new Planner({ segments, sampleRate: SR, silences });
  const sim = { ctx0: startAtCtx, perSample: (1 + driftPpm / 1e6) / SR };
  const started = [], stops = [], pending = [];
  let maxDecoded = 0;
  const end = untilCtx ?? startAtCtx + totalS + 2;
  for (let t = joinAtCtx; t < end; t += tickS) {
    events(t, sim);
    while (pending.length && pending[0].at <= t) planner.decoded(pending.shift().index);
    const map = { ctx0: sim.ctx0 + (rand() * 2 - 1) * noiseS, ctxPerSample: sim.perSample };
    hook(planner, t, sim);
    const act = planner.tick(t, map);
    for (const i of act.decode) pending.push({ index: i, at: t + 0.1 });
    if (act.stopRun) stops.push({ ...act.stopRun, t });
    started.push(...act.start.map((e) => ({ ...e, trueIdealStart: idealCtx({ ctx0: sim.ctx0, ctxPerSample: sim.perSample },
      segments[e.index].first_sample + e.offsetSamples) })));
    maxDecoded = Math.max(maxDecoded, planner.decodedSet.size + planner.pendingDecode.size);
  }
  return { planner, segments, started, stops, maxDecoded };
}

test('segmentIndexAt: binary search with edges', () => {
  const segs = makeSegments(95, 30);
  assert.equal(segmentIndexAt(segs, -1), -1);
  assert.equal(segmentIndexAt(segs, 0), 0);
  assert.equal(segmentIndexAt(segs, 30 * SR - 1), 0);
  assert.equal(segmentIndexAt(segs, 30 * SR), 1);
  assert.equal(segmentIndexAt(segs, 95 * SR - 1), 3);
  assert.equal(segmentIndexAt(segs, 95 * SR), 4);
});

test('trimRate: exact rate inside the limit, clamped to ±0.1 % outside', () => {
  assert.equal(trimRate(SR, SR, 10, 11, 1000), 1);
  assert.ok(Math.abs(trimRate(SR, SR, 10, 11.0005, 1000) - 1 / 1.0005) < 1e-12);
  assert.equal(trimRate(SR, SR, 10, 12, 1000), 0.999);
  assert.equal(trimRate(SR, SR, 10, 10.5, 1000), 1.001);
});

test('a 60-minute show with a 200 ppm audio clock: back to back, trims within 0.1 %, error <= 1 ms, <= 3 decoded (< 40 MB)', () => {
  const { planner, segments, started, stops, maxDecoded } = simulate({});
  assert.equal(started.length, segments.length, 'every segment started once');
  assert.equal(stops.length, 0, 'no re-anchor');
  assert.ok(Math.abs(started[0].startCtx - 5) <= 0.0003, 'sample 0 at the ideal start (within the map noise)');
  assert.equal(started[0].offsetSamples, 0);
  assert.equal(started[0].fadeIn, false, 'the show start is not faded: sample 0 is heard at once');
  let worstErr = 0, worstTrim = 0;
  for (let i = 1; i < started.length; i++) {
    assert.equal(started[i].startCtx, started[i - 1].endCtx, `segment ${i} starts exactly where ${i - 1} ends`);
    assert.equal(started[i].index, started[i - 1].index + 1);
    worstTrim = Math.max(worstTrim, Math.abs(started[i].rate - 1) * 1e6);
    if (i >= 2) worstErr = Math.max(worstErr, Math.abs(started[i].startCtx - started[i].trueIdealStart));
  }
  const last = started[started.length - 1];
  const seg = segments[last.index];
  const endErr = Math.abs(last.endCtx - idealCtx({ ctx0: 5, ctxPerSample: (1 + 200e-6) / SR }, seg.first_sample + seg.samples));
  assert.ok(worstTrim <= 1000, `largest trim ${worstTrim.toFixed(0)} ppm`);
  assert.ok(worstErr <= 0.001, `worst boundary error ${(worstErr * 1e3).toFixed(3)} ms (limit 1 ms)`);
  assert.ok(endErr <= 0.001, `error at the end of the hour ${(endErr * 1e3).toFixed(3)} ms`);
  assert.ok(maxDecoded <= 3, `${maxDecoded} segments decoded at once`);
  const bytes = maxDecoded * 30 * SR * 2 * 4; // stereo float32, 30 s segments
  assert.ok(bytes <= 40e6, `decoded audio peaks at ${(bytes / 1e6).toFixed(1)} MB`);
  assert.equal(planner.stats.reanchors, 0);
});

test('late join at 12:34.5: starts inside a segment, exactly on the ideal map, with a fade-in', () => {
  const joinAt = 5 + 754.5;
  const { started, segments } = simulate({ totalS: 1200, joinAtCtx: joinAt, noiseS: 0, untilCtx: joinAt + 120 });
  const first = started[0];
  const seg = segments[first.index];
  const s = seg.first_sample + first.offsetSamples;
  assert.equal(first.index, 25);
  assert.ok(first.offsetSamples > 0 && first.offsetSamples < seg.samples);
  assert.ok(first.fadeIn);
  assert.ok(first.startCtx >= joinAt + 0.1 && first.startCtx < joinAt + 0.7, `starts ${(first.startCtx - joinAt).toFixed(3)} s after joining`);
  assert.ok(Math.abs(first.startCtx - first.trueIdealStart) < 1e-9, 'on the ideal map');
  assert.ok(s / SR > 754.5, 'not before the joining instant');
  assert.equal(started[1].startCtx, first.endCtx);
});

test('a 10 s suspension (phone call) re-anchors once, within 1 ms, with a fade; before the show no schedule', () => {
  const { started, stops } = simulate({ totalS: 600, noiseS: 0.0002, untilCtx: 400, events: (t, sim) => {
    // the context was suspended 10 s at t = 200: its clock lost 10 s against the world
    if (t >= 200 && !sim.done) { sim.ctx0 -= 10; sim.done = true; }
  } });
  assert.equal(stops.length, 1, 'one re-anchor');
  const after = started.filter((e) => e.run === 1);
  assert.ok(after.length >= 2);
  assert.ok(after[0].fadeIn);
  assert.ok(Math.abs(after[0].startCtx - after[0].trueIdealStart) <= 0.0005, 'new run on the ideal map');
  for (let i = 1; i < after.length; i++) assert.equal(after[i].startCtx, after[i - 1].endCtx);
});

test('a 30 ms error waits for the next silence to re-anchor (if within 8 s), else trims', () => {
  const silences = [{ start_ms: 203_000, end_ms: 205_000 }];
  const { stops } = simulate({ totalS: 600, noiseS: 0, untilCtx: 400, silences, events: (t, sim) => {
    if (t >= 200 && !sim.done) { sim.ctx0 -= 0.08; sim.done = true; } // an 80 ms jump of the map
  } });
  assert.equal(stops.length, 1);
  assert.ok(stops[0].t >= 5 + 203 && stops[0].t < 5 + 205, `re-anchored at ${stops[0].t} inside the silence`);
  assert.deepEqual(nextSilence(silences, 204_000), silences[0]);
  assert.equal(nextSilence(silences, 206_000), null);
});

test('reanchor(): a map jump of 10 ms (a clock snap) re-anchors at the next tick instead of trimming or waiting', () => {
  const silences = [{ start_ms: 203_000, end_ms: 205_000 }];
  let forcedAt = null;
  const { stops, started } = simulate({ totalS: 600, noiseS: 0, untilCtx: 300, silences, events: (t, sim) => {
    if (t >= 100 && !sim.done) { sim.ctx0 += 0.01; sim.done = true; sim.force = true; }
  } , hook: (planner, t, sim) => { if (sim.force) { planner.reanchor(); sim.force = false; forcedAt = t; } } });
  assert.equal(stops.length, 1, 'one re-anchor');
  assert.ok(stops[0].t - forcedAt < 0.3, `at once (${stops[0].t} vs ${forcedAt})`);
  const anchor = started.find((e) => e.startCtx > stops[0].t);
  assert.ok(anchor.fadeIn && Math.abs(anchor.startCtx - anchor.trueIdealStart) < 1e-4,
    `the new run starts on the new map (${((anchor.startCtx - anchor.trueIdealStart) * 1e3).toFixed(3)} ms)`);
});

test('reanchor() on a schedule already on the map (within 2 ms) changes nothing', () => {
  const { stops } = simulate({ totalS: 600, noiseS: 0, untilCtx: 300, events: (t, sim) => {
    if (t >= 100 && !sim.done) { sim.ctx0 += 0.001; sim.done = true; sim.force = true; }
  }, hook: (planner, t, sim) => { if (sim.force) { planner.reanchor(); sim.force = false; } } });
  assert.equal(stops.length, 0);
});

test('a start scheduled ahead follows the map until it is heard: a 173 ms move 2 s before it re-anchors the pending run', () => {
  // anchored at ctx 2 for a start at ctx 5 (scheduleAheadS 3); the map moves 173 ms later at ctx 3
  const { stops, started } = simulate({ totalS: 120, noiseS: 0, startAtCtx: 5, untilCtx: 20, events: (t, sim) => {
    if (t >= 3 && !sim.done) { sim.ctx0 += 0.173; sim.done = true; }
  } });
  assert.equal(stops.length, 1, 'the pending run is replaced once');
  assert.ok(stops[0].t < 3.3, `at the next tick (${stops[0].t})`);
  const first = started.filter((e) => e.offsetSamples === 0 && e.index === 0);
  assert.equal(first.length, 2, 'sample 0 scheduled twice: on the old map, then on the new one');
  const last = first.at(-1);
  assert.ok(Math.abs(last.startCtx - last.trueIdealStart) < 1e-6 && !last.fadeIn,
    `sample 0 on the new map, no fade-in (${((last.startCtx - last.trueIdealStart) * 1e3).toFixed(3)} ms)`);
});

test('a pending start within 2 ms of the map, or due within minLeadS, is left alone', () => {
  const small = simulate({ totalS: 120, noiseS: 0.0005, startAtCtx: 5, untilCtx: 20 });
  assert.equal(small.stops.length, 0, 'estimation noise of ±0.5 ms: no re-anchor');
  // a move 0.1 s before the start (inside minLeadS 0.15 s): not re-anchored before it; after, by the usual rules
  const late = simulate({ totalS: 120, noiseS: 0, startAtCtx: 5, untilCtx: 20, tickS: 0.05, events: (t, sim) => {
    if (t >= 4.9 && !sim.done) { sim.ctx0 += 0.173; sim.done = true; }
  } });
  assert.ok(late.stops.every((s) => s.t >= 5), `stops at ${late.stops.map((s) => s.t)}`);
});

test('drop(): after the platform stopped the output the next tick anchors where the show is by then', () => {
  const segments = makeSegments(60, 10);
  const p = new Planner({ segments, sampleRate: SR });
  const map = { ctx0: 5, ctxPerSample: 1 / SR };
  for (const i of p.tick(4, map).decode) p.decoded(i);
  const first = p.tick(4.1, map).start[0];
  assert.equal(first.startCtx, 5);
  assert.equal(first.offsetSamples, 0);
  // the context was interrupted at ctx 7 for 3 s of real time: the map (a fresh audio clock) moved 3 s
  p.drop();
  assert.equal(p.scheduledSampleAt(7.5), null);
  assert.equal(p.stats.drops, 1);
  assert.equal(p.stats.reanchors, 0); // a drop is not a re-anchor of a playing run
  const later = { ctx0: 2, ctxPerSample: 1 / SR };
  const act = p.tick(7.5, later);
  for (const i of act.decode) p.decoded(i);
  const e = p.tick(7.5, later).start[0] || act.start[0];
  assert.ok(e, 'a new run');
  assert.ok(e.run > first.run);
  // it starts at the show's position under the new map, 1 s ahead (a run not heard yet follows the
  // map for free while a fresh audio clock settles), fading in
  const pos = segments[e.index].first_sample + e.offsetSamples;
  assert.ok(Math.abs(e.startCtx - (2 + pos / SR)) < 1e-9);
  assert.ok(pos / SR >= 6.5 && pos / SR < 6.6, `position ${pos / SR}`);
  assert.equal(e.fadeIn, true);
  // ... and the map moving 30 ms before it is heard moves it (pendingErrorAt)
  const moved = { ctx0: 2.03, ctxPerSample: 1 / SR };
  const again = p.tick(7.6, moved);
  assert.ok(again.stopRun, 'the pending run is replaced');
  for (const i of again.decode) p.decoded(i);
  const e2 = again.start[0] || p.tick(7.6, moved).start[0];
  assert.ok(Math.abs(e2.startCtx - (2.03 + (segments[e2.index].first_sample + e2.offsetSamples) / SR)) < 1e-9);
  // a later anchor is back to minLeadS
  assert.equal(p.anchorLeadS, null);
});

test('scheduleAheadFor: three timer gaps ahead, 3 s at least, 20 s at most', () => {
  assert.equal(scheduleAheadFor(0.1), 3);
  assert.equal(scheduleAheadFor(undefined), 3);
  assert.equal(scheduleAheadFor(1), 3); // a hidden page's once-a-second timer: the default holds
  assert.equal(scheduleAheadFor(2.5), 7.5);
  assert.equal(scheduleAheadFor(60), 20); // once a minute: as far as the decode budget goes
});

test('a throttled timer (a tick every 5 s) still chains every segment before it ends', () => {
  const segments = makeSegments(120, 10);
  const p = new Planner({ segments, sampleRate: SR });
  const map = { ctx0: 5, ctxPerSample: 1 / SR };
  const started = [];
  for (let t = 0; t < 100; t += 5) {
    p.o.scheduleAheadS = scheduleAheadFor(5);
    for (let k = 0; k < 2; k++) { // decodes answer before the next tick
      const act = p.tick(t, map);
      for (const e of act.start) started.push(e);
      for (const i of act.decode) p.decoded(i);
    }
    // whatever plays now was scheduled before it was due
    const playing = started.filter((e) => e.startCtx <= t && t < e.endCtx);
    if (t >= 5 && t < 95) assert.equal(playing.length, 1, `at ${t} s: ${playing.length} sources playing`);
  }
  for (let i = 1; i < started.length; i++) assert.ok(Math.abs(started[i].startCtx - started[i - 1].endCtx) < 1e-9);
});
