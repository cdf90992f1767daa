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

from . import checks  # noqa: F401  (registers every exercise's checker)
from .grading import grade, gradebook  # noqa: F401
from .notebook import BEGIN, END, HEADING, cell_text, exercises, stub_solution, student_copy  # noqa: F401
from .registry import EXERCISES, check, exercise, mistakes_list  # noqa: F401

def timings_table(timings, chapters="chapters"):
    """The instructor guide's table: each chapter's coding exercises and its measured run time.

    ``timings`` is the file that ``DENOISE_TIMINGS=FILE make test`` writes (conftest.py):
    each notebook's seconds, kernel start and every cell, on the budget and machine it names.
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


def build(chapters="chapters", out="labs", check_only=False):
    """Write the student copy of every chapter notebook to ``out``; return the paths.

    ``check_only``: write nothing, raise if a copy in ``out`` is missing or stale.
    """
    names = sorted(n for n in os.listdir(chapters) if n.endswith(".ipynb"))
    stale, paths = [], []
    for name in names:
        with open(os.path.join(chapters, name), encoding="utf-8") as fh:
            text = json.dumps(student_copy(json.load(fh)), indent=1, ensure_ascii=False) + "\n"
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
        os.makedirs(out, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    extra = sorted(set(os.listdir(out)) - set(names)) if os.path.isdir(out) else []
    extra = [n for n in extra if n.endswith(".ipynb")]
    if check_only and (stale or extra):
        raise SystemExit(f"student copies out of date: {', '.join(stale + extra)}; "
                         "run `python -m denoise_utils.labs build`")
    return paths


# ---- links: Colab badges and install cells ------------------------------------------------

BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^/\s]+/[^/\s]+/blob/[^/\s]+/labs/")
INSTALL = re.compile(r'git\+https://github\.com/[^@"\\\s]+@[^"\\\s]+')


def repository(config="_config.yml"):
    """(url, ref) from ``_config.yml``'s ``repository``: its ``url`` and the ``branch`` (or
    tag) that readers' badges open and install cells install."""
    with open(config, encoding="utf-8") as fh:
        text = fh.read()
    block = text.split("repository:", 1)[1] if "repository:" in text else ""
    url, ref = (re.search(rf"^\s+{key}:\s*(\S+)", block, re.M) for key in ("url", "branch"))
    if not (url and ref and url.group(1).startswith("https://github.com/")):
        raise ValueError(f"{config}: repository needs a url (https://github.com/OWNER/NAME) and a branch")
    return url.group(1).rstrip("/"), ref.group(1)


def links(chapters="chapters", config="_config.yml"):
    """Point every chapter's Colab badge (its student copy) and its install cell at the
    repository and ref of ``config``; return the notebooks changed. ``build`` then carries
    them into the student copies (``make links`` runs both)."""
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


def main(argv=None):

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

