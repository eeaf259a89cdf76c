/**
 * The media-element player's control law, pure (mediaengine.js performs it).
 *
 * An <audio> element on the group's full MP3 is kept on the show's time every
 * tick: where it should be is `expectedS` (server time since the start, plus the
 * manual offset); before the start (by more than `preRollS`) it waits paused at
 * 0; past the end it pauses; a paused element is put where it should be and
 * started; a playing one more than `seekS` off is seeked (`seekLeadS` ahead:
 * a seek takes time); else its playbackRate is trimmed in proportion to the
 * error (`gain` per second of error), within 1 ± `maxTrim`. Less precise than
 * Web Audio (tens of ms), but it plays.
 */

export const LAW = Object.freeze({ preRollS: 0.05, seekS: 0.25, seekLeadS: 0.05, gain: 0.1, maxTrim: 0.02 });

/** Where the audio should be (s of the show) at server time `serverNowUs`. */
export function expectedS(serverNowUs, startAtUs, offsetMs) {
  return (serverNowUs - startAtUs) / 1e6 + offsetMs / 1000;
}

/**
 * One step of the law for an element at `currentTime` (s), `paused`, of `durationS`
 * (NaN while unknown), when it should be at `wantS`. Returns the actions, in the
 * order the shell performs them:
 * `{ pause?: true, seekTo?: s, play?: true, rate?: r, started?: true, seeked?: true }`
 * (`started`: the element was started on this step; `seeked`: a correction seek).
 */
export function mediaStep({ wantS, currentTime, paused, durationS }, law = LAW) {
  if (wantS < -law.preRollS) {
    const a = {};
    if (!paused) a.pause = true;
    if (Math.abs(currentTime) > 0.001) a.seekTo = 0;
    return a;
  }
  if (Number.isFinite(durationS) && wantS >= durationS) return { pause: true };
  if (paused) return { seekTo: Math.max(0, wantS), play: true, started: true };
  const err = currentTime - wantS; // > 0: ahead
  if (Math.abs(err) > law.seekS) return { seekTo: wantS + law.seekLeadS, seeked: true };
  return { rate: Math.min(1 + law.maxTrim, Math.max(1 - law.maxTrim, 1 - err * law.gain)) };
}
