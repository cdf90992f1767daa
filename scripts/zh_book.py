"""Build the Chinese edition (issue 40) from notebooks an English run already executed, with -W.

    python scripts/zh_book.py _build/jupyter_execute    # after `make book`: into _build/html/zh
    python scripts/zh_book.py _build/executed _build/from-run/_build/html   # CI, after book_from_run

The book's sources are copied to ``_build/zh-src/``; each executed chapter gets its Chinese
markdown cells from ``zh/chapters/<chapter>.po`` (``denoise_utils.translation``: a cell without
a usable translation stays English), so code, outputs and glued numbers are the English run's
own, byte for byte; ``zh/book/*.md`` and ``zh/chapters/*.md`` replace the code-free pages they
translate; ``zh/_toc.yml`` and ``zh/_config.yml`` (merged over ``_config.yml``) give the Chinese
table of contents and settings. Jupyter Book then builds with execution off and ``-W``, and
the pages go to ``zh/`` in the English edition's HTML folder (``_build/html`` unless named), each page linking to its twin
(``_static/language.js``).
"""

import json
import os
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from denoise_utils.translation import catalogue_path, read_po, translate, with_blocks  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from book_from_run import copy_sources  # noqa: E402

SOURCES = ("_config.yml", "_static", "book", "chapters", "README.md")


def _merge(base, over):
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def assemble(executed, out=os.path.join(ROOT, "_build", "zh-src")):
    """Write the Chinese edition's sources to ``out``; returns the chapters left in English."""
    copy_sources(out, SOURCES)
    shutil.copy(os.path.join(ROOT, "zh", "_toc.yml"), os.path.join(out, "_toc.yml"))
    with open(os.path.join(ROOT, "_config.yml"), encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    with open(os.path.join(ROOT, "zh", "_config.yml"), encoding="utf-8") as fh:
        _merge(config, yaml.safe_load(fh))
    config["execute"]["execute_notebooks"] = "off"
    with open(os.path.join(out, "_config.yml"), "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True, sort_keys=False)
    for folder in ("book", "chapters"):
        pages = os.path.join(ROOT, "zh", folder)
        for name in sorted(os.listdir(pages)) if os.path.isdir(pages) else []:
            if name.endswith(".md"):
                with open(os.path.join(pages, name), encoding="utf-8") as fh:
                    chinese = fh.read()
                with open(os.path.join(ROOT, folder, name), encoding="utf-8") as fh:
                    chinese = with_blocks(chinese, fh.read())   # generated tables as they are now
                with open(os.path.join(out, folder, name), "w", encoding="utf-8") as fh:
                    fh.write(chinese)
    english = []
    for name in sorted(n for n in os.listdir(os.path.join(ROOT, "chapters")) if n.endswith(".ipynb")):
        path = os.path.join(executed, "chapters", name)
        if not os.path.isfile(path):
            sys.exit(f"error: the run in {executed} did not execute {name}")
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
        entries = read_po(catalogue_path(name))
        if not any(e.usable for e in entries):
            english.append(name)
        with open(os.path.join(out, "chapters", name), "w", encoding="utf-8") as fh:
            json.dump(translate(nb, entries), fh, ensure_ascii=False, indent=1)
    return english


def main(executed, english_html=os.path.join(ROOT, "_build", "html")):
    english = assemble(executed)
    if english:
        print(f"not yet translated (shown in English): {', '.join(english)}")
    src = os.path.join(ROOT, "_build", "zh-src")
    jb = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    code = subprocess.run([jb, "build", src, "-W"]).returncode
    if code == 0:
        dest = os.path.join(english_html, "zh")
        if os.path.exists(dest):
            shutil.rmtree(dest)
        shutil.copytree(os.path.join(src, "_build", "html"), dest)
        print(f"the Chinese edition is in {os.path.relpath(dest, ROOT)}/")
    return code


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python scripts/zh_book.py EXECUTED_DIR [ENGLISH_HTML_DIR]")
    sys.exit(main(*sys.argv[1:]))
