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
