"""Repository conventions: notebooks stored clean, the toc complete, no network in tests."""

import json
import pathlib
import re
import socket

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} has stored outputs"
            assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_toc_lists_every_chapter_and_only_existing_files():
    toc = (ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file:\s*(\S+)", toc)
    for entry in listed:
        assert list(ROOT.glob(entry + ".*")), f"_toc.yml lists missing {entry}"
    for nb in NOTEBOOKS:
        assert f"chapters/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


def test_colab_install_url_matches_config():
    url = re.search(r"url:\s*(\S+)", (ROOT / "_config.yml").read_text()).group(1)
    for nb in NOTEBOOKS:
        text = nb.read_text()
        if "pip install" in text:
            assert f"git+{url}" in text, f"{nb.name} installs from another repository"


def test_tests_cannot_reach_the_network():
    with pytest.raises(OSError, match="may not use the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(OSError, match="may not use the network"):
        socket.socket().connect(("example.org", 443))


#: a measured quantity typed into prose: a number followed by a unit of quality, time or size
MEASURED = re.compile(r"(?<![\w.{`$])(\d+(?:[.,]\d+)?)\s*(dB|s\b|%|minutes?\b|min\b|seconds?\b|ms\b|×(?!\s*\d))")


def _prose(path):
    """The markdown cells' text, without code spans, maths and glue roles."""
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    text = re.sub(r"\{glue:?\w*\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\$[^$]*\$", " ", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_measured_number_is_typed_into_prose(path):
    """Every dB, second, minute, per cent or speed-up in a chapter's text comes from code
    (du.glue + {glue:text}), so it cannot drift from what the notebook computes."""
    found = [m.group(0) for m in MEASURED.finditer(_prose(path))]
    assert not found, f"{path.name} types measured numbers into its prose: {found}"


def test_the_prose_scan_finds_typed_numbers():
    sample = "reaches 30.44 dB in 60 minutes, 2.5× faster; 21 % less, {glue:text}`x:.2f` dB"
    assert [m.group(1) for m in MEASURED.finditer(sample)] == ["30.44", "60", "2.5", "21"]
