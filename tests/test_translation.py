"""The Chinese edition (issue 40): catalogues in step with the English cells, translations that
keep what their cells must keep, and notebooks assembled with the English code and outputs."""

import json
import pathlib
import re

import pytest
import yaml

from denoise_utils import translation as tr

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _nb(*cells):
    return {"cells": [dict(c) for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


MD = {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Title\n", "Gains {glue:text}`gain:.2f` dB."]}
CODE = {"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": 1, "source": ["x = 1"],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}]}


def test_a_catalogue_reads_back_what_was_written(tmp_path):
    tricky = 'a "quoted" \\ backslash,\ttab\nand lines\n\n中文，「引号」\n'
    entries = [tr.Entry("a1", tricky, "中文\n"), tr.Entry("b2", "one line", ""),
               tr.Entry("c3", "new English", "旧译文", fuzzy=True, previous="old English\nline")]
    tr.write_po(entries, tmp_path / "x.po", title="test")
    assert tr.read_po(tmp_path / "x.po") == entries
    assert tr.read_po(tmp_path / "missing.po") == []


def test_update_marks_a_changed_cell_fuzzy_adds_new_cells_and_drops_gone_ones(tmp_path):
    po = tmp_path / "ch.po"
    nb = _nb(MD, CODE, {**MD, "id": "m2", "source": ["Second."]})
    assert sorted(tr.update(po, nb)) == ["m1: new", "m2: new"]
    entries = tr.read_po(po)
    entries[0].chinese = "# 标题\n增益 {glue:text}`gain:.2f` dB。"
    tr.write_po(entries, po)
    assert tr.update(po, nb) == []                                   # up to date: no change
    changed = _nb({**MD, "source": ["# Title\n", "Loses {glue:text}`gain:.2f` dB."]}, CODE)
    assert sorted(tr.update(po, changed)) == ["m1: English changed", "m2: cell gone"]
    (e,) = tr.read_po(po)
    assert e.fuzzy and not e.usable and e.previous == "".join(MD["source"]) and e.chinese.startswith("# 标题")


def test_translate_swaps_usable_chinese_and_keeps_code_and_outputs():
    nb = _nb(MD, CODE)
    zh = tr.translate(nb, [tr.Entry("m1", "".join(MD["source"]), "# 标题\n增益 {glue:text}`gain:.2f` dB。")])
    assert "".join(zh["cells"][0]["source"]).startswith("# 标题") and zh["cells"][1] == nb["cells"][1]
    stale = tr.translate(nb, [tr.Entry("m1", "older English", "# 旧")])      # its English changed since
    fuzzy = tr.translate(nb, [tr.Entry("m1", "".join(MD["source"]), "# 旧", fuzzy=True)])
    assert stale["cells"][0] == fuzzy["cells"][0] == nb["cells"][0]


def test_mismatches_names_what_a_translation_lost():
    english = "## Results\nGains {glue:text}`gain:.2f` dB {cite}`zhang2017`, exercise 4.1.2, [4.4](04_4.ipynb)."
    assert tr.mismatches(english, "## 结果\n增益 {glue:text}`gain:.2f` dB {cite}`zhang2017`，练习 4.1.2，[4.4](04_4.ipynb)。") == []
    lost = tr.mismatches(english, "### 结果\n增益很大 {cite}`zhang2017`，练习 4.1.3。")
    assert [p.split(":")[0] for p in lost] == ["glue names", "link targets", "exercise numbers", "heading levels"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_catalogue_is_in_step_with_its_chapter(path):
    """A changed English cell has its entry marked fuzzy (``python -m denoise_utils.translation
    update``), so a stale translation is never shown as current."""
    po = pathlib.Path(tr.catalogue_path(path.name, str(ROOT)))
    assert po.is_file(), f"{po.relative_to(ROOT)} is missing: run python -m denoise_utils.translation update"
    changes = tr.update(po, json.loads(path.read_text(encoding="utf-8")), write=False)
    assert not changes, f"{po.name} is out of step ({changes[:5]}): run python -m denoise_utils.translation update"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_a_chapter_is_translated_whole_and_keeps_what_each_cell_must(path):
    """A chapter is translated all at once or not yet (then shown in English): no empty or fuzzy
    cell in a translated chapter, and every translated cell keeps its English cell's glued
    numbers, citations, API links, link targets, numbers, equations and heading levels."""
    entries = tr.read_po(tr.catalogue_path(path.name, str(ROOT)))
    if not any(e.chinese for e in entries):
        pytest.skip(f"{path.stem}: not translated yet")
    missing = [e.id for e in entries if not e.usable]
    assert not missing, f"{path.stem}: cells without a current translation: {missing}"
    problems = [f"{e.id}: {p}" for e in entries for p in tr.mismatches(e.english, e.chinese)]
    assert not problems, "\n".join(problems)
    chinese = "".join(e.chinese for e in entries)
    assert len(re.findall(r"[\u4e00-\u9fff]", chinese)) > 0.15 * len(chinese), "too little Chinese"


def _pages(toc):
    def walk(items):
        for item in items:
            yield item["file"]
            yield from walk(item.get("sections", []))
    return [toc["root"]] + [f for part in toc["parts"] for f in walk(part["chapters"])]


def test_the_chinese_edition_has_every_page_of_the_english():
    english = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    chinese = yaml.safe_load((ROOT / "zh" / "_toc.yml").read_text(encoding="utf-8"))
    assert _pages(chinese) == _pages(english)
    assert all(re.search(r"[\u4e00-\u9fff]", part["caption"]) for part in chinese["parts"])


def _glossary_pairs():
    """(English term, its Chinese, the chapters that teach it) from book/glossary.md: where the
    English and the Chinese list as many alternatives, each pair; else the first of each."""
    for line in (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| English"):
            continue
        english, chinese, _, taught = (c.strip() for c in line.split("|")[1:-1])
        chapters = re.findall(r"\]\(\.\./chapters/([^)]+\.ipynb)\)", taught)
        en = [re.sub(r"\(.*?\)", "", a).strip().lower() for a in re.split(r"[,;] ", english)]
        zh = [re.split(r"[（(]", a)[0].strip() for a in re.split(r"[，；]", chinese)]
        pairs = zip(en, zh) if len(en) == len(zh) else [(re.sub(r"\(.*?\)", "", english).strip().lower(), zh[0])]
        for e, z in pairs:
            if e and re.search(r"[\u4e00-\u9fff]", z):
                yield e, z, chapters


def test_a_translated_chapter_uses_the_glossary_for_the_terms_it_teaches():
    """Where a chapter the glossary names as teaching a term uses the English term, its Chinese
    uses the glossary's Chinese for it."""
    missing = []
    for english, chinese, chapters in _glossary_pairs():
        for name in chapters:
            entries = tr.read_po(tr.catalogue_path(name, str(ROOT)))
            if not entries or not all(e.usable for e in entries):
                continue
            if re.search(r"\b" + re.escape(english), " ".join(e.english for e in entries).lower()) \
                    and chinese not in "".join(e.chinese for e in entries):
                missing.append(f"{name}: {english} -> {chinese}")
    assert not missing, "\n".join(missing)


def test_the_checks_speak_chinese_in_a_chinese_copy(monkeypatch):
    """One message catalogue (labs/zh.po), not a second copy of the checks: the check's own
    words in Chinese, a title or hint whose English changed falls back to English."""
    from denoise_utils import labs
    from denoise_utils.labs import registry

    wrong = labs.EXERCISES["1.1"].mistake
    with pytest.raises(AssertionError, match=r"(?s)^练习 1\.1（PSNR）：.*\n提示：PSNR"):
        labs.check("1.1", wrong, lang="zh")
    monkeypatch.setenv("DENOISE_LANG", "zh")
    with pytest.raises(AssertionError, match="尚未完成"):
        labs.check("1.1", lambda *a: (_ for _ in ()).throw(NotImplementedError()))
    monkeypatch.setattr(registry, "read_po", lambda path: [
        tr.Entry("1.1 title", labs.EXERCISES["1.1"].title, "峰值信噪比"),
        tr.Entry("1.1 hint", "an older English hint", "旧的提示")])
    with pytest.raises(AssertionError, match=r"(?s)^练习 1\.1（峰值信噪比）：.*提示：" + re.escape(labs.EXERCISES["1.1"].hint)):
        labs.check("1.1", wrong)
    monkeypatch.setenv("DENOISE_LANG", "en")
    with pytest.raises(AssertionError, match=r"^Exercise 1\.1 \(PSNR\)"):
        labs.check("1.1", wrong)


def test_the_chinese_student_copies_hold_the_same_exercises():
    from denoise_utils import labs

    for path in sorted((ROOT / "labs" / "zh").glob("*.ipynb")):
        zh = json.loads(path.read_text(encoding="utf-8"))
        en = json.loads((ROOT / "labs" / path.name).read_text(encoding="utf-8"))
        assert [n for n, _, _ in labs.exercises(zh)] == [n for n, _, _ in labs.exercises(en)], path.name
        first = next(c for c in zh["cells"] if c["cell_type"] == "code")
        assert 'os.environ["DENOISE_LANG"] = "zh"' in "".join(first["source"]), path.name
        assert re.search(r"[\u4e00-\u9fff]", "".join("".join(c["source"]) for c in zh["cells"]
                                                      if c["cell_type"] == "markdown"))


def test_every_chinese_page_translates_its_english_page_as_it_is_now():
    """A code-free page's Chinese copy names the hash of the English it translates; after the
    English changes, the copy is brought up to date and stamped again
    (``python -m denoise_utils.translation stamp zh/book/PAGE.md``)."""
    assert tr.stale_pages(str(ROOT)) == []
    pages = sorted((ROOT / "zh").rglob("*.md"))
    assert pages, "no Chinese page"
    for page in pages:
        prose = _prose(page.read_text(encoding="utf-8"))
        assert len(re.findall(r"[\u4e00-\u9fff]", prose)) > 0.15 * len(prose), page.name


def _prose(text):
    """A page's running text: without code and directive blocks, tables, comments and link targets."""
    text = re.sub(r"(?ms)^(```|~~~).*?^\1[^\n]*$", "", text)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))


def test_a_generated_block_comes_from_the_english_page():
    english = "# Zoo\n<!-- leaderboard:start -->\n| new | table |\n<!-- leaderboard:end -->\nEnd.\n"
    chinese = "# 模型库\n<!-- leaderboard:start -->\n| old |\n<!-- leaderboard:end -->\n完。\n"
    assert tr.with_blocks(chinese, english) == "# 模型库\n<!-- leaderboard:start -->\n| new | table |\n<!-- leaderboard:end -->\n完。\n"


def test_a_chapter_translated_whole_opens_its_chinese_student_copy():
    badge = "[![Open](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/o/r/blob/main/labs/x.ipynb)"
    nb = _nb({**MD, "source": [badge]})
    zh = tr.translate(nb, [tr.Entry("m1", badge, badge.replace("Open", "打开"))])
    assert "blob/main/labs/zh/x.ipynb" in "".join(zh["cells"][0]["source"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_cell_ids_are_unique(path):
    """Cell ids key the translations (and nbformat renames a duplicate when it writes a notebook,
    so an executed copy would no longer match its source)."""
    ids = [c["id"] for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
