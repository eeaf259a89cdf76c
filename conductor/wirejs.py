"""The browser's wire tables, generated from ``conductor/messages.py``.

``client_web/js/wire.js`` is this module's output, committed: message types,
the fields of every message and payload (JSON type, required, nullable,
bounds, choices), which sender may send which type, error codes, close codes,
the choice sets (show states, levels, seat states, release scopes, alarm
levels, trouble reasons, group symbols) and the page's paths.  ``client_web/js/protocol.js``
validates and builds frames from these tables, and every other module names
wire values through them, never as string literals.

    python -m flashmob.conductor.wirejs           # rewrite client_web/js/wire.js
    python -m flashmob.conductor.wirejs --check   # exit 1 if it is stale

``tests/conductor/test_wirejs.py`` fails when the committed file differs from
:func:`render`'s output.  Pure: :func:`tables` and :func:`render` read only the
Python definitions; :func:`main` is the one place that touches the file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import messages as m
from .show import State
from flashmob.contract.recordschema import describe, nested

TARGET = Path(__file__).resolve().parent.parent / "client_web" / "js" / "wire.js"
COMMAND = "python -m flashmob.conductor.wirejs"


def _names(values: tuple[str, ...]) -> dict[str, str]:
    """``("info", "urgent")`` -> ``{"INFO": "info", "URGENT": "urgent"}``."""
    return {v.upper(): v for v in values}


def _error_names() -> dict[str, str]:
    out = {}
    for code in m.ERROR_CODES:
        name = code.upper()
        if getattr(m, name, None) != code:  # the convention the generated names rely on
            raise ValueError(f"error code {code!r} has no constant messages.{name}")
        out[name] = code
    return out


def tables() -> dict[str, Any]:
    """Every table of wire.js, as plain JSON data, in the order written."""
    messages = {t: c for d in m.DIRECTIONS.values() for t, c in d.items()}
    payloads: dict[str, type] = {}
    for cls in [*messages.values(), m.ApiInfo]:
        for sub in nested(cls):
            payloads.setdefault(sub.__name__, sub)
    payloads.setdefault(m.ApiInfo.__name__, m.ApiInfo)
    return {
        "MAX_FRAME_CHARS": m.MAX_FRAME_CHARS,
        "MAX_SAFE_INT": m.MAX_SAFE_INT,
        "TYPES": {t.upper(): t for t in m.ALL_TYPES},
        "ERRORS": _error_names(),
        "CLOSE": {k[len("CLOSE_"):]: v for k, v in vars(m).items() if k.startswith("CLOSE_") and type(v) is int},
        "PATHS": {"API_INFO": m.API_INFO_PATH, "PARTICIPANT_WS": m.PARTICIPANT_WS, "CONSOLE_WS": m.CONSOLE_WS},
        "SHOW_STATES": list(m.SHOW_STATES),
        "STATE": {s.name: s.value for s in State},
        "LEVELS": list(m.LEVELS),
        "LEVEL": _names(m.LEVELS),
        "SEAT_STATES": list(m.SEAT_STATES),
        "SEAT": _names(m.SEAT_STATES),
        "RELEASE_SCOPES": list(m.RELEASE_SCOPES),
        "SCOPE": _names(m.RELEASE_SCOPES),
        "ALARM_LEVELS": list(m.ALARM_LEVELS),
        "ALARM_LEVEL": _names(m.ALARM_LEVELS),
        "TROUBLES": list(m.TROUBLES),
        "TROUBLE": _names(m.TROUBLES),
        "OUTPUTS": list(m.OUTPUTS),
        "OUTPUT": _names(m.OUTPUTS),
        "OFFSET_HOWS": list(m.OFFSET_HOWS),
        "OFFSET_HOW": _names(m.OFFSET_HOWS),
        "MAX_OFFSET_MS": m.MAX_OFFSET_MS,
        "SYMBOLS": list(m.SYMBOLS),
        "PAYLOADS": {name: describe(cls) for name, cls in payloads.items()},
        "MESSAGES": {t: describe(c) for t, c in messages.items()},
        "DIRECTIONS": {d: list(types) for d, types in m.DIRECTIONS.items()},
        "ALL_TYPES": list(m.ALL_TYPES),
    }


_DOCS = {
    "MAX_FRAME_CHARS": "Largest text frame the server parses (characters); larger ones get too_large.",
    "MAX_SAFE_INT": "Integers on the wire are JSON integers within ±MAX_SAFE_INT.",
    "TYPES": "Message types: TYPES.SYNC_REPLY === 'sync_reply'.",
    "ERRORS": "Error codes (the code of an error message).",
    "CLOSE": "Websocket close codes the conductor uses.",
    "PATHS": "HTTP and websocket paths of the conductor.",
    "STATE": "Show states (ShowRecord.state).",
    "LEVEL": "Announcement levels.",
    "SEAT": "Seat states (welcome.seat, seat.state).",
    "SCOPE": "Release scopes (release.scope).",
    "ALARM_LEVEL": "Alarm levels (feed.alarms[].level).",
    "TROUBLE": "Why a phone's sound is in trouble (status.trouble), most serious first.",
    "OUTPUT": "Where a phone's sound goes (status.output), as far as its page can tell.",
    "OFFSET_HOW": "How a phone's manual offset was chosen (status.offset_how).",
    "MAX_OFFSET_MS": "Largest manual offset a phone applies, either way (status.offset_ms).",
    "SYMBOLS": "The group symbols a reveal may name (reveal.group.symbol; contract/symbols.py).",
    "PAYLOADS": "Fields of the nested records: {t, req, nul, of?, min?, max?, minLen?, maxLen?, maxItems?, choices?}.",
    "MESSAGES": "Fields of every message type (same descriptors).",
    "DIRECTIONS": "Which types each sender may send.",
    "ALL_TYPES": "Every message type, sorted.",
}


def _value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def _js(name: str, value: Any) -> str:
    if isinstance(value, dict) and value and all(isinstance(x, dict) for x in value.values()):
        rows = []
        for key, sub in value.items():
            fields = "".join(f"    {json.dumps(k)}: {_value(d)},\n" for k, d in sub.items())
            rows.append(f"  {json.dumps(key)}: {{\n{fields}  }},\n")
        body = "{\n" + "".join(rows) + "}"
    elif isinstance(value, dict):
        body = "{\n" + "".join(f"  {json.dumps(k)}: {_value(v)},\n" for k, v in value.items()) + "}"
    else:
        body = _value(value)
    frozen = f"deepFreeze({body})" if isinstance(value, (dict, list)) else body
    doc = f"/** {_DOCS[name]} */\n" if name in _DOCS else ""
    return f"{doc}export const {name} = {frozen};\n"


def render() -> str:
    """The text of client_web/js/wire.js."""
    head = (
        "// Generated by `" + COMMAND + "` from conductor/messages.py: do not edit.\n"
        "// tests/conductor/test_wirejs.py fails when this file is stale.\n"
        "/**\n"
        " * The wire tables of the conductor's protocol (docs/protocol.md), browser side.\n"
        " * protocol.js validates and builds frames with them; other modules name wire\n"
        " * values through them (TYPES.WELCOME, ERRORS.CAPACITY_REACHED, STATE.ABORTED, ...).\n"
        " */\n\n"
        "function deepFreeze(o) {\n"
        "  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);\n"
        "  return Object.freeze(o);\n"
        "}\n"
    )
    return head + "".join("\n" + _js(k, v) for k, v in tables().items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale; write nothing")
    ap.add_argument("--output", type=Path, default=TARGET, help=f"file to write (default {TARGET})")
    args = ap.parse_args(argv)
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
