"""flashmob.conductor.commands: console commands as show events, refusals with their wire code."""

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor import show as showmod
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.commands import MAX_LEAD_US, CommandError, check_group, show_event


def test_arm_is_an_absolute_start():
    assert show_event(m.Arm(in_ms=6000), 1_000) == showmod.Arm(start_at_us=6_001_000)
    assert show_event(m.Arm(start_at_us=42), 1_000) == showmod.Arm(start_at_us=42)
    assert show_event(m.Abort(reason="storm"), 0) == showmod.Abort(reason="storm")


@pytest.mark.parametrize("msg, text", [(m.Arm(), "exactly one"), (m.Arm(in_ms=1, start_at_us=2), "exactly one"),
                                       (m.Arm(start_at_us=MAX_LEAD_US + 2), "more than a year")])
def test_refusals_say_why(msg, text):
    with pytest.raises(CommandError, match=text) as err:
        show_event(msg, 1)
    assert err.value.code == m.INVALID_COMMAND


def test_announcement_groups(bundle_dir):
    bundle = load_bundle(bundle_dir)
    check_group(bundle, None)
    check_group(bundle, "red")
    with pytest.raises(CommandError, match="no group 'green' \\(groups: red, blue\\)"):
        check_group(bundle, "green")
