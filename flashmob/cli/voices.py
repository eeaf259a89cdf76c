"""``flashmob voices``: which speech engines and voices this machine has."""

from __future__ import annotations

import sys

NAME = "voices"
HELP = "list the text-to-speech engines and voices available on this machine"


def configure(parser) -> None:
    parser.add_argument("--engine", choices=("espeak", "piper", "clips"), help="only this engine")
    parser.add_argument("--language", metavar="TAG", help="only espeak voices of this language prefix (e.g. fr)")


def run(args) -> int:
    from flashmob.tools.voices import VoiceError, default_engines

    engines = default_engines()
    names = [args.engine] if args.engine else ["piper", "espeak", "clips"]
    for name in names:
        engine = engines.get(name)
        if engine is None:
            print(f"{name}: not available on this machine", file=sys.stderr)
            continue
        try:
            version = engine.engine_version()
            voices = engine.available_voices()
        except VoiceError as exc:
            print(f"{name}: unavailable: {exc}", file=sys.stderr)
            continue
        if args.language and name == "espeak":
            voices = [v for v in voices if v.lower().startswith(args.language.lower())]
        print(f"{name} — {version}")
        if name == "clips":
            print("  recorded files: give each `say` a `clip:` (asset id or path)")
        elif name == "piper":
            print("  " + ", ".join(voices) + "   (or any Piper .onnx voice file by path)")
        else:
            import textwrap

            print(textwrap.fill(", ".join(voices) if voices else "(none)", 100, initial_indent="  ",
                                subsequent_indent="  "))
    return 0
