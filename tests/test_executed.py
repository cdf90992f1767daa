"""conftest.py keeps the outputs nbval produced (DENOISE_EXECUTED), for the book CI builds."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_test_run_writes_the_notebooks_it_executed(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# A"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "print('hello')\n6 * 7"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "from IPython.display import Markdown, display\ndisplay(Markdown('| a |\\n|---|\\n| 1 |'))"},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()"}]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                      "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "a.ipynb").write_text(json.dumps(nb))
    env = dict(os.environ, DENOISE_EXECUTED=str(tmp_path / "out"),
               PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest", "--nbval-lax", "-p",
                          "no:cacheprovider", "--rootdir", str(tmp_path), "-c", os.devnull, "chapters/a.ipynb"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    done = json.loads((tmp_path / "out" / "chapters" / "a.ipynb").read_text())
    code = [c for c in done["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == [1, 2, 3]
    first = {o["output_type"]: o for o in code[0]["outputs"]}
    assert "".join(first["stream"]["text"]) == "hello\n"
    assert "".join(first["execute_result"]["data"]["text/plain"]) == "42"
    assert "text/markdown" in code[1]["outputs"][0]["data"]
    # a figure is an output (the kernel draws inline, not headless), so the book shows it
    assert any("image/png" in o.get("data", {}) for o in code[2]["outputs"])
    assert json.loads((tmp_path / "chapters" / "a.ipynb").read_text()) == nb     # the source is untouched


def test_the_book_refuses_outputs_a_reader_should_not_see(tmp_path):
    """A folded cell echoing a bare value, or a path of the machine that ran the notebooks,
    stops the book built from a test run (scripts/book_from_run.py)."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    try:
        from book_from_run import leaks, machine_paths
    finally:
        sys.path.pop(0)

    def cell(tags, *outputs):
        return {"cell_type": "code", "metadata": {"tags": tags}, "source": "", "outputs": list(outputs)}

    value = {"output_type": "execute_result", "data": {"text/plain": "20.567176527571853"}}
    figure = {"output_type": "display_data", "data": {"image/png": "...", "text/plain": "<Figure>"}}
    path = {"output_type": "stream", "name": "stdout", "text": f"train400: 384 images from {tmp_path}/data\n"}
    nb = {"cells": [cell(["hide-input"], value), cell([], value), cell(["hide-input"], figure), cell([], path)]}
    found = leaks(nb, [str(tmp_path)])
    assert len(found) == 2 and found[0].startswith("cell 0: a folded cell") and found[1].startswith("cell 3: an output")
    assert ROOT in machine_paths()


def test_a_cell_ending_in_a_semicolon_keeps_no_result():
    """As in Jupyter: nbval runs cells so that ';' does not hide the result, and conftest.py
    drops it from the executed notebook the book is built from."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", os.path.join(ROOT, "conftest.py"))
    root = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root)
    _quiet = root._quiet
    assert _quiet('du.glue("a", 1.0);  # a comment;') and _quiet("x = 1\nf(x);\n# end\n")
    assert not _quiet('du.glue("a", 1.0)  # no semicolon;') and not _quiet("a; b")
