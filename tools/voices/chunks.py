"""Split long text into bounded pieces for a voice engine (pure).

No engine is ever given an unbounded input: a neural voice runs one ONNX
inference per sentence, and a "sentence" of ten thousand words without a
full stop exhausts memory or crashes the runtime. :func:`chunks` keeps a
text of at most :data:`MAX_CHUNK_CHARS` whole (so ordinary lines are spoken
exactly as before) and otherwise cuts it

1. after sentence ends (``.``, ``!``, ``?``, ``…``, ``;`` and their CJK forms),
   packing consecutive sentences while they fit;
2. a sentence still too long, after clause punctuation (``,``, ``:``, dashes);
3. then between words;
4. a "word" longer than the limit (a run of letters), every
   :data:`MAX_CHUNK_CHARS` characters.

Every piece is non-empty, stripped and at most :data:`MAX_CHUNK_CHARS` long;
joining the pieces with single spaces gives back the text's words in order.
"""

from __future__ import annotations

import re

MAX_CHUNK_CHARS = 300
"""About 15-20 s of speech: piper "joe" synthesizes that in ~0.4 s here, so Ctrl-C waits at most that long."""

_SENTENCE_END = re.compile(r"(?<=[.!?…;。！？；])[\"'”’»)\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,:，、–—])\s+")


def _split(text: str, pattern: re.Pattern) -> list[str]:
    return [p.strip() for p in pattern.split(text) if p.strip()]


def _pack(parts: list[str], limit: int) -> list[str]:
    out: list[str] = []
    for p in parts:
        if out and len(out[-1]) + 1 + len(p) <= limit:
            out[-1] = out[-1] + " " + p
        else:
            out.append(p)
    return out


def _bounded(part: str, limit: int, level: int) -> list[str]:
    if len(part) <= limit:
        return [part]
    if level == 0:
        pieces = _split(part, _CLAUSE_END)
    elif level == 1:
        pieces = part.split()
    else:
        return [part[i:i + limit] for i in range(0, len(part), limit)]
    if len(pieces) <= 1:
        return _bounded(part, limit, level + 1)
    return _pack([q for p in pieces for q in _bounded(p, limit, level + 1)], limit)


def chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """``text`` as pieces of at most ``limit`` characters; see the module docstring."""
    text = " ".join(text.split()) if len(text.strip()) > limit else text.strip()
    if len(text) <= limit:
        return [text] if text else []
    sentences = [q for s in _split(text, _SENTENCE_END) for q in _bounded(s, limit, 0)]
    return _pack(sentences, limit)
