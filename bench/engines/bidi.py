"""A small WebDriver BiDi client on ``websockets``' sync API (what Firefox speaks natively).

One reader thread receives every frame: command results are handed to the
caller waiting on that ``id``; events go to the subscribers registered with
:meth:`BiDi.on`. ``ping_interval=None``: Firefox does not answer keepalive
pings while a page's script is busy, and a missed ping must not kill the test.
Spec: https://w3c.github.io/webdriver-bidi/
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict


class BiDiError(RuntimeError):
    """The remote end answered a command with an error."""


class BiDi:
    def __init__(self, url: str, *, open_timeout: float = 10.0) -> None:
        from websockets.sync.client import connect

        # __enter__: the connection is closed in close(), not by a with-block (websockets >= 17.1 asks)
        self._ws = connect(url, open_timeout=open_timeout, ping_interval=None, max_size=None,
                           max_queue=None, close_timeout=1).__enter__()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: dict[int, dict] = {}
        self._handlers: dict[str, list] = defaultdict(list)
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="bidi-reader", daemon=True)
        self._reader.start()

    def on(self, event: str, handler) -> None:
        """Call ``handler(params)`` for every ``event`` (e.g. ``"log.entryAdded"``) received."""
        self._handlers[event].append(handler)

    def command(self, method: str, params: dict | None = None, timeout: float = 30.0) -> dict:
        """Send one command and return its ``result``; BiDiError on an error, TimeoutError on silence."""
        n = next(self._ids)
        slot = {"done": threading.Event(), "msg": None}
        with self._lock:
            if self._closed:
                raise BiDiError(f"{method}: connection closed")
            self._waiting[n] = slot
        self._ws.send(json.dumps({"id": n, "method": method, "params": params or {}}))
        if not slot["done"].wait(timeout):
            with self._lock:
                self._waiting.pop(n, None)
            raise TimeoutError(f"BiDi {method}: no answer in {timeout:g} s")
        msg = slot["msg"]
        if msg is None:
            raise BiDiError(f"{method}: connection closed")
        if msg.get("type") == "error":
            raise BiDiError(f"{method}: {msg.get('error')}: {msg.get('message')}")
        return msg.get("result", {})

    def _read(self) -> None:
        try:
            for frame in self._ws:
                msg = json.loads(frame)
                if "id" in msg and msg.get("type") in ("success", "error"):
                    with self._lock:
                        slot = self._waiting.pop(msg["id"], None)
                    if slot:
                        slot["msg"] = msg
                        slot["done"].set()
                elif msg.get("type") == "event":
                    for h in self._handlers.get(msg.get("method"), ()):
                        try:
                            h(msg.get("params", {}))
                        except Exception:  # a handler's bug must not stop the reader
                            pass
        except Exception:
            pass
        finally:
            with self._lock:
                self._closed = True
                slots, self._waiting = list(self._waiting.values()), {}
            for slot in slots:
                slot["done"].set()

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:
            pass
        self._reader.join(5)
