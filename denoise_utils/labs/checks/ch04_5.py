"""The checks of chapter 4.5's exercises (see ``labs``)."""

import time

from ..registry import exercise
from .common import close
from .common import gettext as _


def _no_warm_up(fn, repeats):
    """4.5.3's mistake: the mean time of the calls, the first (slow) one included."""
    start = time.perf_counter()
    for _call in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


@exercise("4.5.1", "milliseconds per megapixel",
          "A megapixel is a million pixels: ms/MP = 1000 · seconds / (height · width / 1e6).",
          mistake=lambda sec, shape: sec / (shape[0] * shape[1] / 1e6),
          why="seconds per megapixel, not milliseconds")
def _msmp(fn):
    close(fn(0.5, (1000, 2000)), 250.0, "ms_per_megapixel(0.5, (1000, 2000))")
    close(fn(3.0, (512, 512)), 3000 / (512 * 512 / 1e6), "ms_per_megapixel(3.0, (512, 512))")


def _front(points):
    return sorted(i for i, (t, q) in enumerate(points)
                  if not any((t2 <= t and q2 >= q) and (t2, q2) != (t, q) for t2, q2 in points))


@exercise("4.5.2", "the Pareto front",
          "A model is on the front unless another is at least as fast and at least as good, "
          "and strictly better in one of the two.",
          mistake=lambda points: [max(range(len(points)), key=lambda i: points[i][1])],
          why="the best PSNR alone, not every point no other beats on both axes")
def _pareto(fn):
    points = [(10, 30.0), (5, 29.0), (20, 30.5), (12, 29.5), (5, 28.0), (30, 30.4)]
    found = sorted(fn(points))
    assert found == _front(points), _("expected indices {expected}, found {found}").format(expected=_front(points), found=found)


@exercise("4.5.3", "a fair timing",
          "Call the function once to warm up (it compiles, caches, loads), then time `repeats` "
          "calls with time.perf_counter and return the median of those.",
          mistake=_no_warm_up,
          why="timing without a warm-up call (or the mean instead of the median)")
def _timing(fn):
    calls = []

    def slow_first():
        calls.append(time.perf_counter())
        time.sleep([0.2, 0.01, 0.1, 0.01][min(len(calls), 4) - 1])

    found = fn(slow_first, 3)
    assert len(calls) == 4, _("expected 4 calls (one warm-up and 3 timed), found {found}").format(found=len(calls))
    assert 0.005 < found < 0.03, _("the timed calls took about 0.01, 0.1 and 0.01 s: expected their median, "
                                   "about 0.01 s, found {found:.3f} s").format(found=found)
