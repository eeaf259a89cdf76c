import os

import numpy as np
import pytest
import soundfile as sf

SR = 44100
CLICKS_SCORE = """flashmob: 1
title: Clicks — Apéro
organizer: {name: Test Crew, contact: test@example.org}
language: en
groups:
  a: {name: Alphas, colour: "#d32f2f"}
  b: {name: Betas, colour: "#1976d2"}
assets:
  click: click.wav
cues:
  - at: 0.5
    sound: click
    show: first click
  - at: 1.234567
    sound: click
    groups: a
    show: odd time
  - at: 2.000023
    sound: click
    groups: b
  - at: 29.99
    sound: click
  - at: 30.0
    sound: click
    groups: a
  - at: 45.5
    sound: click
    vibrate: [100, 50, 100]
  - at: 50
    end: true
"""
# expected click samples per group: round(t * 44100)
EXPECTED = {"a": [22050, 54444, 1322559, 1323000, 2006550], "b": [22050, 88201, 1322559, 2006550]}


def click() -> np.ndarray:
    c = np.zeros(441, np.float32)
    c[:3] = [0.9, -0.6, 0.3]
    return c


@pytest.fixture(scope="session")
def clicks_score(tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("clicks")
    sf.write(d / "click.wav", click(), SR, subtype="FLOAT")
    (d / "clicks.yaml").write_text(CLICKS_SCORE, encoding="utf-8")
    return str(d / "clicks.yaml")


@pytest.fixture(scope="session")
def clicks_bundle(clicks_score, tmp_path_factory) -> str:
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    out = str(tmp_path_factory.mktemp("bundle") / "clicks")
    render_bundle(clicks_score, out, RenderOptions(workers=1))
    return out
