"""One NTP client exchange, sans-I/O: build the request, judge the answer.

Contract
--------
* :func:`request` builds a 48-byte NTPv4 client packet (ntplib's codec) whose
  transmit timestamp is an 8-byte random **nonce**, not our time (as chrony
  does): a server echoes it as the answer's *originate* timestamp, so an
  answer that does not carry it — stale, replayed, forged, or meant for
  another request — is recognised and discarded.  ntplib's own
  ``NTPClient.request`` does not make this check (it computes the offset from
  whatever originate the answer carries, so a replayed answer N hours old reads
  as an offset of -N/2 hours); we only use its packet codec.
* :func:`judge` takes the request, the answer bytes and the local clock at
  send (``t1``) and receive (``t4``), in integer µs of *any* local clock, and
  returns an :class:`Answer` — offset of NTP time (Unix-epoch µs) minus that
  local clock, round-trip delay — or raises :class:`BadAnswer` saying why it
  is unusable: not a server answer, originate mismatch, stratum 0
  (kiss-o'-death) or >= 16 (unsynchronized), leap indicator 3 (alarm), root
  delay / root dispersion / round trip beyond :class:`Limits`, or timestamps
  that contradict each other.
* All arithmetic is integer µs; nothing here reads a clock or a socket.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import ntplib

NTP_TO_UNIX_S = 2_208_988_800
"""Seconds from the NTP era 0 epoch (1900) to the Unix epoch (1970)."""

PACKET_BYTES = 48
MODE_CLIENT, MODE_SERVER = 3, 4
LEAP_ALARM = 3


@dataclass(frozen=True)
class Limits:
    """Sanity bounds of an answer (defaults: ntpd's MAXDIST spirit, generous for a LAN or the internet)."""

    max_root_delay_us: int = 1_000_000
    max_root_dispersion_us: int = 1_000_000
    max_delay_us: int = 1_000_000


class BadAnswer(Exception):
    """An NTP answer that must not steer the clock; ``str()`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Answer:
    offset_us: int  # NTP time minus the local clock of t1/t4
    delay_us: int  # round trip minus the server's processing time
    stratum: int
    leap: int
    root_delay_us: int
    root_dispersion_us: int

    @property
    def distance_us(self) -> int:
        """Root distance: the bound on this answer's error (RFC 5905's lambda, without jitter)."""
        return self.delay_us // 2 + self.root_delay_us // 2 + self.root_dispersion_us


def request(nonce: bytes) -> bytes:
    """A client packet carrying ``nonce`` (8 bytes) as its transmit timestamp."""
    if len(nonce) != 8:
        raise ValueError("the nonce is 8 bytes (an NTP timestamp)")
    head = ntplib.NTPPacket(version=4, mode=MODE_CLIENT).to_data()
    return head[:40] + nonce


def ntp_to_unix_us(raw: bytes) -> int:
    """An 8-byte NTP timestamp (era 0) -> Unix-epoch µs, exactly (integer)."""
    value = struct.unpack("!Q", raw)[0]
    return (value * 1_000_000 >> 32) - NTP_TO_UNIX_S * 1_000_000


def judge(sent: bytes, answer: bytes, t1_us: int, t4_us: int, limits: Limits = Limits()) -> Answer:
    """Check an answer to ``sent``; return it as an :class:`Answer` or raise :class:`BadAnswer`."""
    if len(answer) < PACKET_BYTES:
        raise BadAnswer("short", f"answer of {len(answer)} bytes; an NTP packet has {PACKET_BYTES}")
    pkt = ntplib.NTPPacket()
    pkt.from_data(answer)
    if pkt.mode != MODE_SERVER:
        raise BadAnswer("mode", f"not a server answer (mode {pkt.mode})")
    if answer[24:32] != sent[40:48]:
        raise BadAnswer("originate", "originate timestamp does not match the request "
                                     "(a stale, replayed or forged answer)")
    if pkt.stratum == 0:
        code = answer[12:16].decode("ascii", "replace").strip("\0")
        raise BadAnswer("stratum", f"stratum 0: kiss-o'-death {code!r}, the server refuses to serve")
    if pkt.stratum >= 16:
        raise BadAnswer("stratum", f"stratum {pkt.stratum}: the server's clock is not synchronized")
    if pkt.leap == LEAP_ALARM:
        raise BadAnswer("leap", "leap indicator 3 (alarm): the server's clock is not synchronized")
    root_delay = struct.unpack("!I", answer[4:8])[0] * 1_000_000 >> 16
    root_dispersion = struct.unpack("!I", answer[8:12])[0] * 1_000_000 >> 16
    if root_delay > limits.max_root_delay_us:
        raise BadAnswer("root_delay", f"root delay {root_delay / 1e3:.0f} ms is beyond "
                                      f"{limits.max_root_delay_us / 1e3:.0f} ms")
    if root_dispersion > limits.max_root_dispersion_us:
        raise BadAnswer("root_dispersion", f"root dispersion {root_dispersion / 1e3:.0f} ms is beyond "
                                           f"{limits.max_root_dispersion_us / 1e3:.0f} ms")
    if answer[32:40] == bytes(8) or answer[40:48] == bytes(8):
        raise BadAnswer("timestamps", "receive or transmit timestamp is zero")
    t2, t3 = ntp_to_unix_us(answer[32:40]), ntp_to_unix_us(answer[40:48])
    if t3 < t2:
        raise BadAnswer("timestamps", "the server says it answered before it received the request")
    delay = (t4_us - t1_us) - (t3 - t2)
    if delay < -1_000:  # the four stamps contradict each other beyond their precision
        raise BadAnswer("timestamps", f"negative round trip ({delay} µs): inconsistent timestamps")
    delay = max(0, delay)
    if delay > limits.max_delay_us:
        raise BadAnswer("delay", f"round trip {delay / 1e3:.0f} ms is beyond {limits.max_delay_us / 1e3:.0f} ms")
    offset = ((t2 - t1_us) + (t3 - t4_us)) // 2
    return Answer(offset_us=offset, delay_us=delay, stratum=pkt.stratum, leap=pkt.leap, root_delay_us=root_delay,
                  root_dispersion_us=root_dispersion)
