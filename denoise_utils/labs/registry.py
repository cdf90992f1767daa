"""The exercises' checkers by number, and ``check``, which a chapter's check cell calls.

``check`` speaks the student's language: English, or Chinese where ``$DENOISE_LANG`` is ``zh``
(the Chinese student copies set it in their first cell). The Chinese titles, hints and the
check's own words live in one message catalogue, ``labs/zh.po`` (``msgctxt`` the exercise number
and ``title`` or ``hint``; :mod:`denoise_utils.translation`), not in a second copy of the checks.
"""

import os
from typing import Callable, NamedTuple

from ..translation import read_po

CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zh.po")
#: the check's own words, English and Chinese
WORDS = {
    "en": {"name": "Exercise {number} ({title})", "colon": ": ", "hint": "Hint: ", "correct": "correct.",
           "not done": " is not done yet: replace the line `raise NotImplementedError(...)` with your code."},
    "zh": {"name": "练习 {number}（{title}）", "colon": "：", "hint": "提示：", "correct": "正确。",
           "not done": "尚未完成：请把 `raise NotImplementedError(...)` 这一行换成你的代码。"},
}


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


def catalogue_texts() -> list[tuple[str, str]]:
    """("N.M.K title" or "N.M.K hint", English) of every exercise, in the book's order: what
    ``labs/zh.po`` translates."""
    return [(f"{n} {part}", getattr(EXERCISES[n], part))
            for n in sorted(EXERCISES, key=_key) for part in ("title", "hint")]


def messages() -> dict[str, str]:
    """{"N.M.K title": ..., "N.M.K hint": ...}: the usable Chinese titles and hints of
    ``labs/zh.po`` whose English is still the checker's own (a changed one falls back to English)."""
    english = dict(catalogue_texts())
    return {e.id: e.chinese for e in read_po(CATALOGUE) if e.usable and english.get(e.id) == e.english}


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
    if lang == "zh":
        zh = messages()
        title, hint = zh.get(f"{number} title", title), zh.get(f"{number} hint", hint)
    name = words["name"].format(number=number, title=title)
    try:
        checker(answer)
    except NotImplementedError:
        raise AssertionError(f"{name}{words['not done']}") from None
    except AssertionError as err:
        raise AssertionError(f"{name}{words['colon']}{err}\n{words['hint']}{hint}") from None
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
