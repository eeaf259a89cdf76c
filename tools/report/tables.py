"""The report's data as CSV: the same numbers as its pictures, one file per table.

* ``participants.csv`` — one row per participant (numbered 1..N; no id, no
  personal data), each column named with its source: ``seen_`` (what the
  conductor saw) or ``said_`` (self-reported by the phone);
* ``attendance.csv`` — connected participants per group from each change on
  (seconds from the start; seen), and those of them playing (said: their
  last status gave a position);
* ``dropouts.csv`` — each dropout: participant number, group, when it left and
  came back (empty: it did not, before the end);
* ``summary.csv`` — the headline counts, with their source.

Times are seconds from the start (negative: before it); durations in ms.
"""

from __future__ import annotations

import csv
import io

from .facts import Facts

SEEN, SAID = "conductor saw", "self-reported"


def _s(facts: Facts, t_us: int | None) -> str:
    return "" if t_us is None else f"{facts.run.rel_s(t_us):.3f}"


def _ms(us: int | None) -> str:
    return "" if us is None else f"{us / 1000:.3f}"


def _yes(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")


def _csv(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


PARTICIPANT_COLUMNS = (
    "participant", "group", "seen_first_join_s", "seen_seat_confirmed_s", "seen_connected_at_arm",
    "seen_seat_at_arm", "seen_connected_at_start", "seen_dropouts", "seen_rejoins", "seen_nodes",
    "said_verified_at_arm", "said_sound_on_at_arm", "said_playing_at_start", "said_first_position_s",
    "said_statuses_kept", "said_sync_bound_median_ms", "said_sync_bound_max_ms", "said_drift_median_ms",
    "said_drift_max_abs_ms", "said_drift_reports", "said_engine", "said_output_latency_median_ms", "said_trouble")


def participants(facts: Facts, names: list[str]) -> str:
    rows: list[list] = [list(PARTICIPANT_COLUMNS)]
    for p in facts.phones:
        rows.append([p.number, names[p.group] if p.group < len(names) else "?", _s(facts, p.first_join_us),
                     _s(facts, p.seat_us), _yes(p.connected_at_arm), _yes(p.confirmed_at_arm),
                     _yes(p.connected_at_start), p.dropouts, p.rejoins, p.nodes, _yes(p.verified_at_arm),
                     _yes(p.sound_at_arm), _yes(p.playing_at_start), _s(facts, p.first_position_us), p.statuses,
                     _ms(p.sync_median_us), _ms(p.sync_max_us), _ms(p.drift_median_us), _ms(p.drift_max_abs_us),
                     p.drift_samples, p.engine or "", _ms(p.latency_median_us), p.trouble or ""])
    return _csv(rows)


def attendance(facts: Facts, names: list[str]) -> str:
    rows: list[list] = [["t_s", *(f"seen_connected_{n}" for n in names), "seen_connected_all",
                         *(f"said_playing_{n}" for n in names), "said_playing_all"]]
    for t, counts, playing in zip(facts.attendance_t_us, facts.attendance, facts.playing):
        rows.append([_s(facts, int(t)), *map(int, counts), int(counts.sum()), *map(int, playing), int(playing.sum())])
    return _csv(rows)


def dropouts(facts: Facts, names: list[str]) -> str:
    rows: list[list] = [["participant", "group", "left_s", "back_s"]]
    for d in facts.dropouts:
        rows.append([d.number, names[d.group] if d.group < len(names) else "?", _s(facts, d.left_us),
                     _s(facts, d.back_us)])
    return _csv(rows)


def summary_rows(facts: Facts) -> list[tuple[str, object, str]]:
    """(what, value, source) — the headline numbers (the page's table and summary.csv)."""
    ph = facts.phones
    run = facts.run
    drifts = [p.drift_max_abs_us for p in ph if p.drift_max_abs_us is not None]
    return [
        ("outcome", run.outcome, SEEN),
        ("show length (s)", f"{(run.end_at_us - run.start_at_us) / 1e6:.1f}", SEEN),
        ("participants (connected between arm and end)", len(ph), SEEN),
        ("connected at arm", sum(p.connected_at_arm for p in ph), SEEN),
        ("files proved (seat confirmed) at arm", sum(p.confirmed_at_arm for p in ph), SEEN),
        ("connected at start", sum(p.connected_at_start for p in ph), SEEN),
        ("joined after the start", sum(p.first_join_us > run.start_at_us for p in ph), SEEN),
        ("dropouts during the show", len(facts.dropouts), SEEN),
        ("rejoins during the show", sum(d.back_us is not None for d in facts.dropouts), SEEN),
        ("participants who dropped out at least once", sum(p.dropouts > 0 for p in ph), SEEN),
        ("files verified at arm", sum(bool(p.verified_at_arm) and p.connected_at_arm for p in ph), SAID),
        ("sound on at arm", sum(p.sound_at_arm and p.connected_at_arm for p in ph), SAID),
        ("playing at the start (position within 10 s)", sum(p.playing_at_start for p in ph), SAID),
        ("never played", sum(p.first_position_us is None for p in ph), SAID),
        ("largest drift (ms)", _ms(max(drifts)) if drifts else "", SAID),
        ("records the conductor could not keep", facts.dropped_records, SEEN),
        ("logs merged (nodes)", facts.nodes, SEEN),
        ("rehearsal runs left out", run.rehearsals_left_out, SEEN),
    ]


def summary(facts: Facts) -> str:
    return _csv([["what", "value", "source"], *[list(r) for r in summary_rows(facts)]])


def all_tables(facts: Facts, names: list[str]) -> dict[str, str]:
    """File name -> CSV text."""
    return {"participants.csv": participants(facts, names), "attendance.csv": attendance(facts, names),
            "dropouts.csv": dropouts(facts, names), "summary.csv": summary(facts)}
