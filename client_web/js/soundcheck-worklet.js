/**
 * The sound check's recorder (AudioWorklet): posts the microphone's first channel in
 * blocks of `blockFrames` with the context frame of their first sample, so the page
 * knows which context frame each recorded sample entered the graph at (the chirps it
 * plays are scheduled on the same clock). Output: silence (it only listens).
 */
class FlashmobRecorder extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.blockFrames = options?.processorOptions?.blockFrames || 4096;
    this.buf = new Float32Array(this.blockFrames);
    this.fill = 0;
    this.first = -1;
    this.on = true;
    this.port.onmessage = (ev) => { if (ev.data === 'stop') this.on = false; };
  }

  process(inputs) {
    if (!this.on) return false;
    const ch = inputs[0] && inputs[0][0];
    const n = ch ? ch.length : 128;
    for (let i = 0; i < n; i++) {
      if (this.fill === 0) this.first = currentFrame + i;
      this.buf[this.fill++] = ch ? ch[i] : 0;
      if (this.fill === this.blockFrames) {
        this.port.postMessage({ frame: this.first, data: this.buf }, [this.buf.buffer]);
        this.buf = new Float32Array(this.blockFrames);
        this.fill = 0;
      }
    }
    return true;
  }
}

registerProcessor('flashmob-recorder', FlashmobRecorder);
