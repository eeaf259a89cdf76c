"""Every limit and default of the conductor that concerns a hostile or broken client, in one list.

``flashmob serve --help`` prints :func:`limits_text`; ``docs/protocol.md``
("Limits and defaults") documents the same values and
``tests/conductor/test_limits.py`` checks that every value here appears there.
The values are the constants of the modules that enforce them (imported, not
copied), so this list cannot drift from the code.
"""

from __future__ import annotations

from . import alarms, bundlecheck, clock, connlimits, files, persist, seats, signupapi, signups
from . import messages as m
from .app import CONSOLE_AUTH_TIMEOUT_S, MIN_TOKEN_CHARS, OUTBOX_SIZE, WS_MAX_SIZE
from .loginthrottle import LoginThrottle
from .ntp_packet import Limits as NtpLimits
from .session import FRAME_BURST, FRAME_MAX_STRIKES, FRAME_RATE_PER_S
from .sync import SyncResponder


def limits() -> list[tuple[str, str]]:
    sync = SyncResponder().limiter
    cl = connlimits.Limits()
    return [
        ("websocket frame (larger: close 1009)", f"{WS_MAX_SIZE // 1024} KiB"),
        ("parsed text frame (larger: error too_large)", f"{m.MAX_FRAME_CHARS // 1024} KiB"),
        ("frames per connection", f"burst {FRAME_BURST}, then {FRAME_RATE_PER_S}/s; "
                                  f"{FRAME_MAX_STRIKES} unforgiven refusals (forgiven at "
                                  f"{FRAME_RATE_PER_S / 4:g}/s) close with 1008"),
        ("sync requests per connection", f"burst {sync.capacity}, then {sync.rate_per_s:g}/s; "
                                         f"{sync.max_strikes} unforgiven refusals (forgiven at "
                                         f"{sync.rate_per_s / 4:g}/s) close with 1008"),
        ("send queue per connection (overflow: close 1013)", f"{OUTBOX_SIZE} frames"),
        ("console authentication deadline (then close 4401)", f"{CONSOLE_AUTH_TIMEOUT_S:g} s"),
        ("sockets open at once (--max-connections; beyond: 503 / close 1013)",
         f"what the open-file limit allows, at most {connlimits.DEFAULT_MAX_CONNECTIONS:,}"),
        ("sockets of one address, IPv6 /64 (--max-per-address)", "--max-connections (carrier-grade NAT)"),
        ("stalled sockets of one address (--max-pending-per-address)",
         f"{connlimits.DEFAULT_MAX_PENDING_PER_ADDRESS:,} without a request head after {cl.stale_after_s:g} s; "
         "a newer socket evicts the oldest"),
        ("request head deadline, slowloris (--header-timeout)", f"{connlimits.DEFAULT_HEADER_TIMEOUT_S:g} s"),
        ("hello deadline on /ws (--hello-timeout; then close 1008)", f"{connlimits.DEFAULT_HELLO_TIMEOUT_S:g} s"),
        ("client that stops reading (send buffer full)", f"reset after {cl.write_stall_s:g} s"),
        ("failed console logins per address", f"{LoginThrottle.MAX_FAILURES} within "
                                              f"{LoginThrottle.WINDOW_US // 1_000_000} s, then refused for "
                                              f"{LoginThrottle.LOCKOUT_US // 1_000_000} s"),
        ("console token (FLASHMOB_TOKEN)", f"at least {MIN_TOKEN_CHARS} characters"),
        ("sign-up attempts per address, IPv6 /64 (--signup-burst, --signup-rate; beyond: 429)",
         f"burst {signups.SIGNUP_BURST}, then {signups.SIGNUP_RATE_PER_MIN:g} per minute"),
        ("sign-up request body (larger: 400)", f"{signupapi.MAX_BODY // 1024} KiB"),
        ("Range numbers (longer: 416)", f"{files.MAX_RANGE_DIGITS} digits"),
        ("manifest size", f"{bundlecheck.MAX_MANIFEST_BYTES // 2**20} MiB"),
        ("manifest nesting", f"{bundlecheck.MAX_DEPTH} levels"),
        ("manifest sample_rate", "{} to {} Hz".format(*bundlecheck.LIMITS["sample_rate"])),
        ("show duration", f"at most {bundlecheck.MAX_DURATION_MS // 3_600_000} hours"),
        ("groups", f"at most {bundlecheck.MAX_GROUPS}"),
        ("pending (unconfirmed) seats, --max-pending (beyond: the oldest is dropped)", f"{seats.MAX_PENDING:,}"),
        ("pending seat life after its last hello, --confirm-timeout", f"{seats.CONFIRM_TIMEOUT_S} s"),
        ("seat challenge range", f"at most {seats.CHALLENGE_BYTES // 1024} KiB"),
        ("wrong answers per pending seat (the last: close 1008)", f"{seats.MAX_FAILURES}"),
        ("NTP answer: root delay, root dispersion, round trip (beyond: discarded)",
         f"{NtpLimits.max_root_delay_us / 1e6:g} s, {NtpLimits.max_root_dispersion_us / 1e6:g} s, "
         f"{NtpLimits.max_delay_us / 1e6:g} s"),
        ("NTP correction (--ntp-max-offset; beyond: refused, alarm)", f"{clock.MAX_OFFSET_US / 1e6:g} s"),
        ("clock slew rate; step threshold (lobby, never backwards once anyone synced)",
         f"{clock.SLEW_PPM} ppm; {clock.STEP_THRESHOLD_US // 1000} ms"),
        ("failed state-file writes retried every", f"{persist.STORE_RETRY_US / 1e6:g} s"),
        ("console alarms kept; resolved ones shown for", f"{alarms.MAX_ALARMS}; "
                                                         f"{alarms.RESOLVED_KEPT_US // 60_000_000} min"),
    ]


def limits_text() -> str:
    rows = limits()
    width = max(len(k) for k, _ in rows)
    return "limits (docs/protocol.md, \"Limits and defaults\"):\n" + "\n".join(
        f"  {k:<{width}}  {v}" for k, v in rows)
