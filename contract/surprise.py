"""Surprise groups: what a phone may be given before the reveal (pure).

A bundle whose manifest has ``surprise`` (contract/manifest.py) is served so
that a phone cannot learn its group before the reveal from anything it
receives (docs/bundle-format.md, "Surprise groups"; docs/protocol.md,
"Surprise groups"):

* :func:`participant_view` — the manifest a phone gets: a
  :class:`~.manifest.Manifest` (the same contract, the same schema, the same
  one writer) that lists **only its own group**, under the opaque id
  :data:`ALIAS`, named :data:`ALIAS`, in the neutral colour
  (:data:`~.colours.DEFAULT_COLOUR`), with no symbol; its files renamed to
  neutral paths (``seg/0000.mp3``..., ``show.mp3``, ``captions.vtt``,
  ``cover.png``) and its cue ids renumbered (``c1``, ``c2``..., a score's cue
  id may name a group).  Sizes, hashes, cues and silences are its own; no
  other group's appear.  The view is the same for every phone of a group.
* :attr:`View.files` — alias path -> the bundle path it stands for: what the
  conductor serves under a participant's own URL (``/mine/<participant id>/
  <revision>/<alias path>``, :func:`participant_base`), never ``/bundle/...``.
* :func:`reveal_group` — what the phone is told at the reveal: the group's id,
  name, colour and symbol (:mod:`.symbols`: never the colour alone).

Cue texts and the audio are the group's own content and are in the view: a
score that should not give the group away before the reveal says nothing
about it before the reveal cue (docs/score-format.md, "Surprise groups").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import PurePosixPath

from .colours import DEFAULT_COLOUR
from .manifest import Group, Manifest
from .symbols import default_symbol

ALIAS = "mine"
"""The group id (and name) of every phone's view: the same for all, so it says nothing."""
MINE_PREFIX = "/mine/"
"""Participants' own file URLs start with this (docs/protocol.md, "Surprise groups")."""
VIEW_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class View:
    """One group's view: the manifest a phone of that group gets, and its files."""

    manifest: Manifest
    files: dict[str, str]  # alias path -> bundle path (relative, posix)


def _suffix(path: str, default: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return suffix if suffix and len(suffix) <= 8 and suffix[1:].isalnum() else default


def participant_view(manifest: Manifest, group_id: str) -> View:
    """The view of ``group_id`` (KeyError when the manifest has no such group)."""
    group = manifest.group(group_id)
    if group is None:
        raise KeyError(group_id)
    files: dict[str, str] = {}

    def alias(real: str | None, name: str) -> str | None:
        if real is None:
            return None
        files[name] = real
        return name

    segments = tuple(dataclasses.replace(s, path=alias(s.path, f"seg/{i:04d}{_suffix(s.path, '.mp3')}"))
                     for i, s in enumerate(group.segments))
    mp3 = group.mp3 and dataclasses.replace(group.mp3, path=alias(group.mp3.path,
                                                                    "show" + _suffix(group.mp3.path, ".mp3")))
    cues = tuple(dataclasses.replace(c, id=f"c{i + 1}") for i, c in enumerate(group.cues))
    mine = Group(id=ALIAS, name=ALIAS, colour=DEFAULT_COLOUR, share=1, mp3=mp3, segments=segments,
                 captions=alias(group.captions, "captions" + _suffix(group.captions or "", ".vtt")),
                 cover=alias(group.cover, "cover" + _suffix(group.cover or "", ".png")),
                 loudness=group.loudness, cues=cues, silences=group.silences, symbol=None)
    return View(dataclasses.replace(manifest, groups=(mine,)), files)


def views(manifest: Manifest) -> dict[str, View]:
    """Group id -> its view, for every group (computed once when a bundle is loaded)."""
    return {g.id: participant_view(manifest, g.id) for g in manifest.groups}


def participant_base(participant_id: str, revision: str) -> str:
    """The URL folder of a participant's files (its view's paths are relative to it)."""
    return f"{MINE_PREFIX}{participant_id}/{revision}/"


@dataclass(frozen=True)
class Revealed:
    """A group as the reveal shows it: name, colour and symbol together."""

    id: str
    name: str
    colour: str
    symbol: str


def reveal_group(manifest: Manifest, group_id: str) -> Revealed:
    """The revealed form of ``group_id`` (its symbol, or the default of its position)."""
    for index, g in enumerate(manifest.groups):
        if g.id == group_id:
            return Revealed(g.id, g.name, g.colour, g.symbol or default_symbol(index))
    raise KeyError(group_id)


__all__ = ["ALIAS", "MINE_PREFIX", "VIEW_MANIFEST", "View", "Revealed", "participant_view", "views",
           "participant_base", "reveal_group"]
