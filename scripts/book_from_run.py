"""Build the book from notebooks a test run already executed (.ci/run), with -W.

    DENOISE_EXECUTED=_build/executed make test     # nbval runs every notebook and keeps its outputs
    python scripts/book_from_run.py _build/executed

``make book`` executes every notebook itself (about 40 minutes on a 2-core CPU); CI has
just executed them all under nbval, so it builds from those outputs instead: the book's
sources are copied to ``_build/from-run/``, the executed notebooks put in place of the
chapters, and Jupyter Book runs with execution off. Everything else (table of contents,
cross-references, glue names, citations) is checked as ``make book`` checks it: a warning
fails the build. A chapter the run did not execute is an error.
"""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ("_config.yml", "_toc.yml", "_static", "book", "chapters", "README.md")


def main(executed, out=os.path.join(ROOT, "_build", "from-run")):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for name in SOURCES:
        src = os.path.join(ROOT, name)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(out, name))
    chapters = sorted(n for n in os.listdir(os.path.join(ROOT, "chapters")) if n.endswith(".ipynb"))
    missing = [n for n in chapters if not os.path.isfile(os.path.join(executed, "chapters", n))]
    if missing:
        sys.exit(f"error: the run in {executed} did not execute {', '.join(missing)}")
    for name in chapters:
        shutil.copy(os.path.join(executed, "chapters", name), os.path.join(out, "chapters", name))
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
