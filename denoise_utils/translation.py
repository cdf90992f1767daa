"""The Chinese edition's text (issue 40): one gettext catalogue per chapter, keyed by cell id.

The English notebooks stay the only executable source. A chapter's translation lives in
``zh/chapters/<chapter>.po``: one entry per markdown cell, ``msgctxt`` the cell's id, ``msgid``
the English cell as it was translated, ``msgstr`` the Chinese. When an English cell changes,
:func:`update` gives its entry the new English and marks it ``fuzzy``, keeping the old English
(``#| msgid``) and the Chinese for the translator; a fuzzy or empty entry is not used, and the
page shows the English cell until the translation is brought up to date. :func:`translate`
swaps the Chinese into an executed notebook, so code, outputs and glued numbers are the English
run's own. :func:`mismatches` lists what a translation must keep from its English cell.

    python -m denoise_utils.translation update        # sync every catalogue with the chapters
    python -m denoise_utils.translation status        # translated cells per chapter
    python -m denoise_utils.translation fill PO JSON  # merge {cell id: Chinese} into a catalogue
    python -m denoise_utils.translation stamp zh/book/intro.md   # a page's translation is current
"""

import argparse
import copy
import hashlib
import json
import os
import re
from dataclasses import dataclass

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Language: zh_CN\\n"\n')


@dataclass
class Entry:
    """One markdown cell's translation: its cell ``id``, the ``english`` it translates, the
    ``chinese``, whether it is ``fuzzy`` (its English changed since), and the ``previous``
    English of a fuzzy entry."""
    id: str
    english: str
    chinese: str = ""
    fuzzy: bool = False
    previous: str = ""

    @property
    def usable(self) -> bool:
        """Whether the page may show this translation: present and not out of date."""
        return bool(self.chinese.strip()) and not self.fuzzy


def _quote(text: str) -> str:
    """A PO string: one quoted line per line of ``text``, as gettext writes long strings."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = esc.split("\n")
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if len(parts) <= 1:
        return f'"{parts[0] if parts else ""}"'
    return '""\n' + "\n".join(f'"{p}"' for p in parts)


def _unquote(chunks: list[str]) -> str:
    out = []
    for chunk in chunks:
        s = chunk.strip()[1:-1]
        out.append(re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s))
    return "".join(out)


def write_po(entries: list[Entry], path: str, *, title: str = "") -> None:
    """Write ``entries`` as a gettext catalogue at ``path`` (a header, then one entry a cell)."""
    blocks = [(f"# {title}\n" if title else "") + HEADER]
    for e in entries:
        lines = []
        if e.fuzzy:
            lines.append("#, fuzzy")
            lines += [f"#| msgid {line}" for line in _quote(e.previous).split("\n")]
        lines += [f'msgctxt "{e.id}"', f"msgid {_quote(e.english)}", f"msgstr {_quote(e.chinese)}"]
        blocks.append("\n".join(lines) + "\n")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(blocks))


def read_po(path: str) -> list[Entry]:
    """The entries of the catalogue at ``path`` (the header skipped); [] when there is none."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as fh:
        blocks = fh.read().split("\n\n")
    entries = []
    for block in blocks:
        fields, key, fuzzy, previous = {}, None, False, []
        for line in block.splitlines():
            if line.startswith("#, ") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#| msgid "):
                previous.append(line[len("#| msgid "):])
            elif line.startswith("#| "):
                previous.append(line[3:])
            elif line.startswith("#"):
                continue
            elif line.startswith(('msgctxt ', 'msgid ', 'msgstr ')):
                key, rest = line.split(" ", 1)
                fields[key] = [rest]
            elif line.startswith('"') and key:
                fields[key].append(line)
        if "msgctxt" in fields:
            entries.append(Entry(_unquote(fields["msgctxt"]), _unquote(fields["msgid"]),
                                 _unquote(fields.get("msgstr", ['""'])), fuzzy, _unquote(previous)))
    return entries


def _markdown(nb: dict) -> list[tuple[str, str]]:
    return [(c["id"], "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown"]


def sync(po: str, texts: list[tuple[str, str]], *, title: str = "", write: bool = True) -> list[str]:
    """Bring the catalogue ``po`` in step with ``texts``, (id, English) pairs: an entry each, in
    their order; an entry whose English changed marked fuzzy; entries of ids that are gone
    dropped. Returns what changed (empty when the catalogue was up to date); ``write=False``
    only says so."""
    old = {e.id: e for e in read_po(po)}
    new, changes = [], []
    for cid, english in texts:
        e = old.pop(cid, None)
        if e is None:
            e = Entry(cid, english)
            changes.append(f"{cid}: new")
        elif e.english != english:
            e = Entry(cid, english, e.chinese, fuzzy=bool(e.chinese), previous=e.english if e.chinese else "")
            changes.append(f"{cid}: English changed")
        new.append(e)
    changes += [f"{cid}: cell gone" for cid in old]
    if write and (changes or not os.path.isfile(po)):
        write_po(new, po, title=title)
    return changes


def update(po: str, nb: dict, *, title: str = "", write: bool = True) -> list[str]:
    """:func:`sync` the catalogue ``po`` with the markdown cells of the notebook ``nb``."""
    return sync(po, _markdown(nb), title=title, write=write)


def translate(nb: dict, entries: list[Entry]) -> dict:
    """A copy of the (executed) notebook ``nb`` with each markdown cell's usable Chinese in place
    of its English; code cells and their outputs untouched. A chapter translated whole opens
    its Chinese student copy (``labs/zh/``) from its Colab badge."""
    chinese = {e.id: e for e in entries if e.usable}
    whole = bool(entries) and all(e.usable for e in entries)
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        e = chinese.get(cell.get("id"))
        if cell["cell_type"] == "markdown" and e is not None and e.english == "".join(cell["source"]):
            text = re.sub(r"(colab\.research\.google\.com/github/\S+?/blob/[^/\s]+/labs/)(?!zh/)", r"\1zh/",
                          e.chinese) if whole else e.chinese
            cell["source"] = text.splitlines(keepends=True)
    return out


_KEEP = {
    "glue names": re.compile(r"\{glue:(?:text|)\}`([^`:]+)"),
    "citations": re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`"),
    "API links": re.compile(r"\{py:(?:func|class)\}`[^`<]*<([^>`]+)>`"),
    "link targets": re.compile(r"\]\(([^)\s]+)\)"),
    "exercise numbers": re.compile(r"\b(\d\.\d(?:\.\d+)?)\b"),
}


def _heading_levels(text: str) -> list[int]:
    return [len(m) for m in re.findall(r"^(#+) ", text, re.M)]


def mismatches(english: str, chinese: str) -> list[str]:
    """What the Chinese cell fails to keep of its English cell: the glued numbers, citations,
    API links, link targets, exercise and section numbers, equations and heading levels."""
    problems = []
    for what, pattern in _KEEP.items():
        a, b = sorted(pattern.findall(english)), sorted(pattern.findall(chinese))
        if what == "exercise numbers":
            a, b = sorted(set(a)), sorted(set(b))
        if a != b:
            problems.append(f"{what}: English {a}, Chinese {b}")
    if english.count("$$") != chinese.count("$$"):
        problems.append(f"display equations: English {english.count('$$') // 2}, Chinese {chinese.count('$$') // 2}")
    a, b = (_heading_levels(t) for t in (english, chinese))
    if a != b:
        problems.append(f"heading levels: English {a}, Chinese {b}")
    return problems


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def catalogue_path(chapter: str, root: str = ROOT) -> str:
    """Where the translation of ``chapters/<chapter>.ipynb`` lives."""
    return os.path.join(root, "zh", "chapters", os.path.basename(chapter).replace(".ipynb", ".po"))


STAMP = re.compile(r"^<!-- translates (\S+) @ sha256:([0-9a-f]{12}) -->\n")


#: blocks a command writes into a page (English in both editions, copied at build time)
GENERATED = (("<!-- leaderboard:start -->", "<!-- leaderboard:end -->"),
             ("<!-- timings: generated by `python -m denoise_utils.labs timings` -->", "<!-- end timings -->"),
             ("<!-- mistakes:start -->", "<!-- mistakes:end -->"))


def _blocks(text: str) -> dict[str, str]:
    return {start: text.split(start, 1)[1].split(end, 1)[0]
            for start, end in GENERATED if start in text and end in text.split(start, 1)[1]}


def with_blocks(chinese: str, english: str) -> str:
    """The Chinese page ``chinese`` with each generated block (:data:`GENERATED`) as the English
    page has it now: the commands that write them write the English page only."""
    for start, block in _blocks(english).items():
        end = dict(GENERATED)[start]
        if start in chinese:
            head, rest = chinese.split(start, 1)
            chinese = head + start + block + end + rest.split(end, 1)[1]
    return chinese


def source_hash(path: str) -> str:
    """The first 12 hex digits of the SHA-256 of an English page, its generated blocks left out
    (they are copied at build time): what its Chinese copy names."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    for start, block in _blocks(text).items():
        text = text.replace(start + block, start)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def stale_pages(root: str = ROOT) -> list[str]:
    """The Chinese copies of code-free pages (``zh/**/*.md``) whose first line does not name the
    current hash of the English page they translate: changed since, or never stamped."""
    out = []
    for folder in ("book", "chapters"):
        pages = os.path.join(root, "zh", folder)
        for name in sorted(os.listdir(pages)) if os.path.isdir(pages) else []:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(pages, name), encoding="utf-8") as fh:
                m = STAMP.match(fh.read())
            english = os.path.join(root, folder, name)
            if not m or m.group(1) != f"{folder}/{name}" or m.group(2) != source_hash(english):
                out.append(f"zh/{folder}/{name}")
    return out


def stamp(page: str, root: str = ROOT) -> None:
    """Mark the Chinese copy ``page`` (``zh/book/intro.md``) as translating the English page as it
    is now (after bringing the translation up to date)."""
    rel = os.path.relpath(os.path.join(root, page), os.path.join(root, "zh"))
    with open(os.path.join(root, page), encoding="utf-8") as fh:
        text = STAMP.sub("", fh.read(), count=1)
    with open(os.path.join(root, page), "w", encoding="utf-8") as fh:
        fh.write(f"<!-- translates {rel} @ sha256:{source_hash(os.path.join(root, rel))} -->\n" + text)


def _chapters(root: str = ROOT) -> list[str]:
    folder = os.path.join(root, "chapters")
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m denoise_utils.translation", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("update", "status", "fill", "stamp"))
    parser.add_argument("args", nargs="*")
    a = parser.parse_args(argv)
    if a.command == "stamp":
        for page in a.args or parser.error("stamp zh/book/PAGE.md ..."):
            stamp(page)
        return 0
    if a.command == "fill":
        if len(a.args) != 2:
            parser.error("fill PO JSON")
        po, source = a.args
        with open(source, encoding="utf-8") as fh:
            chinese = json.load(fh)
        entries = read_po(po)
        known = {e.id for e in entries}
        unknown = sorted(set(chinese) - known)
        if unknown:
            parser.error(f"no such cells in {po}: {unknown}")
        for e in entries:
            if e.id in chinese:
                e.chinese, e.fuzzy, e.previous = chinese[e.id], False, ""
        with open(po, encoding="utf-8") as fh:
            first = fh.readline()
        write_po(entries, po, title=first[2:].strip() if first.startswith("# ") else "")
        for e in entries:
            for p in mismatches(e.english, e.chinese) if e.chinese else []:
                print(f"{e.id}: {p}")
        return 0
    for path in _chapters():
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
        po = catalogue_path(path)
        if a.command == "update":
            changes = update(po, nb, title=f"Chinese translation of chapters/{os.path.basename(path)}")
            if changes:
                print(f"{os.path.relpath(po, ROOT)}: {len(changes)} changes")
        else:
            entries = read_po(po)
            done = sum(e.usable for e in entries)
            print(f"{os.path.basename(path)}: {done}/{len(_markdown(nb))} cells translated")
    if a.command == "status":
        for page in stale_pages():
            print(f"{page}: its English page changed since it was translated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
