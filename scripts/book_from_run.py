"""Build the book from notebooks a test run already executed (.ci/run), with -W.

    DENOISE_EXECUTED=_build/executed make test     # nbval runs every notebook and keeps its outputs
    python scripts/book_from_run.py _build/executed

``make book`` executes every notebook itself (about 40 minutes on a 2-core CPU); CI has
just executed them all under nbval, so it builds from those outputs instead: the book's
sources are copied to ``_build/from-run/``, the executed notebooks put in place of the
chapters, and Jupyter Book runs with execution off. Everything else (table of contents,
cross-references, glue names, citations) is checked as ``make book`` checks it: a warning
fails the build. A chapter the run did not execute is an error, and so is an output a reader
should not see (:func:`leaks`): a folded bookkeeping cell that shows a bare value, or a path
of the machine that ran the notebooks.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("_config.yml", "_toc.yml", "_static", "book", "chapters", "README.md")


FOLDED = ("hide-input", "hide-cell", "remove-input")


def _text(output):
    data = output.get("data", {})
    parts = [output.get("text", "")] + [data.get(k, "") for k in ("text/plain", "text/html", "text/markdown")]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def leaks(nb, paths):
    """What a reader should not see in the executed notebook ``nb`` (a dict): a folded cell
    whose output is a bare value (a glued number echoed), or any of the machine's ``paths``."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        folded = any(t in cell.get("metadata", {}).get("tags", []) for t in FOLDED)
        for output in cell.get("outputs", []):
            if folded and output.get("output_type") == "execute_result" and set(output.get("data", {})) <= {"text/plain"}:
                found.append(f"cell {i}: a folded cell shows the bare value {_text(output)[:60]!r}")
            text = _text(output)
            for path in paths:
                if path and path in text:
                    found.append(f"cell {i}: an output shows this machine's path {path!r}")
    return found


def machine_paths():
    """The local paths an output could leak: the repository, the data folder, home, temp."""
    paths = {ROOT, os.path.expanduser("~"), tempfile.gettempdir(), os.environ.get("DENOISE_DATA_DIR", "")}
    return sorted(os.path.realpath(p) for p in paths if p and p != os.sep)


def copy_sources(out, names=SOURCES):
    """A fresh ``out`` holding a copy of the book's ``names`` (files and folders)."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for name in names:
        src = os.path.join(ROOT, name)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(out, name))


def main(executed, out=os.path.join(ROOT, "_build", "from-run")):
    copy_sources(out)
    chapters = sorted(n for n in os.listdir(os.path.join(ROOT, "chapters")) if n.endswith(".ipynb"))
    missing = [n for n in chapters if not os.path.isfile(os.path.join(executed, "chapters", n))]
    if missing:
        sys.exit(f"error: the run in {executed} did not execute {', '.join(missing)}")
    problems = []
    for name in chapters:
        with open(os.path.join(executed, "chapters", name), encoding="utf-8") as fh:
            problems += [f"{name}: {p}" for p in leaks(json.load(fh), machine_paths())]
        shutil.copy(os.path.join(executed, "chapters", name), os.path.join(out, "chapters", name))
    if problems:
        sys.exit("error: outputs a reader should not see:\n" + "\n".join(problems))
    config = os.path.join(out, "_config.yml")
    with open(config, encoding="utf-8") as fh:
        text = fh.read()
    if "execute_notebooks: cache" not in text:
        sys.exit("error: _config.yml no longer says 'execute_notebooks: cache'; update this script")
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text.replace("execute_notebooks: cache", "execute_notebooks: \"off\""))
    jb = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    return subprocess.run([jb, "build", out, "-W"]).returncode


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/book_from_run.py EXECUTED_DIR")
    sys.exit(main(sys.argv[1]))
