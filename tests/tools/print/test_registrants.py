"""The registrants CSV: formats organizers export, and errors that name the line."""

import pytest

from flashmob.conductor.bundle import GroupInfo
from flashmob.tools.print.errors import PrintError
from flashmob.tools.print.registrants import Registrant, fill_groups, parse_registrants, read_registrants

GROUPS = (GroupInfo("red", "Reds", "#d32f2f", 1), GroupInfo("blue", "Blues", "#1976d2", 1))


def test_positional_rows():
    regs = parse_registrants("Ann,@ann,red\nBob,,\nCléa,@clea\n", GROUPS)
    assert regs == [Registrant(1, "Ann", "@ann", "red"), Registrant(2, "Bob", None, None),
                    Registrant(3, "Cléa", "@clea", None)]


def test_french_spreadsheet_with_header_semicolons_and_extra_columns():
    text = "Nom;Courriel;Pseudo;Groupe\nJosé Écrivain;j@x.fr;@jose;Reds\n\nΑλέξης;a@x.gr;@alexis;BLUE\n"
    regs = parse_registrants(text, GROUPS)
    assert regs == [Registrant(2, "José Écrivain", "@jose", "red"), Registrant(4, "Αλέξης", "@alexis", "blue")]


def test_bom_tabs_and_windows_1252(tmp_path):
    p = tmp_path / "inscrits.csv"
    p.write_bytes("\ufeffname\thandle\nAnaïs\t@anais\n".encode("utf-8"))
    assert read_registrants(p, GROUPS) == [Registrant(2, "Anaïs", "@anais", None)]
    p.write_bytes("name;handle\nHélène;@helene\n".encode("cp1252"))
    assert read_registrants(p, GROUPS)[0].name == "Hélène"


def test_line_numbers_count_physical_lines():
    text = 'name,handle,group\nAnn,"@ann\nsecond line",red\nBob,@bob,green\n'
    with pytest.raises(PrintError) as exc:
        parse_registrants(text, GROUPS, source="people.csv")
    assert str(exc.value).startswith("people.csv:4: unknown group 'green' (groups: red (Reds), blue (Blues))")


def test_every_bad_row_is_reported():
    text = "Ann,@ann,vert\n,@x,\nC,D,red,extra\nD," + "h" * 65 + ",\nE,@e,red\n"
    with pytest.raises(PrintError) as exc:
        parse_registrants(text, GROUPS)
    lines = str(exc.value).splitlines()
    assert lines == [
        "registrants.csv:1: unknown group 'vert' (groups: red (Reds), blue (Blues))",
        "registrants.csv:2: the name is empty",
        "registrants.csv:3: 4 columns; expected name, handle, group (or a header row naming the columns)",
        "registrants.csv:4: the handle is longer than 64 characters",
    ]


def test_empty_and_unreadable_files(tmp_path):
    with pytest.raises(PrintError, match="no registrants"):
        parse_registrants("name,handle\n\n", GROUPS)
    with pytest.raises(PrintError, match="cannot read"):
        read_registrants(tmp_path / "missing.csv", GROUPS)


def test_fill_groups_balances_by_share_counting_chosen_groups():
    groups = (GroupInfo("a", "A", "#000000", 2), GroupInfo("b", "B", "#ffffff", 1), GroupInfo("z", "Z", "#888888", 0))
    regs = [Registrant(i, f"p{i}", None, "b" if i == 1 else None) for i in range(1, 8)]
    filled = fill_groups(regs, groups)
    assert [r.group for r in filled] == ["b", "a", "a", "a", "a", "b", "a"]  # ties go to the first group
    assert sum(r.group == "a" for r in filled) == 5 and not any(r.group == "z" for r in filled)
    assert fill_groups(filled, groups) == filled


PID = "AbCdEfGhIj" + "Kl" + "MnOpQrStUvWxYz01"  # 28 characters, the shape of a conductor-signed id


def test_the_consoles_signup_export_with_participant_ids():
    from flashmob.contract.signups import CSV_COLUMNS

    text = ",".join(CSV_COLUMNS) + f"\r\nAna,,red,{PID}\r\nBo,,,{PID[::-1]}\r\nParticipant,,,\r\n"
    regs = parse_registrants(text, GROUPS)
    assert regs == [Registrant(2, "Ana", None, "red", PID), Registrant(3, "Bo", None, None, PID[::-1]),
                    Registrant(4, "Participant", None, None)]
    # a surprise: no group on the badge, the id carries it; fill_groups gives none
    assert [r.group for r in fill_groups(regs, GROUPS)] == ["red", None, "blue"]
    with pytest.raises(PrintError) as exc:
        parse_registrants("name,participant_id\nAna,not-an-id\n", GROUPS, source="signups.csv")
    assert str(exc.value).startswith("signups.csv:2: the participant 'not-an-id' is not a participant id")
    # a header naming the person "participant" still means their name
    assert parse_registrants("participant,group\nAna,red\n", GROUPS) == [Registrant(2, "Ana", None, "red")]


def test_the_formula_guard_of_an_export_is_dropped():
    regs = parse_registrants("name,handle\n'=Ana,'@ana\n'Quoted,x\n", GROUPS)
    assert [(r.name, r.handle) for r in regs] == [("=Ana", "@ana"), ("'Quoted", "x")]
    french = parse_registrants("nom;pseudo\nJeanne d'Arc;@jeanne\nL'Hôte d'Été;'@lhote\n", GROUPS)
    assert [(r.name, r.handle) for r in french] == [("Jeanne d'Arc", "@jeanne"), ("L'Hôte d'Été", "@lhote")]
