"""Write the book's API reference (book/api.md): every function the chapters call, grouped by
the chapter that first uses it, as d2l's API appendix is; Sphinx's autodoc renders each from
its docstring. Each chapter's prose links a function to its reference where it first names it
(`` `du.deblur` `` becomes ``{py:func}`du.deblur <denoise_utils.plug_and_play.deblur>` ``).

    python scripts/api_page.py            # rewrite book/api.md and the chapters' links
    python scripts/api_page.py --check    # exit 1 when either is out of date (tests run this)
"""

import importlib
import inspect
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "book", "api.md")
CALL = re.compile(r"\b([A-Za-z_]+(?:\.[A-Za-z_]+)*)\(")
sys.path.insert(0, ROOT)
from denoise_utils.translation import catalogue_path, read_po, source_hash  # noqa: E402

IMPORT = re.compile(r"from denoise_utils(\.[a-z_.]+)? import (?:\(([^)]*)\)|([^\n#]+))")
#: what the chapters tell the reader to use without calling it in a cell
EXTRA = ("denoise_utils.config.set_budget",)


def _title(nb):
    return "".join(nb["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip()


def _resolve(dotted):
    """The object ``denoise_utils.a.b`` names and its canonical ``module.qualname``, or None."""
    parts = dotted.split(".")
    try:
        obj = importlib.import_module(parts[0])
        for p in parts[1:]:
            obj = getattr(obj, p)
    except (ImportError, AttributeError):
        return None
    if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not getattr(obj, "__module__", "").startswith("denoise_utils"):
        return None
    return obj, f"{obj.__module__}.{obj.__qualname__}"


def _aliases(nb):
    """The names a chapter's code imports from the package: {"du": "denoise_utils", "pnp": ...}."""
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    aliases = {"du": "denoise_utils"}
    for m in IMPORT.finditer(code):
        for item in (m.group(2) or m.group(3)).replace("\n", " ").split(","):
            words = item.strip().split(" as ")
            if words[0]:
                aliases[words[-1].strip()] = f"denoise_utils{m.group(1) or ''}.{words[0].strip()}"
    return aliases, code


def _notebooks(chapters=os.path.join(ROOT, "chapters")):
    for name in sorted(f for f in os.listdir(chapters) if f.endswith(".ipynb")):
        with open(os.path.join(chapters, name), encoding="utf-8") as fh:
            yield os.path.join(chapters, name), json.load(fh)


def uses(chapters=os.path.join(ROOT, "chapters")):
    """[(chapter title, [canonical names first called there])] in the book's order."""
    seen, out = set(), []
    for _, nb in _notebooks(chapters):
        aliases, code = _aliases(nb)
        found = []
        for m in CALL.finditer(code):
            head, *rest = m.group(1).split(".")
            if head in aliases:
                hit = _resolve(".".join([aliases[head]] + rest))
                if hit and hit[1] not in seen:
                    seen.add(hit[1])
                    found.append(hit)
        if found:
            out.append((_title(nb), found))
    return out


ZH_INTRO = ["# API 参考", "",
            "各章调用的 `denoise_utils` 函数和类，按最先使用它们的章节分组，文档即代码中的文档字符串（英文）。"
            "`import denoise_utils as du` 直接提供最常用的那些（`du.denoise`、`du.psnr` 等）；这里每一个都列在"
            "定义它的模块之下。本页由 `python scripts/api_page.py` 生成（有测试保证它与各章同步）。", ""]


def _zh_titles():
    """{English chapter title: its Chinese title} from the chapters' catalogues (zh/chapters/*.po)."""

    out = {}
    for path, nb in _notebooks():
        first = next((e for e in read_po(catalogue_path(path, ROOT)) if e.id == nb["cells"][0]["id"]), None)
        if first is not None and first.usable:
            out[_title(nb)] = first.chinese.splitlines()[0].lstrip("# ").strip()
    return out


def page(chinese=False):
    lines = ["# API reference", "",
             "The functions and classes of `denoise_utils` that the chapters call, grouped by the chapter",
             "that first uses each, with their documentation as the code gives it. `import denoise_utils as du`",
             "gives the most used ones directly (`du.denoise`, `du.psnr`, ...); each is listed here under the",
             "module that defines it. Written by `python scripts/api_page.py` (a test keeps it in step).", ""]
    if chinese:
        lines = list(ZH_INTRO)
    titles = _zh_titles() if chinese else {}
    listed = set()
    for title, found in uses():
        lines += [f"## {titles.get(title, title)}", "", "```{eval-rst}"]
        for obj, name in found:
            lines.append(f".. auto{'class' if inspect.isclass(obj) else 'function'}:: {name}")
            listed.add(name)
        lines += ["```", ""]
    extra = [hit for hit in map(_resolve, EXTRA) if hit and hit[1] not in listed]
    if extra:
        lines += ["## 正文提到、单元未调用的函数" if chinese else "## Used in the text, not called in a cell", "",
                  "```{eval-rst}"]
        lines += [f".. autofunction:: {name}" for _, name in extra] + ["```", ""]
    return "\n".join(lines)


MENTION = re.compile(r"(\{py:(?:func|class)\})?`([A-Za-z_]+(?:\.[A-Za-z_]+)+)(\([^`<>]*\))?(?: <[^`]*>)?`")
FENCE = re.compile(r"^(```|~~~)")


def _link_cell(text, aliases, listed, linked):
    """``text`` (a markdown cell) with the first mention of each listed function made a link."""
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if FENCE.match(line.lstrip()) and "{" not in line:
            fenced = not fenced
        if fenced or line.lstrip().startswith("#"):
            out.append(line)
            continue

        def swap(m):
            dotted, args = m.group(2), m.group(3) or ""
            head, *rest = dotted.split(".")
            hit = _resolve(".".join([aliases[head]] + rest)) if head in aliases else None
            if not hit or hit[1] not in listed:
                return m.group(0)
            obj, name = hit
            if name in linked:                 # named before in this chapter: plain code
                return f"`{dotted}{args}`"
            linked.add(name)
            kind = "class" if inspect.isclass(obj) else "func"
            return f"{{py:{kind}}}`{dotted}{args} <{name}>`"

        out.append(MENTION.sub(swap, line))
    return "".join(out)


def links(chapters=os.path.join(ROOT, "chapters")):
    """{path: notebook JSON text} of every chapter whose prose links need updating."""
    listed = {name for _, found in uses(chapters) for _, name in found} | set(EXTRA)
    changed = {}
    for path, nb in _notebooks(chapters):
        aliases, _ = _aliases(nb)
        linked = set()
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                old = "".join(cell["source"])
                new = _link_cell(old, aliases, listed, linked)
                if new != old:
                    cell["source"] = new.splitlines(keepends=True)
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        with open(path, encoding="utf-8") as fh:
            if fh.read() != text:
                changed[path] = text
    return changed


ZH_PAGE = os.path.join(ROOT, "zh", "book", "api.md")


def zh_page():
    """The Chinese API page: the same reference, Chinese headings, stamped with the English
    page it follows (denoise_utils.translation.stamp)."""

    return f"<!-- translates book/api.md @ sha256:{source_hash(PAGE)} -->\n" + page(chinese=True)


if __name__ == "__main__":
    text, stale = page(), links()
    if "--check" in sys.argv[1:]:
        with open(PAGE, encoding="utf-8") as fh:
            if fh.read() != text:
                sys.exit("book/api.md is out of date: run python scripts/api_page.py")
        if not os.path.isfile(ZH_PAGE) or open(ZH_PAGE, encoding="utf-8").read() != zh_page():
            sys.exit("zh/book/api.md is out of date: run python scripts/api_page.py")
        if stale:
            sys.exit(f"links to the API reference out of date in {sorted(map(os.path.basename, stale))}: "
                     "run python scripts/api_page.py")
        sys.exit(0)
    with open(PAGE, "w", encoding="utf-8") as fh:
        fh.write(text)
    with open(ZH_PAGE, "w", encoding="utf-8") as fh:
        fh.write(zh_page())
    for path, new in stale.items():
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(new)
