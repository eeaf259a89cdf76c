"""The score's optional ``signups`` block: a sign-up page served by the conductor before the show.

```yaml
signups:
  privacy: >                          # required: the notice people agree to
    Your name is only used to print your badge. It is deleted 30 days after
    the show. Questions: org@example.org
  email: optional                     # no (default), optional or required
  capacity: 350                       # places; beyond, a waiting list
  keep_days: 30                       # days after the show before every sign-up is deleted
```

:func:`read_signups` reads it from the score's top-level :class:`Fields`, like
every other block: each problem is a diagnostic at the value's
``file:line:col`` saying what was expected, unknown keys get a "did you mean"
suggestion.  The renderer writes it to the bundle's ``.flashmob-signups.json``
(:mod:`flashmob.contract.signups`); docs/signups.md says what the conductor
does with it.
"""

from __future__ import annotations

from flashmob.contract.signups import DEFAULT_KEEP_DAYS, MAX_CAPACITY, MAX_KEEP_DAYS, MAX_NOTICE, EmailRule

from .fields import Fields
from .model import Signups

KEYS = ("privacy", "email", "capacity", "keep_days")
EMAIL_CHOICES = tuple(r.value for r in EmailRule)


def _email(f: Fields) -> str:
    node = f.raw("email")
    if node is None:
        return EmailRule.NO.value
    value = f.text("email", expected="no, optional or required")
    if value in ("false", "False", "off"):  # YAML's own spelling of "no" read as written
        value = EmailRule.NO.value
    if value not in EMAIL_CHOICES:
        if value is not None:
            f.bad("email", "no, optional or required (whether the sign-up page asks for an e-mail address)")
        return EmailRule.NO.value
    return value


def read_signups(f: Fields) -> Signups | None:
    """The ``signups`` block of the score read by ``f`` (None when absent)."""
    node = f.mapping("signups", hint="e.g. 'signups: {privacy: ..., capacity: 350}'")
    if node is None:
        return None
    s = Fields(node, f.diags, "the signups block")
    privacy = s.text("privacy", required=True, expected="the privacy notice people agree to (a text)",
                     hint="say what is kept, why, for how long, and who to ask (docs/signups.md)")
    if privacy is not None and len(privacy) > MAX_NOTICE:
        s.diags.error(s.loc("privacy"), f"'privacy' is {len(privacy)} characters long; at most {MAX_NOTICE} "
                                        "(link to a longer policy instead)")
        privacy = None
    out = Signups(privacy=privacy or "", email=_email(s),
                  capacity=s.integer("capacity", minimum=1, maximum=MAX_CAPACITY,
                                     expected="the number of places (a whole number)"),
                  keep_days=s.integer("keep_days", default=DEFAULT_KEEP_DAYS, minimum=0, maximum=MAX_KEEP_DAYS,
                                      expected="a whole number of days after the show before sign-ups are deleted"),
                  loc=node.loc)
    s.finish(KEYS)
    return out
