/**
 * Test probe (AudioWorklet): passes audio through and posts the frame number of
 * every click it hears: the first sample above 0.5 at least 100 ms after the
 * previous one (MP3 pre-echo before a click stays far below 0.5), so a page can
 * say at which server time a known sample was really rendered.
 * Loaded only when the page runs with ?probe=1.
 */
class FlashmobProbe extends AudioWorkletProcessor {
  constructor() {
    super();
    this.last = -Infinity;
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    for (let c = 0; c < output.length; c++) {
      if (input[c]) output[c].set(input[c]);
    }
    const ch = input[0];
    if (ch) {
      for (let i = 0; i < ch.length; i++) {
        const frame = currentFrame + i;
        if (Math.abs(ch[i]) > 0.5) {
          if (frame - this.last > sampleRate * 0.1) this.port.postMessage({ frame });
          this.last = frame;
        }
      }
    }
    return true;
  }
}

registerProcessor('flashmob-probe', FlashmobProbe);
