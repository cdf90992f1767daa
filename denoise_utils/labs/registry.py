"""The exercises' checkers by number, and ``check``, which a chapter's check cell calls."""

#: number -> (title, hint, checker); checkers raise AssertionError on a wrong answer
EXERCISES = {}


def exercise(number, title, hint):
    """Register ``checker(answer)`` as the check of exercise ``number``."""
    def register(checker):
        EXERCISES[number] = (title, hint, checker)
        return checker
    return register


def check(number, answer):
    """Check a student's ``answer`` to exercise ``number``; raise a helpful AssertionError."""
    if number not in EXERCISES:
        raise KeyError(f"no exercise {number!r}; the book's exercises: {', '.join(sorted(EXERCISES))}")
    title, hint, checker = EXERCISES[number]
    try:
        checker(answer)
    except NotImplementedError:
        raise AssertionError(f"Exercise {number} ({title}) is not done yet: replace the line "
                             f"`raise NotImplementedError(...)` with your code.") from None
    except AssertionError as err:
        raise AssertionError(f"Exercise {number} ({title}): {err}\nHint: {hint}") from None
    print(f"Exercise {number} ({title}): correct.")
