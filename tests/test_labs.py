"""Classroom labs: every check passes on its solution, fails on its stub and on common mistakes."""

import ast
import json
import pathlib
import re
import string

import keras
import numpy as np
import pytest
from keras import layers

import denoise_utils as du
from denoise_utils import labs
from denoise_utils.labs import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _exercises(nb):
    """(number, code, check, the chapter's earlier exercises' code) per exercise."""
    found = labs.exercises(nb)
    return [(n, code, check, tuple(c for _, c, _ in found[:i])) for i, (n, code, check) in enumerate(found)]


def _run(code, check, before=()):
    """Run an exercise (after the chapter's earlier ones, as a reader would) and its check."""
    namespace = {"np": np, "du": du, "keras": keras, "layers": layers}
    for earlier in before:
        exec(earlier, namespace)
    exec(code, namespace)
    exec(check, namespace)


SOURCES = {p.name: json.loads(p.read_text()) for p in CHAPTERS}
CASES = [(name, *ex) for name, nb in SOURCES.items() for ex in _exercises(nb)]
IDS = [c[1] for c in CASES]


def test_every_exercise_is_checked_and_every_check_is_used():
    numbers = [number for _, number, *_ in CASES]
    assert len(numbers) == len(set(numbers)), "an exercise number is used twice"
    assert set(numbers) == set(labs.EXERCISES), "checkers without an exercise, or the reverse"
    for name, number, code, *_ in CASES:
        assert labs.BEGIN in code and labs.END in code, f"{name}: exercise {number} has no solution markers"


def test_chapters_with_exercises_have_at_least_three():
    counts = {}
    for name, *_ in CASES:
        counts[name] = counts.get(name, 0) + 1
    assert counts and all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("name,number,code,check,before", CASES, ids=IDS)
def test_the_check_passes_on_the_solution(name, number, code, check, before, capsys):
    _run(code, check, before)
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("name,number,code,check,before", CASES, ids=IDS)
def test_the_check_fails_on_the_student_stub(name, number, code, check, before):
    """The student's copy: this exercise and every earlier one are stubs."""
    stub = labs.stub_solution(code, number, "title")
    assert labs.BEGIN not in stub and "NotImplementedError" in stub
    with pytest.raises(AssertionError, match=f"Exercise {re.escape(number)} .*not done yet"):
        _run(stub, check, [labs.stub_solution(b, "x", "y") for b in before])


@pytest.mark.parametrize("number", sorted(labs.EXERCISES))
def test_the_check_refuses_its_declared_mistake_with_a_hint(number):
    """Each checker declares a typical wrong answer (``exercise(..., mistake=, why=)``)."""
    with pytest.raises(AssertionError, match=r"(?s)expected.*found.*Hint: "):
        labs.check(number, labs.EXERCISES[number].mistake)


CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template):
    """The ``str.format`` fields of a message template, with their format specs."""
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


def test_every_message_of_the_checks_has_a_chinese_entry():
    """Each ``_("...")`` template of the checkers is translated in labs/zh.po (usable, its
    English the checker's own), with the same ``str.format`` fields; so are close's frame words."""
    templates = registry.message_templates()
    assert len(templates) >= 40 and len({t for _, t in templates}) >= 40
    zh = registry.messages()
    missing = [f"{cid}: {english}" for cid, english in templates if cid not in zh]
    assert not missing, "translate in denoise_utils/labs/zh.po:\n" + "\n".join(missing)
    for cid, english in templates:
        assert _fields(zh[cid]) == _fields(english) and CJK.search(zh[cid]), f"{cid}: {zh[cid]}"
    for key, english in registry.WORDS["en"].items():
        assert _fields(registry.WORDS["zh"][key]) == _fields(english), key


def _through_gettext(node):
    """Whether ``node`` is ``_("...")`` or ``_("...").format(...)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        node = node.func.value
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"


def _is_code(node):
    """Whether a ``what`` given as a plain string is a call, nothing to translate: balanced
    brackets dropped, a dotted name is left (``js(p=..., q=...)``, ``burst_reference(shots)[0]``)."""
    if not isinstance(node, (ast.Constant, ast.JoinedStr)):
        return False
    text = node.value if isinstance(node, ast.Constant) else "".join(
        v.value if isinstance(v, ast.Constant) else "0" for v in node.values)
    while (shorter := re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", text)) != text:
        text = shorter
    return re.fullmatch(r"[\w.]+", text) is not None and "(" in (node.value if isinstance(node, ast.Constant)
                                                                else ast.unparse(node))


def test_every_message_of_the_checks_goes_through_the_catalogue():
    """A message the checkers write in English prose is a ``_("...")`` template (a constant
    English text, values through ``str.format``): every assertion's message, every error a
    checker raises, and every ``what`` of close/equal/same_shape that is not plain code."""
    loose = []
    for path in sorted((ROOT / "denoise_utils" / "labs" / "checks").glob("ch*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            said = []
            if isinstance(node, ast.Assert):
                said = [node.msg]
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", "") == "AssertionError":
                said = node.exc.args
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("close", "equal", "same_shape"):
                what = node.args[2:3] + [k.value for k in node.keywords if k.arg == "what"]
                said = [w for w in what if not _is_code(w)]
            loose += [f"{path.name}:{node.lineno}" for m in said if m is None or not _through_gettext(m)]
    assert not loose, f"messages not written as _(\"...\") templates: {loose}"


def test_a_message_without_a_chinese_entry_is_reported(monkeypatch, tmp_path):
    """A template added to a checker is a new entry of labs/zh.po, reported as a new title is;
    ``_()`` of anything but one constant string (an f-string) is refused."""
    scan = registry.message_templates.__wrapped__          # the source read afresh, not cached
    added = registry.message_templates() + (("1.1 message 1", "a new message about {what}"),)
    monkeypatch.setattr(registry, "message_templates", lambda: added)
    assert labs.update_messages(check_only=True) == ["1.1 message 1: new"]
    (tmp_path / "chx.py").write_text('@exercise("9.1", "t", "h", mistake=None, why="w")\n'
                                     'def _c(fn):\n    assert fn, _("plain {x}").format(x=1)\n'
                                     '    assert fn, _("plain {x}")\n    assert fn, _(f"value {fn}")\n')
    monkeypatch.setattr(registry, "CHECKS", str(tmp_path))
    with pytest.raises(ValueError, match=r"chx.py:5: _\(\) takes one constant English template"):
        scan()
    (tmp_path / "chx.py").write_text((tmp_path / "chx.py").read_text().replace('_(f"value {fn}")', '_("shared")')
                                     + 'def helper():\n    return _("shared")\n')
    assert scan() == (
        ("9.1 message 1", "plain {x}"), ("9.1 message 2", "shared"), ("shared message 1", "shared"))


@pytest.mark.parametrize("number", sorted(labs.EXERCISES))
def test_a_declared_mistake_is_refused_in_chinese(number, monkeypatch):
    """``check(..., lang="zh")``: what was expected and what was found speak Chinese too (the
    language reaches ``close`` and ``_()`` through the call, not only through $DENOISE_LANG)."""
    monkeypatch.delenv("DENOISE_LANG", raising=False)
    with pytest.raises(AssertionError) as err:
        labs.check(number, labs.EXERCISES[number].mistake, lang="zh")
    text = str(err.value)
    body = text.split("）：", 1)[1].split("\n提示：")[0]
    assert text.startswith(f"练习 {number}（") and CJK.search(body), text
    assert not re.search(r"expected|found|at index|Hint", text), text
    assert registry.spoken() == (registry.WORDS["en"], {})          # English again after the call


@pytest.mark.parametrize("number", sorted(labs.EXERCISES))
def test_a_declared_mistake_is_refused_in_english_as_before(number, monkeypatch):
    """``lang="en"`` wins over $DENOISE_LANG, and the message keeps its English form."""
    monkeypatch.setenv("DENOISE_LANG", "zh")
    ex = labs.EXERCISES[number]
    with pytest.raises(AssertionError) as err:
        labs.check(number, ex.mistake, lang="en")
    text = str(err.value)
    assert re.fullmatch(rf"(?s)Exercise {re.escape(number)} \({re.escape(ex.title)}\): .*expected.*found.*"
                        rf"\nHint: {re.escape(ex.hint)}", text), text
    assert not CJK.search(text), text


def test_the_english_messages_keep_their_words():
    """The frames of close (a value, its index; a shape) and a template's formatted values, in
    English as they were before the messages were translated; the same in Chinese."""
    cases = {"3.1.3": "mse_gradient(pred, target): expected -0.0308139, found -1.84883 at index (0, 2, 1)",
             "4.1.1": "patches(image, 4, 3): expected shape (12, 4, 4), found (6, 4, 4)",
             "1.2": "noise standard deviation: expected 0.0980, found 25.0465",
             "6.3": "tiles(10, 4, 2): expected [(0, 4, 0, 6), (4, 8, 2, 10), (8, 10, 6, 10)], "
                    "found [(0, 4, -2, 6), (4, 8, 2, 10), (8, 10, 6, 14)]"}
    chinese = {"3.1.3": "mse_gradient(pred, target)：期望 -0.0308139，实际得到 -1.84883（位于索引 (0, 2, 1)）",
               "4.1.1": "patches(image, 4, 3)：期望形状 (12, 4, 4)，实际得到 (6, 4, 4)",
               "1.2": "噪声的标准差：期望 0.0980，实际得到 25.0465"}
    for number, said in cases.items():
        with pytest.raises(AssertionError, match=f"^Exercise {re.escape(number)} .*: {re.escape(said)}\nHint: "):
            labs.check(number, labs.EXERCISES[number].mistake, lang="en")
    for number, said in chinese.items():
        with pytest.raises(AssertionError, match=f"^练习 {re.escape(number)}（.*）：{re.escape(said)}\n提示："):
            labs.check(number, labs.EXERCISES[number].mistake, lang="zh")


def test_the_instructor_guide_lists_the_declared_mistakes():
    guide = (ROOT / "book" / "instructor_guide.md").read_text(encoding="utf-8")
    block = guide.split("<!-- mistakes:start -->\n")[1].split("<!-- mistakes:end -->")[0]
    assert block == labs.mistakes_list(), "run `python -m denoise_utils.labs mistakes` and paste its list"


def test_the_chapter_notation_is_the_exercise_notation():
    """3.2: h^t = tanh(W x^t + U h^(t-1) + b); W and U swapped is refused, with the notation."""
    with pytest.raises(AssertionError, match=r"(?s)expected W \(4 x 2\) to multiply x.*Hint: "):
        labs.check("3.2.1", lambda h, x, w, u, b: np.tanh(w @ h + u @ x + b))


def test_an_unknown_exercise_is_named():
    with pytest.raises(KeyError, match="no exercise '9.9'"):
        labs.check("9.9", None)


def test_student_copies_hold_no_solution_text():
    for name, nb in SOURCES.items():
        student = labs.student_copy(nb)
        text = json.dumps(student)
        public = json.dumps([c["source"] for c in nb["cells"] if labs.BEGIN not in "".join(c["source"])
                             and "solution" not in c.get("metadata", {}).get("tags", [])])
        assert labs.BEGIN not in text and labs.END not in text, name
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            tags = cell.get("metadata", {}).get("tags", [])
            secret = []
            if labs.BEGIN in src:
                block = src.split(labs.BEGIN)[1].split(labs.END)[0]
                secret = [line.strip() for line in block.splitlines() if len(line.strip()) > 12]
            elif "solution" in tags:
                secret = [line.strip() for line in src.splitlines()[2:-1] if len(line.strip()) > 12]
            for line in secret:  # unless the chapter's own code has the same line elsewhere
                if json.dumps(line)[1:-1] not in public:
                    assert json.dumps(line)[1:-1] not in text, f"{name}: solution text in the student copy: {line}"
        for cell in student["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None


def test_committed_student_copies_are_up_to_date():
    labs.build(str(ROOT / "chapters"), str(ROOT / "labs"), check_only=True)


def test_build_writes_copies_and_refuses_a_foreign_file(tmp_path):
    src = tmp_path / "chapters"
    src.mkdir()
    (src / "a.ipynb").write_text((ROOT / "chapters" / "01_background.ipynb").read_text())
    out = tmp_path / "labs"
    assert labs.build(str(src), str(out)) == [str(out / "a.ipynb")]
    labs.build(str(src), str(out), check_only=True)                # up to date
    (out / "b.ipynb").write_text("{}")
    with pytest.raises(SystemExit, match="b.ipynb"):
        labs.build(str(src), str(out), check_only=True)
    (out / "a.ipynb").write_text('{"cells": []}')                  # not a student copy: kept
    with pytest.raises(ValueError, match="not a student copy"):
        labs.build(str(src), str(out))
    assert (out / "a.ipynb").read_text() == '{"cells": []}'


def test_a_check_cell_under_the_wrong_heading_is_refused():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "### Exercise 1.1: x"},
                    {"cell_type": "code", "metadata": {}, "source": 'du.labs.check("1.2", f)',
                     "outputs": [], "execution_count": None}], "metadata": {}}
    with pytest.raises(ValueError, match="heading of exercise 1.1"):
        labs.student_copy(nb)


def test_every_chapter_opens_its_student_copy_in_colab():
    url, ref = labs.repository(str(ROOT / "_config.yml"))
    repo = url.split("github.com/")[1]
    for path in CHAPTERS:
        first = "".join(SOURCES[path.name]["cells"][0]["source"])
        assert f"colab.research.google.com/github/{repo}/blob/{ref}/labs/{path.name}" in first, path.name
        assert SOURCES[path.name]["metadata"].get("accelerator") == "GPU", path.name


def test_the_install_cell_runs_only_on_colab_and_installs_the_ref_the_badge_opens():
    url, ref = labs.repository(str(ROOT / "_config.yml"))
    for path in CHAPTERS:
        cells = ["".join(c["source"]) for c in SOURCES[path.name]["cells"] if c["cell_type"] == "code"]
        install = [c for c in cells if "%pip install" in c]
        assert len(install) == 1, path.name
        assert 'if "google.colab" in sys.modules:' in install[0], path.name
        assert f"git+{url}@{ref}\"" in install[0], f"{path.name}: does not install {url}@{ref}"


def test_links_moves_every_badge_and_install_cell(tmp_path):
    import shutil

    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    config = tmp_path / "_config.yml"
    config.write_text((ROOT / "_config.yml").read_text().replace(
        "url: https://github.com/deep-denoising/denoising-book", "url: https://github.com/a-school/our-book")
        .replace("branch: main", "branch: v9.9"))
    assert labs.main(["links", "--chapters", str(tmp_path / "chapters"), "--out", str(tmp_path / "labs"),
                      "--config", str(config)]) is None
    for folder in ("chapters", "labs"):
        for path in (tmp_path / folder).glob("*.ipynb"):
            text = path.read_text()
            assert "deep-denoising" not in text, f"{folder}/{path.name} keeps the old URL"
            assert "github/a-school/our-book/blob/v9.9/labs/" in text and "our-book@v9.9" in text, path.name
    config.write_text("title: no repository\n")
    with pytest.raises(ValueError, match="repository needs a url"):
        labs.links(str(tmp_path / "chapters"), str(config))


def _with_code(notebook, number, code):
    """``notebook`` with exercise ``number``'s solution cell replaced by ``code``."""
    import copy

    nb = copy.deepcopy(notebook)
    current = None
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and labs.HEADING.findall(src):
            current = labs.HEADING.findall(src)[-1][0]
        elif current == number and labs.BEGIN in src:
            cell["source"] = code
            return nb
    raise KeyError(number)


def test_grade_passes_the_solutions_and_fails_the_stubs(tmp_path, capsys):
    source = SOURCES["06_faq.ipynb"]
    assert all(ok for _, ok, _ in labs.grade(source))
    results = labs.grade(labs.student_copy(source))
    assert results and not any(ok for _, ok, _ in results)
    assert all("not done yet" in message for _, _, message in results)


def test_a_class_with_a_hanging_and_a_crashing_submission_is_graded(tmp_path, capsys):
    """Each submission in its own kernel: an endless loop, sys.exit and a killed interpreter
    cost their exercise alone; the gradebook has a row for everyone."""
    source = SOURCES["06_faq.ipynb"]
    first, second, third = (n for n, _, _ in labs.exercises(source))
    subs = {"alice.ipynb": source,
            "bob.ipynb": _with_code(source, first, "import time\nwhile True:\n    try:\n        time.sleep(1)\n"
                                                   "    except KeyboardInterrupt:\n        pass"),  # deaf to interrupts
            "carol.ipynb": _with_code(_with_code(source, second, "import sys\nsys.exit(3)"),
                                      third, "import os\nos._exit(1)")}
    for name, nb in subs.items():
        (tmp_path / name).write_text(json.dumps(nb))
    (tmp_path / "dave.ipynb").write_text("not a notebook")
    book = tmp_path / "grades.csv"
    code = labs.main(["grade", *(str(tmp_path / n) for n in (*subs, "dave.ipynb")), "--timeout", "10",
                      "--csv", str(book)])
    out, err = capsys.readouterr()
    assert code == 1 and "dave.ipynb: cannot be read as a notebook" in err
    assert "bob.ipynb: 2/3 exercises pass" in out and "timed out after 10 s" in out
    assert "carol.ipynb: 1/3 exercises pass" in out and "SystemExit" in out and "kernel died" in out
    rows = book.read_text().splitlines()
    assert rows[0] == f"submission,{first},{second},{third},passed,of"
    assert rows[1:] == ["alice.ipynb,1,1,1,3,3", "bob.ipynb,0,1,1,2,3", "carol.ipynb,1,0,0,1,3"]
    (tmp_path / "notes.csv").write_text("my own notes\n")
    with pytest.raises(SystemExit):                  # never overwrites a file that is not a gradebook
        labs.main(["grade", str(tmp_path / "alice.ipynb"), "--csv", str(tmp_path / "notes.csv")])
    assert (tmp_path / "notes.csv").read_text() == "my own notes\n"


def test_the_instructor_guide_shows_the_measured_timings():
    """book/instructor_guide.md holds the table that `python -m denoise_utils.labs timings` prints."""
    table = labs.timings_table(str(ROOT / "book" / "timings.json"), str(ROOT / "chapters"))
    guide = (ROOT / "book" / "instructor_guide.md").read_text()
    block = guide.split("<!-- timings: generated by `python -m denoise_utils.labs timings` -->\n")[1]
    assert block.split("<!-- end timings -->")[0].strip() == table.strip()
    assert len(table.strip().splitlines()) == 2 + len(CHAPTERS)


def test_timings_of_another_machine(tmp_path, capsys):
    """A teacher's own measurement (say on a GPU) prints with its machine and budget."""
    measured = tmp_path / "gpu.json"
    measured.write_text(json.dumps({"budget": "full", "machine": "8-core CPU, NVIDIA T4",
                                    "seconds": {"01_background.ipynb": 90}}))
    labs.main(["timings", "--file", str(measured), "--chapters", str(ROOT / "chapters")])
    out = capsys.readouterr().out
    assert "(8-core CPU, NVIDIA T4, full budget)" in out and "| 1.5 |" in out
    assert out.count("| – |") == len(CHAPTERS) - 1          # the chapters it did not run
    for bad in ("[1, 2]", '{"budget": "quick"}', "not json"):
        measured.write_text(bad)
        with pytest.raises(SystemExit):
            labs.main(["timings", "--file", str(measured), "--chapters", str(ROOT / "chapters")])
        assert "is not a timings file" in capsys.readouterr().err
