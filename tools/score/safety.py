"""The score's optional ``safety`` block: the set-up declared to the authorities.

```yaml
safety:
  expected: 300                       # participants the organizer expects
  stewards:                           # or just a number: `stewards: 12`
    count: 12
    lead: Camille Martin, +33 6 12 34 56 78
    note: Yellow vests, one at each exit
  first_aid: Protection civile, a post by the fountain (2 first-aiders)
  water: Drinking fountain on the north side
  exits:                              # or one text
    - Rue de la Paix (north)
    - Boulevard de l'Est (east)
  console: Alex Dupont, +33 6 98 76 54 32, on the town hall steps
```

:func:`read_safety` reads it from the score's top-level :class:`Fields`, like
every other block: each problem is a diagnostic at the value's
``file:line:col`` saying what was expected, unknown keys get a "did you mean"
suggestion, and reading goes on so that one run reports everything. Every
field is optional: ``flashmob dossier`` lists what is missing instead of
inventing it.
"""

from __future__ import annotations

from flashmob.contract.safety import MAX_EXITS, MAX_PEOPLE, MAX_TEXT

from .fields import Fields, describe
from .model import Safety, Stewards
from .source import Map, Scalar, Seq

KEYS = ("expected", "stewards", "first_aid", "water", "exits", "console")
STEWARD_KEYS = ("count", "lead", "note")
_STEWARDS = "a number of stewards such as 12, or a mapping with 'count', 'lead' and 'note'"


def _text(f: Fields, key: str) -> str | None:
    """A text of at most MAX_TEXT characters (the bundle's safety file holds no longer one)."""
    value = f.text(key)
    if value is not None and len(value) > MAX_TEXT:
        f.diags.error(f.loc(key), f"'{key}' is {len(value)} characters long; at most {MAX_TEXT} "
                                  "(a longer text belongs in an annex to the declaration)")
        return None
    return value


def _stewards(f: Fields) -> Stewards | None:
    node = f.raw("stewards")
    if node is None or (isinstance(node, Scalar) and node.is_null):
        return None
    if isinstance(node, Scalar):
        count = f.integer("stewards", minimum=0, maximum=MAX_PEOPLE, expected=_STEWARDS)
        return Stewards(count=count) if count is not None else None
    if not isinstance(node, Map):
        f.bad("stewards", _STEWARDS)
        return None
    s = Fields(node, f.diags, "the safety block's stewards")
    out = Stewards(count=s.integer("count", minimum=0, maximum=MAX_PEOPLE, expected="a whole number of stewards"),
                   lead=_text(s, "lead"), note=_text(s, "note"))
    s.finish(STEWARD_KEYS)
    return out


def _exits(f: Fields) -> tuple[str, ...]:
    node = f.raw("exits")
    if node is None or (isinstance(node, Scalar) and node.is_null):
        return ()
    if isinstance(node, Scalar):
        text = _text(f, "exits")
        return (text,) if text else ()
    if not isinstance(node, Seq):
        f.bad("exits", "a list of exits (items starting with '- '), or one text")
        return ()
    out = []
    if len(node.items) > MAX_EXITS:
        f.diags.error(node.loc, f"'exits' lists {len(node.items)} exits; at most {MAX_EXITS}")
        return ()
    for item in node.items:
        if isinstance(item, Scalar) and not item.is_null and item.text.strip():
            if len(item.text.strip()) > MAX_TEXT:
                f.diags.error(item.loc, f"this exit is {len(item.text.strip())} characters long; at most {MAX_TEXT}")
                continue
            out.append(item.text.strip())
        else:
            f.diags.error(item.loc, f"'exits' lists exits as texts (such as 'Rue de la Paix, north side'), "
                                    f"found {describe(item)}")
    return tuple(out)


def read_safety(f: Fields) -> Safety | None:
    """The ``safety`` block of the score read by ``f`` (None when absent)."""
    node = f.mapping("safety", hint="e.g. 'safety: {stewards: 12, first_aid: ...}'")
    if node is None:
        return None
    s = Fields(node, f.diags, "the safety block")
    safety = Safety(expected=s.integer("expected", minimum=1, maximum=MAX_PEOPLE,
                                       expected="the number of participants expected (a whole number)"),
                    stewards=_stewards(s), first_aid=_text(s, "first_aid"), water=_text(s, "water"),
                    exits=_exits(s), console=_text(s, "console"), loc=node.loc)
    s.finish(KEYS)
    return safety
