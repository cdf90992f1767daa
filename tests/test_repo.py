"""Repository conventions: notebooks stored clean, the toc complete, no network in tests."""

import importlib.util
import json
import os
import pathlib
import re
import socket
import subprocess
import sys

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


#: the same in words: "five minutes", "half a decibel", "several times faster", "an hour"
_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
          r"fifty|sixty|ninety|a hundred|hundreds of|a thousand|thousands of|a few(?: hundred| thousand| dozen)?|"
          r"a couple of|several|a dozen|dozens of|half(?: an?)?|a quarter of an?|a tenth of an?|a fraction of an?")
_UNITS = (r"minutes?|seconds?|hours?|days?|decibels?|dB|per ?cent|steps|batches|epochs|"
          r"times (?:faster|slower|as|more|less|fewer|larger|smaller|longer|shorter|better|worse)")
SPELLED = re.compile(rf"\b(?:(?:{_WORDS})[\s-]+(?:{_UNITS})|(?:half )?an hour|(?:tenths|hundredths) of a "
                     r"(?:decibel|dB))\b|(?<![\w.{`$])\d+(?:[.,]\d+)?\s*times\b", re.I)


def _strip(text):
    """Text without code spans and maths; a glue role becomes the word GLUED."""
    text = re.sub(r"\{glue:?\w*\}`[^`]*`", " GLUED ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\$[^$]*\$", " ", text)


def _prose(path):
    """The markdown cells' text, without code spans, maths and glue roles."""
    nb = json.loads(path.read_text())
    return _strip("\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_measured_number_is_typed_into_prose(path):
    """Every dB, second, minute, per cent or speed-up in a chapter's text comes from code
    (du.glue + {glue:text}), so it cannot drift from what the notebook computes."""
    found = [m.group(0) for m in MEASURED.finditer(_prose(path))]
    assert not found, f"{path.name} types measured numbers into its prose: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "README.md", ROOT / "chapters" / "05_challenges.md"]
                         + sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.name)
def test_no_quantity_is_spelled_out_in_prose(path):
    """"Five minutes", "half a decibel", "several times faster": quantities in words are claims
    too; the text glues them from code or says less (issue 27)."""
    text = _prose(path) if path.suffix == ".ipynb" else _strip(path.read_text())
    found = [m.group(0) for m in SPELLED.finditer(text)]
    assert not found, f"{path.name} spells out quantities: {found}"


def test_the_prose_scan_finds_spelled_quantities():
    sample = ("in five minutes, half a decibel, several times faster, 8 times slower, an hour, a few hundred "
              "steps, a few hundredths of a decibel; not: five layers, {glue:text}`x` times faster, one GLUED dB")
    assert [m.group(0) for m in SPELLED.finditer(_strip(sample))] == [
        "five minutes", "half a decibel", "several times faster", "8 times", "an hour", "a few hundred steps",
        "hundredths of a decibel"]


def test_the_prose_scan_finds_typed_numbers():
    sample = "reaches 30.44 dB in 60 minutes, 2.5× faster; 21 % less, {glue:text}`x:.2f` dB"
    assert [m.group(1) for m in MEASURED.finditer(sample)] == ["30.44", "60", "2.5", "21"]


#: the source article's section titles as printed (../shared/seed/seed.md)
ARTICLE_SECTIONS = ("1.背景介绍", "2.核心概念与联系", "3.核心算法原理和具体操作步骤以及数学模型公式详细讲解",
                    "3.1 卷积神经网络（CNN）", "3.2 递归神经网络（RNN）",
                    "3.3 生成对抗网络（GAN）", "3.4 自编码器（Autoencoder）", "4.1 使用CNN进行图像去噪",
                    "4.2 使用RNN进行图像去噪", "4.3 使用GAN进行图像去噪", "4.4 使用Autoencoder进行图像去噪",
                    "4.具体代码实例和详细解释说明", "5.未来发展趋势与挑战", "6.附录常见问题与解答")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_names_the_article_section_it_mirrors(path):
    first = "".join(json.loads(path.read_text())["cells"][0]["source"])
    assert any(f"「{title}」" in first for title in ARTICLE_SECTIONS), f"{path.name}: no section of the article"


def test_every_article_section_has_its_chapter():
    text = "".join(p.read_text() for p in NOTEBOOKS) + (ROOT / "chapters" / "05_challenges.md").read_text()
    assert all(f"「{title}」" in text for title in ARTICLE_SECTIONS)


def test_glossary_and_notation_are_in_the_book():
    listed = (ROOT / "_toc.yml").read_text()
    assert "book/glossary" in listed and "book/notation" in listed
    rows = [line for line in (ROOT / "book" / "glossary.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| English")]
    chinese = [r for r in rows if re.search(r"[\u4e00-\u9fff]", r.split("|")[2])]
    assert len(chinese) >= 30, f"{len(chinese)} terms with their Chinese"
    for term in ("去噪", "峰值信噪比", "卷积层", "池化层", "残差学习", "判别器", "自编码器", "噪声水平"):
        assert term in (ROOT / "book" / "glossary.md").read_text(), term
    for row in rows:
        for link in re.findall(r"\]\(\.\./(chapters/[^)]+)\)", row):
            assert (ROOT / link).is_file(), link


def test_the_publishing_workflow_builds_with_the_readme_command():
    """.github/workflows/book.yml publishes what `make book` builds, not a command of its own."""
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert "run: make book" in workflow and "path: _build/html" in workflow
    assert "actions/deploy-pages" in workflow and "branches: [main]" in workflow


def test_ci_runs_the_tests_the_no_data_run_and_the_book():
    """.ci/run: the README's test command, every chapter without data, the book with -W (issue 28)."""
    ci = (ROOT / ".ci" / "run").read_text()
    steps = [ci.index(s) for s in ("DENOISE_EXECUTED=_build/executed make test", "make test-nodata",
                                   "scripts/book_from_run.py _build/executed",
                                   "scripts/zh_book.py _build/executed _build/from-run/_build/html")]
    assert steps == sorted(steps) and "DENOISE_STRICT=1" in ci
    make = (ROOT / "Makefile").read_text()
    nodata = make.split("test-nodata: setup\n")[1].splitlines()[0]
    assert "-u DENOISE_DATA_DIR" in nodata and "XDG_CACHE_HOME" in nodata
    # ... and without bm3d: its stand-in package refuses to import (the reader without the extra)
    assert 'PYTHONPATH="$(CURDIR)/tests/without_bm3d"' in nodata
    shim = ROOT / "tests" / "without_bm3d" / "bm3d" / "__init__.py"
    spec = importlib.util.spec_from_file_location("bm3d", shim)
    with pytest.raises(ImportError, match="hidden"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert "pytest $(XDIST) $$($(BIN)/python scripts/data_chapters.py)" in nodata
    # both passes run files side by side, each notebook whole in one kernel (pytest-xdist), in
    # conftest.py's order (slowest first), which xdist's default reorder by test count would undo
    assert "$(BIN)/python -m pytest $(XDIST)\n" in make
    assert "XDIST := -n auto --dist loadfile --no-loadscope-reorder" in make
    assert "jupyter-book build . -W" in make                          # make book, as the README says
    assert "scripts/zh_book.py _build/jupyter_execute" in make        # and its Chinese edition
    script = (ROOT / "scripts" / "book_from_run.py").read_text()
    assert '"build", out, "-W"' in script


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_opens_with_objectives_and_ends_with_takeaways(path):
    """A course's frame (issue 27): learning objectives in the first cell, key takeaways before
    the exercises."""
    cells = json.loads(path.read_text())["cells"]
    first = "".join(cells[0]["source"])
    assert "**Learning objectives.** After this chapter you can" in first, path.name
    assert len(re.findall(r"^\* ", first.split("**Learning objectives.**")[1], re.M)) >= 3, path.name
    heads = [line for c in cells if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines()
             if line.startswith("## ")]
    assert "## Key takeaways" in heads and "## Exercises" in heads, path.name
    assert heads.index("## Key takeaways") < heads.index("## Exercises"), path.name


def _visible_code_lines():
    """(bookkeeping, all) code lines a reader sees: cells not folded (hide-input) and not an
    exercise's solution; bookkeeping is a glue, check or assert statement, continuation included."""
    seen = kept = 0
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            tags = cell["metadata"].get("tags", [])
            src = "".join(cell["source"])
            if cell["cell_type"] != "code" or {"hide-input", "remove-input"} & set(tags) or "### BEGIN SOLUTION" in src:
                continue
            inside = False
            for line in src.splitlines():
                if not line.strip() or line.strip().startswith("#"):
                    continue
                if re.match(r"\s*(du\.glue|du\.check|assert\b|[A-Z_]+ = du\.glue)", line):
                    inside = True
                elif not line.startswith((" ", "\t")):
                    inside = False
                seen += 1
                kept += inside
    return kept, seen


def test_at_most_five_per_cent_of_the_code_a_reader_sees_is_bookkeeping():
    """Glue, checks and asserts run in folded cells, so a page shows the code that teaches (issue 27)."""
    kept, seen = _visible_code_lines()
    assert kept <= 0.05 * seen, f"{kept} of {seen} visible code lines are bookkeeping"


def test_the_chapters_code_is_formatted_to_the_page_width():
    """ruff formats the notebooks' code at the width the book's page shows (pyproject.toml),
    so code does not run past the page's edge (issue 27); long strings wrap (_static/fit.css)."""
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff") or os.path.join(os.path.dirname(sys.executable), "ruff")
    if not os.path.exists(ruff):
        pytest.fail("ruff is not installed: pip install -r requirements.txt")
    run = subprocess.run([ruff, "format", "--check", "chapters"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, "run `ruff format chapters`:\n" + run.stdout[-2000:]
    assert "line-length = 88" in (ROOT / "pyproject.toml").read_text()
    css = (ROOT / "_static" / "fit.css").read_text()
    assert "overflow-x: auto" in css and "pre-wrap" in css


def test_the_api_reference_lists_every_function_the_chapters_call():
    """book/api.md is written by scripts/api_page.py from the chapters' calls; rerun it when a
    chapter calls a new function."""
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "api_page.py"), "--check"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-500:]


def test_the_readme_is_a_front_door():
    """The README says what the book is, the chapters, the two commands, one example each of
    the CLI and Python, data, and where the rest is; the manual is in the book (issue 36)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) < 6000
    for page in ("user_guide", "model_zoo", "api", "maintainers"):
        assert f"(book/{page}.md)" in text and (ROOT / "book" / f"{page}.md").is_file(), page
    assert "make book" in text and "make test" in text and "denoise-utils denoise" in text and "du.denoise(" in text


def test_the_slowest_files_start_first_and_a_slow_unit_test_file_among_the_notebooks():
    """conftest.py's order for make test: notebooks slowest first by book/timings.json, the
    unit-test files of SLOW_TEST_FILES among them, the other unit tests last (issue 36)."""
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    item = lambda path: type("Item", (), {"fspath": ROOT / path})()
    names = ["tests/test_data.py", "chapters/03_2_rnn_maths.ipynb", "tests/test_leaderboard.py",
             "chapters/04_4_autoencoder_denoisers.ipynb", "chapters/new_chapter.ipynb"]
    items = [item(n) for n in names]
    conftest.pytest_collection_modifyitems(type("Config", (), {"rootpath": ROOT})(), items)
    order = [pathlib.Path(str(i.fspath)).name for i in items]
    assert order == ["test_leaderboard.py", "04_4_autoencoder_denoisers.ipynb", "03_2_rnn_maths.ipynb",
                     "new_chapter.ipynb", "test_data.py"]


def test_the_no_data_pass_skips_only_chapters_that_never_load_data():
    """make test-nodata runs the chapters that touch the data; the others run the same with or
    without it and make test has run them (issue 36: nothing run twice that cannot differ)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from data_chapters import DATA, data_chapters
    finally:
        sys.path.pop(0)
    listed = {pathlib.Path(p).name for p in data_chapters()}
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        assert (path.name in listed) == bool(DATA.search(code)), path.name
    assert len(listed) >= len(NOTEBOOKS) - 3


def test_a_chapter_links_a_function_to_its_reference_where_it_first_names_it():
    import importlib.util

    spec = importlib.util.spec_from_file_location("api_page", os.path.join(ROOT, "scripts", "api_page.py"))
    api_page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(api_page)
    listed = {"denoise_utils.plug_and_play.deblur"}
    text = ("## `pnp.deblur` in a heading stays\n\n```python\nx = `pnp.deblur`\n```\n"
            "First `pnp.deblur(b, k, 2)`, then `pnp.deblur` again; `pnp.wiener` is not listed.\n")
    out = api_page._link_cell(text, {"pnp": "denoise_utils.plug_and_play"}, listed, set())
    assert out.count("{py:func}") == 1
    assert "{py:func}`pnp.deblur(b, k, 2) <denoise_utils.plug_and_play.deblur>`, then `pnp.deblur` again" in out
    assert out.startswith("## `pnp.deblur` in a heading stays") and "x = `pnp.deblur`" in out
    assert "`pnp.wiener` is not listed" in out
