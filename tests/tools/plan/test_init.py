import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from flashmob.tools.plan import FORMATS, PlanFormatError, write_plan


def test_svg_by_extension(demo, tmp_path):
    out = write_plan(demo, "Demo", tmp_path / "plan.svg")
    assert out == tmp_path / "plan.svg"
    assert ET.parse(out).getroot().tag.endswith("svg")


def test_png_by_extension_in_any_case_and_new_directory(demo, tmp_path):
    out = write_plan(demo, "Demo", tmp_path / "build" / "plan.PNG")
    with Image.open(out) as im:
        assert im.format == "PNG"


@pytest.mark.parametrize("name", ["plan.pdf", "plan", "plan.svg.txt", "plan.jpg"])
def test_other_extensions_are_refused_before_writing(demo, tmp_path, name):
    with pytest.raises(PlanFormatError) as err:
        write_plan(demo, "Demo", tmp_path / name)
    assert ".svg or .png" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_formats():
    assert FORMATS == (".svg", ".png")
