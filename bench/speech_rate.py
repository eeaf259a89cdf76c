"""Speaking pace of the real voice engines: characters per second at rate 1.0.

    python -m bench.speech_rate

Synthesizes typical flashmob instructions (English with piper "joe" and
espeak en-us, French with espeak fr), without the voice cache, and prints per
engine the slowest and fastest pace over lines of at least 20 characters and
the synthesis CPU time per character. ``tools/score/limits.py`` bounds a
line's length by the fastest pace (plus a margin) before synthesis;
``tools/render/estimate.py`` uses the synthesis cost. Results:
docs/benchmarks.md, "Speaking pace".
"""

from __future__ import annotations

import time

from bench.table import markdown

EN = ["Welcome. Keep your headphones on.", "Reds, walk to the fountain.", "Blues, walk to the statue.",
      "Wave at the other group!", "Now stop, look around you, and find someone wearing something red.",
      "In ten seconds, everybody will freeze. Do not move until you hear the gong.",
      "Take three steps forward, then turn to your left and raise both arms slowly above your head.",
      "Thank you all for coming, this was the first flashmob of the winter season in our town square."]
FR = ["Bienvenue. Gardez vos écouteurs.", "Les rouges, marchez vers la fontaine.", "Levez les bras !",
      "Dans dix secondes, tout le monde se fige. Ne bougez plus jusqu'au gong.",
      "Faites trois pas en avant, puis tournez à gauche et levez lentement les deux bras au-dessus de la tête.",
      "Merci à toutes et à tous d'être venus, c'était la première flashmob de l'hiver sur notre place."]


def main() -> None:
    from flashmob.tools.voices import Synthesizer, VoiceSettings, default_engines

    synth = Synthesizer(default_engines(), None, 44100)
    rows = []
    for name, settings, texts in [("piper joe (en)", VoiceSettings(engine="piper"), EN),
                                  ("espeak en-us", VoiceSettings(engine="espeak", voice="en-us"), EN),
                                  ("espeak fr", VoiceSettings(engine="espeak", voice="fr"), FR)]:
        synth.synthesize("Warm up.", settings)   # load the model once, outside the timing
        paces, cpu, chars = [], 0.0, 0
        for text in texts:
            t0 = time.process_time()
            samples, rate = synth.synthesize(text, settings)
            cpu += time.process_time() - t0
            chars += len(text)
            if len(text) >= 20:
                paces.append(len(text) / (len(samples) / rate))
        rows.append([name, len(paces), min(paces), max(paces), 1000 * cpu / chars])
    print(markdown(["engine", "lines", "slowest chars/s", "fastest chars/s", "synthesis CPU ms/char"], rows))


if __name__ == "__main__":
    main()
