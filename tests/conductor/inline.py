"""A synchronous driver of the conductor core, for tests (no event loop, no writer thread).

:class:`InlineConductor` is the real :class:`~flashmob.conductor.runtime.Runtime`
(the real store, hub, alarms) without a loop attached, so every write batch runs
on the caller's thread and its outcome is fed back at once: a call returns once
everything it caused is written and sent.  On top it offers the calls the tests
make — ``command`` returns the ack or raises the refusal, ``answer`` returns the
outcome, ``drive`` feeds a session a frame and returns what that connection got.
"""

from __future__ import annotations

from flashmob.conductor import effects as fx
from flashmob.conductor import messages as m
from flashmob.conductor.runtime import Runtime
from flashmob.conductor.seats import Answered
from flashmob.conductor.service import CommandError
from flashmob.conductor.show import IllegalTransition, State

CONSOLE_CID = -1
PHONE_CID = -2


class Capture:
    """An outbox stand-in: what one connection got, in order (frames, Close)."""

    def __init__(self):
        self.items = []
        self.closing = False

    def push(self, item):
        self.items.append(item)
        return True

    def close(self, code=1000, reason=""):
        self.items.append(fx.Close(code, reason))
        self.closing = True


class InlineConductor(Runtime):
    def _run(self, effects, cid):
        box = Capture()
        self.register(cid, box)
        try:
            for e in effects:
                if isinstance(e, fx.Subscribe):
                    box.items.append(e)
                self.execute([e], cid, box)
        finally:
            self.unregister(cid)
        return box.items

    def drive(self, session, frame, t=None):
        """Feed ``session`` one frame (time ``t``, default now): what its connection got."""
        if session.cid is None:
            session.cid = id(session)
        return self._run(session.handle(frame, self.now() if t is None else t), session.cid)

    def tick(self):
        self.execute(self.core.tick(self.now()))
        return self.record.next_deadline_us()

    def command(self, msg):
        """The ack, or the refusal raised (IllegalTransition, CommandError)."""
        got = [m.parse(i, "server") for i in self._run(self.core.command(CONSOLE_CID, msg, self.now()), CONSOLE_CID)
               if isinstance(i, str)]
        for reply in got:
            if isinstance(reply, m.Ack):
                return reply
            if isinstance(reply, m.Error):
                if reply.code == m.ILLEGAL_TRANSITION:
                    raise IllegalTransition(reply.message, state=State(self.record.state), event=msg.TYPE)
                raise CommandError(reply.code, reply.message)
        raise AssertionError(f"no reply to {msg!r}: {got!r}")

    def announce(self, msg, now=None):
        self.command(msg)
        return self.core.recent_announcements(limit=1)[-1]

    def admit(self, hello):
        adm, welcome, out = self.core.admit(hello, self.now())
        self.execute(out)
        return adm, welcome

    def answer(self, participant_id, group, msg):
        result, out = self.core.answer(PHONE_CID, participant_id, group, msg, self.now())
        got = self._run(out, PHONE_CID)
        if result.outcome != "confirmed":
            return result
        for item in got:
            reply = m.parse(item, "server") if isinstance(item, str) else None
            if isinstance(reply, m.SeatMsg):
                return Answered("confirmed")
            if isinstance(reply, m.Error) and reply.code == m.UNAVAILABLE:
                return Answered("unavailable")
        return result  # confirmed before: nothing to write

    def publish_feed(self, *, force=False):
        out = self.core.publish_feed(self.now(), force=force)
        self.execute(out)
        return bool(out)
