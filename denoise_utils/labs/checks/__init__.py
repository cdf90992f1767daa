"""The checkers of the book's exercises, one module per chapter (see ``labs``).

Each takes the student's answer (a function), calls it on cases of its own, and raises an
``AssertionError`` saying what was expected and what was found. Each declares, with
``exercise(..., mistake=..., why=...)``, a typical wrong answer it must refuse: the tests
try every one, and the instructor guide's list of mistakes is made from them.
"""

from . import ch01, ch02, ch03_1, ch04_1, ch03_2, ch03_3, ch03_4, ch04_2, ch04_3, ch04_4, ch04_5, ch05_1, ch05_2, ch05_3, ch05_4, ch05_5, ch06  # noqa: F401  (each registers its chapter's checkers)
