"""Serving a surprise show: each phone its own view, the group only at the reveal (pure).

A bundle whose manifest has ``surprise`` (contract/manifest.py) is served so
that a phone cannot learn its group before the reveal from anything it
receives (docs/protocol.md, "Surprise groups"):

* the welcome names the group :data:`~flashmob.contract.surprise.ALIAS` (the
  same for every phone) and a manifest URL of the participant's own,
  ``/mine/<participant id>/<revision>/manifest.json``: the view of its group
  (:func:`flashmob.contract.surprise.participant_view`), whose files are
  served under the same folder by their alias paths (:meth:`SurpriseServing.resolve`);
  the bundle's own manifest and files (``/bundle/...``) and the printed
  ``/download/<group>`` links are for organizers only (the app refuses them);
* challenges name the alias path, announcements to a group name the alias;
* at the reveal — when the show's position reaches ``reveal_ms``
  (:meth:`SurpriseServing.reveal_deadline_us`) — every group's phones get a
  ``reveal`` frame with their group's name, colour and symbol; a phone that
  (re)joins after it gets the frame right after its welcome
  (:meth:`SurpriseServing.revealed`).  Before it, nothing a phone receives
  depends on its group but the bytes of its own files.

The participant id is the key of the URLs: it is signed and carries its group
(:class:`~conductor.tokens.ParticipantIds`, with a keyed group tag in a
surprise show, so that the id itself says nothing), so any conductor holding
the show's secret serves the same files to the same phone, before and after
a restart, without storing anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from flashmob.contract.manifest import MANIFEST, manifest_json
from flashmob.contract.surprise import ALIAS, View, participant_base, reveal_group, views

from . import messages as m
from .bundle import Bundle
from .show import ShowRecord, State


@dataclass(frozen=True)
class Served:
    """A file a participant may fetch: the bundle path, its sha256 (None: not content-addressed)."""

    path: str
    sha256: str | None


class SurpriseServing:
    """The per-participant side of a surprise bundle.  ``group_of(pid)`` is the
    group a participant id was issued for (None: not one of this show's)."""

    def __init__(self, bundle: Bundle, group_of: Callable[[str], str | None]) -> None:
        surprise = bundle.manifest.surprise
        if surprise is None:
            raise ValueError("not a surprise bundle")
        self.bundle = bundle
        self.group_of = group_of
        self.reveal_us = None if surprise.reveal_ms is None else surprise.reveal_ms * 1000
        self.views: dict[str, View] = views(bundle.manifest)
        self._json = {gid: (json.dumps(manifest_json(v.manifest), ensure_ascii=False, indent=1) + "\n").encode()
                      for gid, v in self.views.items()}
        self._alias_of = {gid: {real: alias for alias, real in v.files.items()} for gid, v in self.views.items()}
        self._reveal = {g.id: m.to_wire(m.Reveal(group=m.RevealedGroup(
            **{k: getattr(reveal_group(bundle.manifest, g.id), k) for k in ("name", "colour", "symbol")})))
            for g in bundle.manifest.groups}

    # -- before the reveal --------------------------------------------------------------

    def manifest_url(self, participant_id: str) -> str:
        return participant_base(participant_id, self.bundle.revision) + MANIFEST

    def view_json(self, group_id: str) -> bytes:
        """The view's manifest.json bytes (the one writer's, like the bundle's own)."""
        return self._json[group_id]

    def alias_path(self, group_id: str, path: str) -> str:
        """The alias of a bundle path of ``group_id``'s (a challenge's path)."""
        return self._alias_of[group_id].get(path, path)

    def resolve(self, participant_id: str, revision: str, path: str) -> Served | bytes | None:
        """What ``/mine/<participant_id>/<revision>/<path>`` serves: the view's manifest
        bytes, a file of the participant's group, or None (not found)."""
        if revision != self.bundle.revision:
            return None
        group = self.group_of(participant_id)
        if group is None or group not in self.views:
            return None
        if path == MANIFEST:
            return self._json[group]
        real = self.views[group].files.get(path)
        if real is None or real not in self.bundle.files:
            return None
        return Served(real, self.bundle.files[real])

    def announcement(self, info: m.AnnouncementInfo) -> m.AnnouncementInfo:
        """An announcement as phones get it: to a group, it names the alias."""
        if info.group is None:
            return info
        return m.AnnouncementInfo(id=info.id, level=info.level, text=info.text, group=ALIAS,
                                  sent_at_us=info.sent_at_us)

    # -- the reveal ---------------------------------------------------------------------

    def reveal_at_us(self, record: ShowRecord) -> int | None:
        """Server time of the reveal of the run ``record`` describes (None: none)."""
        if self.reveal_us is None or record.start_at_us is None:
            return None
        return record.start_at_us + self.reveal_us

    def reveal_deadline_us(self, record: ShowRecord) -> int | None:
        """When the ticker must wake for a reveal still to come (None: none to come)."""
        if record.state not in (State.ARMED, State.RUNNING):
            return None
        return self.reveal_at_us(record)

    def revealed(self, record: ShowRecord, now: int) -> bool:
        """Has this run's reveal happened (a phone joining now gets the reveal frame)?"""
        at = self.reveal_at_us(record)
        if at is None:
            return False
        if record.state in (State.RUNNING, State.ENDED):
            return now >= at
        if record.state is State.ABORTED:
            return record.changed_at_us >= at
        return False

    def reveal_frame(self, group_id: str) -> str:
        return self._reveal[group_id]
