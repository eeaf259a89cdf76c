"""The limits list (conductor/limits.py) is what `serve --help` prints and what docs/protocol.md says."""

from pathlib import Path

from flashmob.conductor.limits import limits, limits_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_every_limit_is_in_the_protocol_doc():
    doc = DOC.read_text()
    section = doc[doc.index("## Limits and defaults"):doc.index("## Security headers")]
    for name, value in limits():
        assert f"| {name} | {value} |" in section, (name, value)


def test_serve_help_lists_the_limits():
    import argparse

    from flashmob.cli import serve

    parser = argparse.ArgumentParser(prog="flashmob")
    serve.add_parser(parser.add_subparsers(dest="command"))
    sub = parser._subparsers._group_actions[0].choices["serve"]  # noqa: SLF001
    text = sub.format_help()
    assert limits_text() in text
    for _, value in limits():
        assert value in text
