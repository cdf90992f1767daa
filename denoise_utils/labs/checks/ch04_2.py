"""The checks of chapter 4.2's exercises (see ``labs``)."""

import numpy as np

from ..registry import exercise
from .common import close
from .common import gettext as _


def _recursive(x, a):
    out, h = np.empty_like(x, dtype=np.float64), np.zeros(x.shape[:-1])
    for t in range(x.shape[-1]):
        h = a * h + (1 - a) * x[..., t]
        out[..., t] = h
    return out


@exercise("4.2.1", "a linear recurrence along rows",
          "Start from h = 0 and, along the last axis, h_t = a h_(t-1) + (1 - a) x_t; keep every h_t.",
          mistake=lambda x, a: np.cumsum(x, axis=-1) * (1 - a),
          why="a running sum instead of the recurrence")
def _scan(fn):
    x = np.random.default_rng(0).random((3, 7))
    close(fn(x, 0.6), _recursive(x, 0.6), "scan(x, 0.6)")


@exercise("4.2.2", "both directions",
          "Run the recurrence left to right, and again right to left (reverse, scan, reverse "
          "back), and average the two.",
          mistake=lambda x, a: x,
          why="the input returned as it is")
def _twoway(fn):
    x = np.random.default_rng(1).random((2, 9))
    want = (_recursive(x, 0.5) + _recursive(x[..., ::-1], 0.5)[..., ::-1]) / 2
    close(fn(x, 0.5), want, "two_way(x, 0.5)")


@exercise("4.2.3", "recurrence across iterations",
          "Start from the noisy image; each step calls refine(estimate, noisy) with the "
          "latest estimate; return the list of the `steps` estimates.",
          mistake=lambda refine, y, steps: [refine(y, y) for _ in range(steps)],
          why="each step refining the noisy image, never the last estimate")
def _iterate(fn):
    noisy = np.array([1.0, 0.0, 4.0])

    def refine(estimate, y):
        return 0.5 * estimate + 0.25 * y + 1.0

    found = fn(refine, noisy, 3)
    assert len(found) == 3, _("expected {expected} estimates, found {found}").format(expected=3, found=len(found))
    est, want = noisy, []
    for _step in range(3):
        est = refine(est, noisy)
        want.append(est)
    for k in range(3):
        close(found[k], want[k], _("estimate {k}").format(k=k + 1))
