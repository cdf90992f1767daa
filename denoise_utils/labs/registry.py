"""The exercises' checkers by number, and ``check``, which a chapter's check cell calls."""

from typing import Callable, NamedTuple


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


def exercise(number, title, hint, *, mistake, why):
    """Register ``checker(answer)`` as the check of exercise ``number``, with the typical
    wrong answer ``mistake`` it refuses and ``why`` that answer is wrong."""
    def register(checker):
        EXERCISES[number] = Exercise(title, hint, checker, mistake, why)
        return checker
    return register


def check(number, answer):
    """Check a student's ``answer`` to exercise ``number``; raise a helpful AssertionError."""
    if number not in EXERCISES:
        raise KeyError(f"no exercise {number!r}; the book's exercises: {', '.join(sorted(EXERCISES))}")
    title, hint, checker = EXERCISES[number][:3]
    try:
        checker(answer)
    except NotImplementedError:
        raise AssertionError(f"Exercise {number} ({title}) is not done yet: replace the line "
                             f"`raise NotImplementedError(...)` with your code.") from None
    except AssertionError as err:
        raise AssertionError(f"Exercise {number} ({title}): {err}\nHint: {hint}") from None
    print(f"Exercise {number} ({title}): correct.")


def _key(number):
    return tuple(int(p) for p in number.split("."))


def mistakes_list():
    """The instructor guide's list of the mistakes the checks catch, in markdown, by exercise."""
    return "".join(f"- **{n}** {EXERCISES[n].title}: {EXERCISES[n].why}.\n" for n in sorted(EXERCISES, key=_key))
