"""Classroom labs: exercises that check themselves, and student copies (book/instructor_guide).

A chapter's exercise is a markdown cell headed ``### Exercise N.M.K: title``, a code cell
whose solution stands between nbgrader's markers ``### BEGIN SOLUTION`` and
``### END SOLUTION``, and a check cell ``du.labs.check("N.M.K", answer)``. A written
answer is a markdown cell tagged ``solution``. ``check`` raises an ``AssertionError``
that says what was expected, what was found, and a hint; ``build`` (``python -m
denoise_utils.labs build``) writes the student copies to ``labs/``: each solution
replaced by ``raise NotImplementedError("Exercise N.M.K: ...")``, each written answer by an
empty one, no outputs; ``grade`` (:mod:`.grading`) runs a class's submissions, each in a
kernel of its own.
"""

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

from ..translation import catalogue_path, read_po, sync, translate

from . import checks  # noqa: F401  (registers every exercise's checker)
from .grading import grade, gradebook  # noqa: F401
from .notebook import BEGIN, END, HEADING, cell_text, exercises, stub_solution, student_copy  # noqa: F401
from .registry import CATALOGUE, EXERCISES, catalogue_texts, check, exercise, mistakes_list  # noqa: F401

def timings_table(timings: str, chapters: str = "chapters") -> str:
    """The instructor guide's table: each chapter's coding exercises and its measured run time.

    Parameters
    ----------
    timings : str
        The file that ``DENOISE_TIMINGS=FILE make test`` writes (conftest.py): each
        notebook's seconds, kernel start and every cell, on the budget and machine it names.
    chapters : str, optional
        The folder of the chapter notebooks.

    Returns
    -------
    str
        A Markdown table, one row per chapter.

    Raises
    ------
    ValueError
        If ``timings`` is not such a file.
    """
    try:
        with open(timings, encoding="utf-8") as fh:
            measured = json.load(fh)
        if not isinstance(measured["seconds"], dict) or not measured["budget"]:
            raise ValueError("no budget, or seconds not by notebook")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"{timings} is not a timings file that DENOISE_TIMINGS=FILE make test "
                         f"writes ({type(err).__name__}: {err})") from None
    machine = measured.get("machine", "machine not recorded")
    rows = [f"| chapter | coding exercises | minutes to run ({machine}, {measured['budget']} budget) |",
            "|---|---|---|"]
    for name in sorted(n for n in os.listdir(chapters) if n.endswith(".ipynb")):
        with open(os.path.join(chapters, name), encoding="utf-8") as fh:
            nb = json.load(fh)
        title = cell_text(nb["cells"][0]).splitlines()[0].lstrip("# ").split(":")[0]
        seconds = measured["seconds"].get(name)
        minutes = "–" if seconds is None else f"{seconds / 60:.1f}"
        rows.append(f"| {title} | {', '.join(n for n, _, _ in exercises(nb))} | {minutes} |")
    return "\n".join(rows) + "\n"


def _is_student_copy(text):
    try:
        return json.loads(text).get("metadata", {}).get("student_copy") is True
    except (ValueError, AttributeError):
        return False


def update_messages(check_only: bool = False) -> list[str]:
    """Keep the checks' Chinese catalogue (``labs/zh.po``) in step with every exercise's title,
    hint and message templates (each ``_("...")`` of its checker, :func:`.registry.message_templates`):
    a new text gets an empty entry, a changed English text marks its entry fuzzy (English is shown
    until it is translated again), a text gone is dropped. Returns what changed; ``check_only``
    changes nothing."""
    return sync(CATALOGUE, catalogue_texts(), write=not check_only,
                title="Chinese titles, hints and messages of the exercises' checks")


def _copies(chapters):
    """{relative path: student copy text}: every chapter's copy, and the Chinese copy
    (``zh/<chapter>``) of every chapter translated whole (``zh/chapters/*.po``)."""
    root = os.path.dirname(os.path.abspath(chapters))
    out = {}
    for name in sorted(n for n in os.listdir(chapters) if n.endswith(".ipynb")):
        with open(os.path.join(chapters, name), encoding="utf-8") as fh:
            nb = json.load(fh)
        out[name] = json.dumps(student_copy(nb), indent=1, ensure_ascii=False) + "\n"
        entries = read_po(catalogue_path(name, root))
        if entries and all(e.usable for e in entries):
            zh = student_copy(translate(nb, entries))
            for cell in zh["cells"]:   # its checks speak Chinese (labs/zh.po)
                if cell["cell_type"] == "code" and "google.colab" in cell_text(cell):
                    cell["source"] = 'import os\n\nos.environ["DENOISE_LANG"] = "zh"  # 检查用中文说明\n' + cell_text(cell)
                    break
            out[os.path.join("zh", name)] = json.dumps(zh, indent=1, ensure_ascii=False) + "\n"
    return out


def build(chapters: str = "chapters", out: str = "labs", check_only: bool = False) -> list[str]:
    """Write the student copy of every chapter notebook to ``out``.

    Parameters
    ----------
    chapters : str, optional
        The folder of the chapter notebooks.
    out : str, optional
        The folder of the student copies; a file there that is not a student copy is not
        overwritten (``ValueError``).
    check_only : bool, optional
        Write nothing, raise (``SystemExit``) if a copy in ``out`` is missing or stale.

    Returns
    -------
    list of str
        The paths of the student copies.
    """
    changes = update_messages(check_only=check_only)
    if check_only and changes:
        raise SystemExit(f"labs/zh.po is out of step with the checks ({changes[:3]}): "
                         "run `python -m denoise_utils.labs build`")
    copies = _copies(chapters)
    names = list(copies)
    stale, paths = [], []
    for name, text in copies.items():
        path = os.path.join(out, name)
        paths.append(path)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                old = fh.read()
        if old == text:
            continue
        if check_only:
            stale.append(name)
            continue
        if old is not None and not _is_student_copy(old):
            raise ValueError(f"{path} is not a student copy (no 'student_copy' in its metadata): "
                             "not overwritten; choose another --out")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    found = [os.path.relpath(os.path.join(d, f), out) for d, _, files in os.walk(out) for f in files] \
        if os.path.isdir(out) else []
    extra = sorted(n for n in set(found) - set(names) if n.endswith(".ipynb") and ".ipynb_checkpoints" not in n)
    if check_only and (stale or extra):
        raise SystemExit(f"student copies out of date: {', '.join(stale + extra)}; "
                         "run `python -m denoise_utils.labs build`")
    return paths


# ---- links: Colab badges and install cells ------------------------------------------------

BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/[^/\s]+/labs/")
INSTALL = re.compile(r'git\+https://github\.com/[^@"\\\s]+@[^"\\\s]+')


def repository(config: str = "_config.yml") -> tuple[str, str]:
    """(url, ref) from ``_config.yml``'s ``repository``.

    Parameters
    ----------
    config : str, optional
        The book's configuration.

    Returns
    -------
    url, ref : str
        Its ``url`` and the ``branch`` (or tag) that readers' badges open and install cells
        install.
    """
    with open(config, encoding="utf-8") as fh:
        text = fh.read()
    block = text.split("repository:", 1)[1] if "repository:" in text else ""
    url, ref = (re.search(rf"^\s+{key}:\s*(\S+)", block, re.M) for key in ("url", "branch"))
    if not (url and ref and url.group(1).startswith("https://github.com/")):
        raise ValueError(f"{config}: repository needs a url (https://github.com/OWNER/NAME) and a branch")
    return url.group(1).rstrip("/"), ref.group(1)


def links(chapters: str = "chapters", config: str = "_config.yml") -> list[str]:
    """Point every chapter's Colab badge and its install cell at the repository of ``config``.

    The badge opens the chapter's student copy; badge and install cell get the repository
    and ref of ``config`` (:func:`repository`). ``build`` then carries them into the student
    copies (``make links`` runs both).

    Parameters
    ----------
    chapters : str, optional
        The folder of the chapter notebooks, rewritten in place.
    config : str, optional
        The book's configuration.

    Returns
    -------
    list of str
        The paths of the notebooks changed.
    """
    url, ref = repository(config)
    badge = f"https://colab.research.google.com/github/{url.split('github.com/')[1]}/blob/{ref}/labs/"
    changed = []
    for name in sorted(n for n in os.listdir(chapters) if n.endswith(".ipynb")):
        path = os.path.join(chapters, name)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        new = INSTALL.sub(lambda m: json.dumps(f"git+{url}@{ref}")[1:-1], BADGE.sub(badge, text))
        if new != text:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(new)
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int | None:
    """The command line, ``python -m denoise_utils.labs COMMAND`` (``--help`` lists them).

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int or None
        The exit status: 1 where ``grade`` could not read a notebook, else None.
    """
    parser = argparse.ArgumentParser(prog="python -m denoise_utils.labs",
                                     description="Student copies of the chapters (no solutions).")
    parser.add_argument("command", choices=["build", "check", "grade", "links", "mistakes", "timings"],
                        help="build: write labs/; check: fail if labs/ is out of date; "
                             "links: point badges and install cells at _config.yml's repository "
                             "and branch, then build; "
                             "grade: run the exercises of the notebooks named; timings: print "
                             "the instructor guide's table from book/timings.json (or --file); "
                             "mistakes: print the guide's list of the mistakes the checks catch")
    parser.add_argument("notebooks", nargs="*", help="grade: the students' notebooks")
    parser.add_argument("--chapters", default="chapters")
    parser.add_argument("--out", default="labs")
    parser.add_argument("--config", default="_config.yml", help="links: the book's configuration")
    parser.add_argument("--timeout", type=float, default=60,
                        help="grade: seconds each cell of an exercise may run (default: 60)")
    parser.add_argument("--csv", help="grade: write the gradebook (one row per submission) here")
    parser.add_argument("--file", default=os.path.join("book", "timings.json"),
                        help="timings: the file DENOISE_TIMINGS=FILE make test wrote")
    args = parser.parse_args(argv)
    if args.command == "grade":
        if not args.notebooks:
            parser.error("grade needs one or more notebooks")
        if args.timeout <= 0:
            parser.error(f"--timeout must be a positive number of seconds, got {args.timeout:g}")
        book, unread = {}, 0
        for path in args.notebooks:
            try:
                with open(path, encoding="utf-8") as fh:
                    nb = json.load(fh)
                exercises(nb)
            except (OSError, ValueError, KeyError, TypeError) as err:
                print(f"{path}: cannot be read as a notebook ({type(err).__name__}: {err}); skipped",
                      file=sys.stderr)
                unread += 1
                continue
            book[path] = results = grade(nb, timeout=args.timeout)
            done = sum(ok for _, ok, _ in results)
            print(f"{path}: {done}/{len(results)} exercises pass", flush=True)
            for number, ok, message in results:
                print(f"  {number:8} {'pass' if ok else 'FAIL'}  {message if not ok else ''}".rstrip())
        if args.csv:
            try:
                gradebook(book, args.csv)
            except (OSError, ValueError) as err:
                parser.error(str(err))
            print(f"gradebook: {args.csv}")
        return 1 if unread else None
    if args.command == "mistakes":
        print(mistakes_list(), end="")
        return
    if args.command == "timings":
        try:
            print(timings_table(args.file, args.chapters), end="")
        except ValueError as err:
            parser.error(str(err))
        return
    if not os.path.isdir(args.chapters):
        parser.error(f"no folder {args.chapters!r}: run this from the repository's root")
    if args.command == "links":
        try:
            changed = links(args.chapters, args.config)
        except (OSError, ValueError) as err:
            parser.error(str(err))
        print(f"{len(changed)} chapters now point at {' @ '.join(repository(args.config))}")
    paths = build(args.chapters, args.out, check_only=args.command == "check")
    if args.command == "links":
        args.command = "build"
    print(f"{len(paths)} student copies {'up to date' if args.command == 'check' else 'written'} "
          f"in {args.out}/", file=sys.stdout)

