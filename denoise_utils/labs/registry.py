"""The exercises' checkers by number, and ``check``, which a chapter's check cell calls.

``check`` speaks the student's language: English, or Chinese where ``$DENOISE_LANG`` is ``zh``
(the Chinese student copies set it in their first cell). The Chinese titles, hints and the
checkers' messages live in one message catalogue, ``labs/zh.po`` (``msgctxt`` the exercise number
and ``title``, ``hint`` or ``message K``; :mod:`denoise_utils.translation`), not in a second copy
of the checks. A checker writes each message as a constant English template, ``_("...")``
(:func:`gettext`), with its values filled in by ``str.format``; while ``check`` runs, the template
comes back in the language ``check`` speaks, and so do the frame words of
:func:`~denoise_utils.labs.checks.common.close` (:func:`spoken`).
"""

import ast
import contextvars
import functools
import os
from typing import Callable, NamedTuple

from ..translation import read_po

CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zh.po")
#: the folder of the checkers, whose ``_("...")`` templates the catalogue translates
CHECKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checks")
#: the check's own words, English and Chinese; ``expected``, ``at index`` and ``expected shape``
#: frame what ``close`` says after the ``colon``
WORDS = {
    "en": {"name": "Exercise {number} ({title})", "colon": ": ", "hint": "Hint: ", "correct": "correct.",
           "not done": " is not done yet: replace the line `raise NotImplementedError(...)` with your code.",
           "expected": "expected {expected}, found {found}", "at index": " at index {index}",
           "expected shape": "expected shape {expected}, found {found}"},
    "zh": {"name": "练习 {number}（{title}）", "colon": "：", "hint": "提示：", "correct": "正确。",
           "not done": "尚未完成：请把 `raise NotImplementedError(...)` 这一行换成你的代码。",
           "expected": "期望 {expected}，实际得到 {found}", "at index": "（位于索引 {index}）",
           "expected shape": "期望形状 {expected}，实际得到 {found}"},
}
#: what the running ``check`` speaks: its words and {English template: translation}
_SPEAKING = contextvars.ContextVar("denoise_labs_speaking", default=(WORDS["en"], {}))


class Exercise(NamedTuple):
    """An exercise's check: its ``title``, the ``hint`` a wrong answer gets, the ``checker``
    (raises AssertionError on a wrong answer), and a typical wrong answer, ``mistake``, which
    the checker must refuse, with ``why`` it is wrong (the instructor guide lists them)."""
    title: str
    hint: str
    checker: Callable
    mistake: Callable
    why: str


#: number -> Exercise
EXERCISES = {}


def exercise(number: str, title: str, hint: str, *, mistake: Callable,
             why: str) -> Callable[[Callable], Callable]:
    """A decorator: register ``checker(answer)`` as the check of exercise ``number``.

    Parameters
    ----------
    number : str
        The exercise's number, e.g. ``"4.2.1"``.
    title : str
        Its title.
    hint : str
        The hint a wrong answer gets.
    mistake : callable
        The typical wrong answer the checker must refuse.
    why : str
        Why that answer is wrong (the instructor guide lists it).

    Returns
    -------
    callable
        The decorator; it returns the checker unchanged.
    """
    def register(checker):
        EXERCISES[number] = Exercise(title, hint, checker, mistake, why)
        return checker
    return register


def _templates_of(path):
    """(exercise number or None, template) of each ``_("...")`` in the module at ``path``."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    found = []

    def visit(node, number):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef) and number is None:
                for d in child.decorator_list:
                    if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "exercise" and d.args:
                        visit(child, ast.literal_eval(d.args[0]))
                        break
                else:
                    visit(child, None)
                continue
            if isinstance(child, ast.Call) and getattr(child.func, "id", "") in ("_", "gettext"):
                arg = child.args[0] if len(child.args) == 1 and not child.keywords else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    raise ValueError(f"{os.path.basename(path)}:{child.lineno}: _() takes one constant "
                                     "English template (values through str.format), not "
                                     f"{ast.unparse(child)}")
                found.append((number, arg.value))
            visit(child, number)

    visit(tree, None)
    return found


@functools.lru_cache(maxsize=1)
def message_templates() -> tuple[tuple[str, str], ...]:
    """The checkers' message templates, as ``labs/zh.po`` keys them.

    Every ``_("...")`` (:func:`gettext`) in ``labs/checks/*.py``, read from the source as
    ``xgettext`` would: a template inside exercise N.M.K's checker is ``"N.M.K message K"``, the
    K-th distinct one of that checker; one outside every checker is ``"shared message K"``.

    Returns
    -------
    tuple of (str, str)
        (id, English template) pairs, in source order.

    Raises
    ------
    ValueError
        Where ``_()`` is given anything but one constant string (an f-string, say).
    """
    by_owner = {}
    for name in sorted(os.listdir(CHECKS)):
        if name.endswith(".py"):
            for number, template in _templates_of(os.path.join(CHECKS, name)):
                own = by_owner.setdefault(number or "shared", [])
                if template not in own:
                    own.append(template)
    return tuple((f"{owner} message {k}", t) for owner, own in by_owner.items()
                 for k, t in enumerate(own, 1))


def catalogue_texts() -> list[tuple[str, str]]:
    """("N.M.K title", "N.M.K hint" or "N.M.K message K", English) of every exercise, in the
    book's order, then the templates shared by several checkers: what ``labs/zh.po`` translates."""
    templates = message_templates()
    out = []
    for n in sorted(EXERCISES, key=_key):
        out += [(f"{n} {part}", getattr(EXERCISES[n], part)) for part in ("title", "hint")]
        out += [(cid, t) for cid, t in templates if cid.startswith(f"{n} message ")]
    return out + [(cid, t) for cid, t in templates if cid.startswith("shared message ")]


def messages() -> dict[str, str]:
    """{"N.M.K title": ..., "N.M.K hint": ..., "N.M.K message K": ...}: the usable Chinese of
    ``labs/zh.po`` whose English is still the checker's own (a changed one falls back to English)."""
    english = dict(catalogue_texts())
    return {e.id: e.chinese for e in read_po(CATALOGUE) if e.usable and english.get(e.id) == e.english}


def spoken() -> tuple[dict[str, str], dict[str, str]]:
    """What the running :func:`check` speaks (English outside a check).

    Returns
    -------
    words : dict
        Its entry of :data:`WORDS`.
    templates : dict
        {English template: its translation}; empty in English.
    """
    return _SPEAKING.get()


def gettext(template: str) -> str:
    """A checker's message ``template`` in the language of the running :func:`check`.

    Parameters
    ----------
    template : str
        A constant English template, values left to ``str.format`` (``"{what}: expected ..."``).

    Returns
    -------
    str
        Its usable translation in ``labs/zh.po`` while ``check(..., lang="zh")`` runs, else the
        template itself.
    """
    return _SPEAKING.get()[1].get(template, template)


def _said(zh, number):
    """{English template: Chinese} of every translated template, exercise ``number``'s own last
    (they win where two checkers translate one template differently)."""
    own = f"{number} message "
    pairs = [(cid, t) for cid, t in message_templates() if cid in zh]
    return {t: zh[cid] for cid, t in sorted(pairs, key=lambda p: p[0].startswith(own))}


def check(number: str, answer: object, *, lang: str | None = None) -> None:
    """Check a student's ``answer`` to exercise ``number``; raise a helpful AssertionError.

    Parameters
    ----------
    number : str
        The exercise's number, e.g. ``"4.2.1"``.
    answer : object
        What the exercise asks for (a function, an array, a number, ...).
    lang : {"en", "zh"}, optional
        The language of the messages; default ``$DENOISE_LANG``, else English.

    Returns
    -------
    None
        Prints that the answer is correct.

    Raises
    ------
    AssertionError
        For a wrong or unfinished answer: what was expected, what was found, and a hint.
    KeyError
        For an unknown exercise.
    """
    if number not in EXERCISES:
        raise KeyError(f"no exercise {number!r}; the book's exercises: {', '.join(sorted(EXERCISES))}")
    lang = lang or os.environ.get("DENOISE_LANG", "en")
    words = WORDS.get(lang, WORDS["en"])
    title, hint, checker = EXERCISES[number][:3]
    said = {}
    if lang == "zh":
        zh = messages()
        title, hint = zh.get(f"{number} title", title), zh.get(f"{number} hint", hint)
        said = _said(zh, number)
    name = words["name"].format(number=number, title=title)
    speaking = _SPEAKING.set((words, said))    # what close() and _() speak, for this call only
    try:
        checker(answer)
    except NotImplementedError:
        raise AssertionError(f"{name}{words['not done']}") from None
    except AssertionError as err:
        raise AssertionError(f"{name}{words['colon']}{err}\n{words['hint']}{hint}") from None
    finally:
        _SPEAKING.reset(speaking)
    print(f"{name}{words['colon']}{words['correct']}")


def _key(number):
    return tuple(int(p) for p in number.split("."))


def mistakes_list() -> str:
    """The instructor guide's list of the mistakes the checks catch, in markdown, by exercise.

    Returns
    -------
    str
        One bullet per exercise.
    """
    return "".join(f"- **{n}** {EXERCISES[n].title}: {EXERCISES[n].why}.\n" for n in sorted(EXERCISES, key=_key))
